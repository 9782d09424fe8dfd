/**
 * @file The `kiln` commands @kiln/lab adds: `scaling`, `ablate`, `lab`. The `kiln`
 * binary of @kiln/train loads them from here when this package is installed.
 */
import type { Command } from "@kiln/train";
import { ablateCommand } from "./cli/ablate.js";
import { labCommand } from "./cli/lab.js";
import { scalingCommand } from "./cli/scaling.js";

/** Every command of @kiln/lab, by name. */
export const commands: Record<string, Command> = {
  scaling: scalingCommand,
  ablate: ablateCommand,
  lab: labCommand,
};
