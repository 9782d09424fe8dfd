/**
 * @file Fault injection for the crash tests: `KILN_FAULT=<point>[@<n>]`
 * makes the process SIGKILL itself the n-th time (default 1st) it reaches the
 * named point of a checkpoint or metrics write. Unset, a point costs one
 * string comparison.
 */

const spec = process.env.KILN_FAULT ?? "";
const [target, nth] = spec.split("@");
let remaining = nth === undefined ? 1 : Number(nth);

/** Every point a write passes, in order (the fault tests iterate over these). */
export const FAULT_POINTS = [
  "checkpoint:mkdir", "checkpoint:model.safetensors", "checkpoint:config.json", "checkpoint:optimizer.safetensors",
  "checkpoint:trainer.json", "checkpoint:tokenizer.json", "checkpoint:fsync", "checkpoint:renamed",
  "checkpoint:pointer", "checkpoint:pruning", "metrics:truncate",
] as const;

/** A named moment inside a write; with `KILN_FAULT` naming it, the process dies here as if the power went out. */
export function faultPoint(name: (typeof FAULT_POINTS)[number]): void {
  if (name !== target) return;
  if (--remaining <= 0) process.kill(process.pid, "SIGKILL");
}
