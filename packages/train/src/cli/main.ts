/**
 * @file The `kiln` command line: `train`, `sample`, `eval`, `info`. Errors
 * print one line naming what is wrong (a stack trace only with --verbose)
 * and exit non-zero.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ablateCommand } from "./ablate.js";
import { infoCommand } from "./info.js";
import { evalCommand, sampleCommand } from "./sample.js";
import { scalingCommand } from "./scaling.js";
import { trainCommand } from "./train.js";

/** A command: its usage text, its options, and what it does. */
export interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
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
  info     parameters, FLOPs and memory of a config
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
    console.error(`kiln: unknown command "${name}" (expected one of ${Object.keys(COMMANDS).join(", ")}; see kiln --help)`);
    return 2;
  }
  const verbose = rest.includes("--verbose");
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" }, verbose: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(command.usage);
      return 0;
    }
    return await command.run(values as Record<string, string | boolean | string[] | undefined>, positionals);
  } catch (e) {
    const err = e as Error;
    console.error(`kiln ${name}: ${err.message}`);
    if (verbose && err.stack) console.error(err.stack);
    return 1;
  }
}
