/**
 * @file The line `--plan-only` prints: how many runs a plan directory holds
 * and how to run them.
 */
import type { Plan } from "../queue/plan-dir.js";

/** `planned N runs in DIR; run them with kiln lab run DIR --index I (0..N-1) or --claim` */
export function plannedLine(dir: string, plan: Plan): string {
  const n = plan.runs.length;
  return `planned ${n} runs in ${dir}; run them with kiln lab run ${dir} --index I (0..${n - 1}) or --claim`;
}
