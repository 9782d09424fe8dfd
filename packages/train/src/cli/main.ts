/**
 * @file The `kiln` command line: `train`, `sample`, `eval`, `info`, and the
 * experiment commands of @kiln/lab (`scaling`, `ablate`, `lab`), loaded only
 * when that package is installed. Errors print one line naming what is wrong
 * (a stack trace only with --verbose) and exit non-zero.
 */
import { closest } from "../config/schema.js";
import { parseCommandLine, UsageError } from "./args.js";
import type { Command } from "./command.js";
import { infoCommand } from "./info.js";
import { evalCommand, sampleCommand } from "./sample.js";
import { trainCommand } from "./train.js";

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  sample: sampleCommand,
  eval: evalCommand,
  info: infoCommand,
};

/** The commands @kiln/lab provides (its `commands` export). */
const LAB_COMMANDS = ["scaling", "ablate", "lab"];

/**
 * The package behind {@link LAB_COMMANDS}. A variable, not a literal, so tsc
 * neither resolves it nor makes @kiln/train depend on @kiln/lab (lab depends
 * on train; train only loads lab at run time when it is installed).
 */
const LAB_PACKAGE: string = "@kiln/lab";

/** @kiln/lab's commands, or null when the package is not installed. */
async function labCommands(): Promise<Record<string, Command> | null> {
  try {
    return ((await import(LAB_PACKAGE)) as { commands: Record<string, Command> }).commands;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ERR_MODULE_NOT_FOUND" && err.message.includes(LAB_PACKAGE)) return null;
    throw e;
  }
}

const HELP = `kiln — train and study toy LLaMAs in pure TypeScript

usage: kiln <command> [options]

commands:
  train    train a model from a config (kiln train --config configs/train/sotu-tiny.json)
  sample   generate text from a checkpoint
  eval     validation loss and perplexity of a checkpoint
  info     parameters, FLOPs and memory of a config, or whether a checkpoint loads
  scaling  compute-optimal sweeps and Chinchilla fits (kiln scaling --preset quick; kiln scaling fit POINTS.csv)
  ablate   paired multi-seed architecture experiments (kiln ablate --spec configs/ablations/llama-components.json)
  lab      run, watch and report a planned sweep or ablation, e.g. as a Slurm array job (kiln lab run DIR --index I)
           (scaling, ablate and lab come with @kiln/lab)

Run "kiln <command> --help" for a command's options; add --verbose to any
command for stack traces on errors.`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(HELP);
    return name === undefined ? 1 : 0;
  }
  let command = COMMANDS[name];
  if (command === undefined && LAB_COMMANDS.includes(name)) {
    const lab = await labCommands();
    if (lab === null) {
      console.error(`kiln ${name}: this command comes with @kiln/lab, which is not installed; install it with npm install @kiln/lab`);
      return 1;
    }
    command = lab[name];
  }
  if (command === undefined) {
    const names = [...Object.keys(COMMANDS), ...LAB_COMMANDS];
    const hint = closest(name, names);
    console.error(`kiln: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}; commands: ${names.join(", ")} (see kiln --help)`);
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
