/**
 * @file The plan of an ablation with a learning-rate sweep (lr-sweep.ts):
 * stage 1 alone while any of its runs is unfinished, then stage 1 followed
 * by stage 2 — the ordinary variant × seed runs at each variant's chosen
 * learning rate, except the first seed's, which stage 1 already trained — so
 * the plan directory only ever grows.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../queue/plan-dir.js";
import { readResult } from "../queue/plan-dir.js";
import { bestLrs, firstSeed, lrStageSpec, lrSweepMeta, withLrs } from "./lr-sweep.js";
import type { PowerPlan } from "./pilot.js";
import { planAblation, type AblationRun } from "./plan.js";
import type { RunResult } from "./report.js";
import type { AblationSpec } from "./spec.js";
import { ablationPlanFile, describeAblation } from "./study.js";

/** The plan of `spec` with learning rates `lrs` swept per variant, given what `spec.out` has finished; `pending` while stage 2 cannot be planned yet. */
export function planLrStages(spec: AblationSpec, lrs: readonly number[], opts: { keepCheckpoints: boolean; command: string; power: PowerPlan | null }, log: (line: string) => void): { plan: Plan; pending: boolean } {
  const seed = firstSeed(spec);
  const sweep = lrSweepMeta(spec, lrs, seed);
  const stage1 = planAblation(lrStageSpec(spec, lrs, seed));
  const stage1Plan = ablationPlanFile(stage1, { ...opts, lrSweep: sweep });
  const lossOf = (id: string) => (readResult(spec.out, id) as RunResult | undefined)?.finalValLoss;
  const best = existsSync(join(spec.out, "plan.json")) ? bestLrs(sweep, lossOf) : null;
  if (best === null) {
    for (const line of describeAblation(stage1)) log(line);
    log(`learning-rate sweep, stage 1: every variant at peak lr ${lrs.join(", ")} on seed ${seed} (${sweep.runs.length} runs); stage 2 — every seed at each variant's best — is planned when they are done`);
    return { plan: stage1Plan, pending: true };
  }
  log(`learning-rate sweep: chosen ${Object.entries(best).map(([v, lr]) => `${v} ${lr}`).join(", ")} (lowest final validation loss on seed ${seed})`);
  const stage2 = planAblation(withLrs(spec, best));
  for (const line of describeAblation(stage2)) log(line);
  const stage2Plan = ablationPlanFile(stage2, { ...opts, lrSweep: { ...sweep, best } });
  // the first seed's run at the chosen rate is stage 1's: the same training, so it is not repeated
  const rest = stage2Plan.runs.filter((r) => (r.config as AblationRun).seed !== seed);
  return { plan: { ...stage2Plan, runs: [...stage1Plan.runs, ...rest] }, pending: false };
}
