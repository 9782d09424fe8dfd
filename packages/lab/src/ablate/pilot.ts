/**
 * @file Power before compute on the run queue: the finished runs already in
 * an ablation's plan directory are its pilot (≥ 2 paired seeds), from which
 * the spread of paired differences (power.ts) predicts the 95% half-width
 * the planned seeds will give, and `--target-halfwidth` picks the seeds
 * within a time budget (each variant's seconds per run from its pilot runs'
 * timing.json). The plan is then extended with the new seeds: the pilot's
 * runs are kept, never repeated.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readPlan, readResult, readTiming } from "../queue/plan-dir.js";
import { halfWidthFor, pilotSpread, planSeeds, type PilotSpread } from "./power.js";
import type { AblationRun } from "./plan.js";
import { chosenRunOf, type AblationMeta } from "./study.js";

/** A pilot: the paired seeds finished in a plan directory, their spread and each variant's seconds per run. */
export interface Pilot {
  /** Seeds of the existing plan, in plan order. */
  plannedSeeds: number[];
  /** Seeds every variant and the baseline finished. */
  pairedSeeds: number[];
  spread: PilotSpread;
  /** Mean wall seconds of a finished run, by variant. */
  secondsPerRun: Map<string, number>;
}

/** What the report records about the power planning (plan meta `power`, ablation.json `power`). */
export interface PowerPlan {
  /** Paired seeds in the pilot and the spread of paired differences it gave (the worst comparison's, and pooled with its df). */
  pilotSeeds: number;
  sd: number;
  worst: string;
  pooled: { sd: number; df: number };
  /** Seeds planned and the 95% half-width they give at the worst spread (and at the pooled one). */
  seeds: number;
  halfWidth: number;
  pooledHalfWidth: number;
  /** The half-width asked for with --target-halfwidth, and the budget line (null without a target). */
  target: number | null;
  message: string | null;
}

/** The pilot in `dir`: null when it holds no ablation plan or fewer than 2 paired seeds of some comparison. */
export function readPilot(dir: string, baseline: string): Pilot | null {
  if (!existsSync(join(dir, "plan.json"))) return null;
  const plan = readPlan(dir);
  if (plan.kind !== "ablate") return null;
  const meta = plan.meta as Partial<AblationMeta> | undefined;
  const done = plan.runs.flatMap((r) => {
    const result = readResult(dir, r.id) as { finalValLoss: number } | undefined;
    const run = r.config as AblationRun;
    return result ? [{ variant: chosenRunOf(meta?.lrSweep, r.id) ?? run.variant, seed: run.seed, loss: result.finalValLoss, seconds: readTiming(dir, r.id)?.seconds }] : [];
  });
  const plannedSeeds = [...new Set(plan.runs.map((r) => (r.config as AblationRun).seed))];
  const variants = meta?.variants?.map((v) => v.name) ?? [...new Set(plan.runs.map((r) => (r.config as AblationRun).variant))]; // not a learning-rate sweep's stage-1 runs
  const lossOf = (variant: string, seed: number) => done.find((d) => d.variant === variant && d.seed === seed)?.loss;
  const pairedSeeds = plannedSeeds.filter((s) => variants.every((v) => lossOf(v, s) !== undefined));
  const others = variants.filter((v) => v !== baseline);
  if (pairedSeeds.length < 2 || others.length === 0) return null;
  const spread = pilotSpread(others.map((v) => ({ name: v, diffs: pairedSeeds.map((s) => lossOf(v, s)! - lossOf(baseline, s)!) })));
  const secondsPerRun = new Map(variants.map((v) => {
    const t = done.filter((d) => d.variant === v && d.seconds !== undefined).map((d) => d.seconds!);
    return [v, t.length ? t.reduce((a, b) => a + b, 0) / t.length : NaN];
  }));
  return { plannedSeeds, pairedSeeds, spread, secondsPerRun };
}

/** Options of {@link planPower}. */
export interface PowerOptions {
  /** Seeds the spec plans (used without a target). */
  seeds: number;
  /** The variants, baseline included (their seconds per run add up to one seed's cost). */
  variants: readonly string[];
  targetHalfWidth?: number;
  budgetSeconds: number;
  /** Run the best the budget affords when it cannot reach the target (default: refuse). */
  acceptBest?: boolean;
}

/** Refusal when the budget cannot reach the target (one line). */
export class PowerError extends Error {}

/**
 * The seeds to plan and what they give: without a target the spec's
 * seeds; with one, the fewest that reach it within the budget (never fewer
 * than the pilot already planned), or — when the budget cannot — a
 * {@link PowerError} unless `acceptBest`.
 */
export function planPower(pilot: Pilot, o: PowerOptions): PowerPlan {
  const { spread } = pilot;
  let seeds = o.seeds;
  let message: string | null = null;
  if (o.targetHalfWidth !== undefined) {
    const secondsPerRun = o.variants.map((v) => pilot.secondsPerRun.get(v) ?? NaN);
    const missing = o.variants.filter((_, i) => !(secondsPerRun[i]! > 0));
    if (missing.length) throw new PowerError(`--target-halfwidth needs each variant's time per run from the pilot, and ${missing.join(", ")} has no timed finished run`);
    const p = planSeeds({ targetHalfWidth: o.targetHalfWidth, sd: spread.worst.sd, secondsPerRun, budgetSeconds: o.budgetSeconds });
    message = p.message;
    if (!p.reached && !(o.acceptBest && p.seeds >= 2)) throw new PowerError(`${p.message}; raise --budget-minutes, or add --accept-best to run the best the budget allows`);
    seeds = Math.max(p.seeds, pilot.plannedSeeds.length);
  }
  return {
    pilotSeeds: pilot.pairedSeeds.length, sd: spread.worst.sd, worst: spread.worst.name, pooled: spread.pooled,
    seeds, halfWidth: halfWidthFor(spread.worst.sd, seeds), pooledHalfWidth: halfWidthFor(spread.pooled.sd, seeds),
    target: o.targetHalfWidth ?? null, message,
  };
}

/** The seed list for `count` seeds: the pilot's planned seeds, then consecutive ones after the largest. */
export function extendSeeds(planned: readonly number[], count: number): number[] {
  const out = [...planned];
  let next = Math.max(...planned) + 1;
  while (out.length < count) out.push(next++);
  return out.slice(0, Math.max(count, planned.length));
}

/** The line printed before the full study. */
export function powerLine(p: PowerPlan): string {
  return `power: the pilot's ${p.pilotSeeds} paired seeds give a spread of paired differences of ${p.sd.toFixed(4)} nats (worst: ${p.worst}); ${p.seeds} seeds → 95% half-width ±${p.halfWidth.toFixed(3)} (pooled spread ${p.pooled.sd.toFixed(4)}: ±${p.pooledHalfWidth.toFixed(3)})`;
}
