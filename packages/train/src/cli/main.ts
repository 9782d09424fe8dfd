/**
 * @file The `kiln` command line: `train`, `sample`, `eval`, `info`. Errors
 * print one line naming what is wrong (a stack trace only with --verbose)
 * and exit non-zero.
 */
import { closest } from "../config/schema.js";
import { ablateCommand } from "./ablate.js";
import { parseCommandLine, UsageError, type OptionSpec } from "./args.js";
import { infoCommand } from "./info.js";
import { evalCommand, sampleCommand } from "./sample.js";
import { scalingCommand } from "./scaling.js";
import { trainCommand } from "./train.js";

/** A command: its usage text, its options, and what it does. */
export interface Command {
  usage: string;
  options: Record<string, OptionSpec>;
  /**
   * What positional arguments mean: `"list"` passes them to `run`; a
   * function names the option a lone positional fills (`kiln train x.json`
   * is `--config x.json`); absent, a positional is an error.
   */
  positional?: "list" | ((arg: string) => string);
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  sample: sampleCommand,
  eval: evalCommand,
  info: infoCommand,
  scaling: scalingCommand,
  ablate: ablateCommand,
};

const HELP = `kiln — train and study toy LLaMAs in pure TypeScript

usage: kiln <command> [options]

commands:
  train    train a model from a config (kiln train --config configs/train/sotu-tiny.json)
  sample   generate text from a checkpoint
  eval     validation loss and perplexity of a checkpoint
  info     parameters, FLOPs and memory of a config, or whether a checkpoint loads
  scaling  compute-optimal sweeps and Chinchilla fits (kiln scaling --preset quick; kiln scaling fit POINTS.csv)
  ablate   paired multi-seed architecture experiments (kiln ablate --spec configs/ablations/llama-components.json)

Run "kiln <command> --help" for a command's options; add --verbose to any
command for stack traces on errors.`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(HELP);
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    const hint = closest(name, Object.keys(COMMANDS));
    console.error(`kiln: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}; commands: ${Object.keys(COMMANDS).join(", ")} (see kiln --help)`);
    return 2;
  }
  const verbose = rest.includes("--verbose");
  try {
    const { values, positionals } = parseCommandLine(rest, { ...command.options, help: { type: "boolean", short: "h" }, verbose: { type: "boolean" } }, name);
    if (values.help) {
      console.log(command.usage);
      return 0;
    }
    if (positionals.length > 0 && command.positional !== "list") {
      const option = command.positional?.(positionals[0]!);
      if (option === undefined || positionals.length > 1 || values[option] !== undefined) {
        const [first] = positionals;
        throw new UsageError(`unexpected argument ${JSON.stringify(first)}${option ? ` (a lone path means --${option}; give it once)` : ""}; see kiln ${name} --help`);
      }
      values[option] = positionals[0];
      positionals.length = 0;
    }
    return await command.run(values, positionals);
  } catch (e) {
    const err = e as Error;
    console.error(`kiln ${name}: ${oneLine(err.message)}`);
    if (verbose && err.stack) console.error(err.stack);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** The first line of a message, with control characters (e.g. from a binary file) escaped, so an error is one readable line. */
export function oneLine(message: string): string {
  const first = message.split("\n")[0]!;
  // eslint-disable-next-line no-control-regex
  return first.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, (c) => (c === "\ufffd" ? "?" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}
