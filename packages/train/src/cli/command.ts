/**
 * @file What a `kiln` subcommand is: its usage text, its options and what it
 * does. @kiln/train's commands implement it, and so do the ones @kiln/lab
 * adds (`scaling`, `ablate`, `lab`), which `kiln` loads only when installed.
 */
import type { OptionSpec } from "./args.js";

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
