/**
 * @file Planning a sweep: at each compute budget, a window of ladder sizes
 * centred on the guessed optimum, each trained for D = C / (6·N) tokens with
 * its batch, steps and warmup; runs needing too many epochs or too few steps
 * are skipped or flagged; predicted times from measured throughput; and the
 * largest budget chosen so the whole sweep fits a wall-clock budget.
 */
import { predictRunSeconds } from "../run/probe.js";
import type { Rung } from "./ladder.js";
import type { SweepConfig } from "./sweep-config.js";

/** One run of the plan. */
export interface SweepRun {
  /** Stable id, e.g. `c2.00e11-d32L2` (runs.csv key and run directory). */
  id: string;
  budgetIndex: number;
  /** The budget C (FLOPs, 6·N·D convention). */
  C: number;
  rung: string;
  N: number;
  /** Tokens actually trained: steps × tokensPerStep (within rounding of C / 6N). */
  D: number;
  batchSize: number;
  steps: number;
  tokensPerStep: number;
  warmupSteps: number;
  /** Passes over the training split. */
  epochs: number;
  lr: number;
  /** "run", or "skipped" with the reason. */
  status: "run" | "skipped";
  reason: string | null;
  /** e.g. "few-steps". */
  flags: string[];
  /** Predicted wall seconds at the measured throughput (NaN when planned without measuring). */
  predictedSeconds: number;
}

/** Tokens/second of each rung (by name), as measured. */
export type Throughput = Record<string, number>;

/** Formats a budget for ids: `2.00e11`. */
export const budgetLabel = (C: number) => C.toExponential(2).replace("e+", "e");

/** Predicted seconds of a run of `tokens` training tokens and its evaluations at `tokPerSec`. */
export function predictSeconds(config: SweepConfig, tokens: number, tokPerSec: number): number {
  return predictRunSeconds(tokens, config.train.evalSequences * config.data.contextLength * (1 + config.train.curveEvals), tokPerSec);
}

/** The run of `rung` at budget C (skipped or not). */
export function planRun(config: SweepConfig, rung: Rung, C: number, budgetIndex: number, trainTokens: number, tps: Throughput): SweepRun {
  const T = config.data.contextLength;
  const t = config.train;
  const targetD = C / (6 * rung.N);
  let batchSize = t.batchSize;
  while (batchSize > t.minBatchSize && Math.round(targetD / (batchSize * T)) < t.targetSteps) batchSize = Math.max(t.minBatchSize, Math.floor(batchSize / 2));
  const tokensPerStep = batchSize * T;
  const steps = Math.max(1, Math.round(targetD / tokensPerStep));
  const D = steps * tokensPerStep;
  const epochs = D / trainTokens;
  let reason: string | null = null;
  if (targetD / trainTokens > t.maxEpochs) reason = `needs ${(targetD / trainTokens).toFixed(1)} epochs of the training split (max ${t.maxEpochs})`;
  else if (targetD / tokensPerStep < t.hardMinSteps) reason = `only ${(targetD / tokensPerStep).toFixed(1)} steps of ${tokensPerStep} tokens (min ${t.hardMinSteps})`;
  const o = config.optim;
  return {
    id: `c${budgetLabel(C)}-${rung.name}`, budgetIndex, C, rung: rung.name, N: rung.N, D, batchSize, steps, tokensPerStep,
    warmupSteps: Math.min(o.maxWarmupSteps, Math.round(o.warmupFraction * steps)), epochs, lr: rung.lr,
    status: reason === null ? "run" : "skipped", reason, flags: steps < t.minSteps ? ["few-steps"] : [],
    predictedSeconds: reason === null ? predictSeconds(config, D, tps[rung.name] ?? NaN) : 0,
  };
}

/**
 * The runs at budget C: of the sizes trainable at C, the `sizesPerBudget`
 * consecutive ones centred (in ln N) on √(C / (6·tokensPerParam)); sizes of
 * the ladder's nominal window that cannot be trained are listed as skipped.
 */
export function planBudget(config: SweepConfig, ladder: readonly Rung[], C: number, budgetIndex: number, trainTokens: number, tps: Throughput): SweepRun[] {
  const k = config.sizesPerBudget;
  const guess = Math.log(Math.sqrt(C / (6 * config.tokensPerParam)));
  const window = <T extends { N: number }>(items: readonly T[]): T[] => {
    let best = 0;
    let bestDist = Infinity;
    for (let i = 0; i + k <= Math.max(k, items.length); i++) {
      const slice = items.slice(i, i + k);
      const centre = slice.reduce((s, r) => s + Math.log(r.N), 0) / slice.length;
      if (Math.abs(centre - guess) < bestDist) [best, bestDist] = [i, Math.abs(centre - guess)];
    }
    return items.slice(best, best + k);
  };
  const all = ladder.map((r) => planRun(config, r, C, budgetIndex, trainTokens, tps));
  const chosen = window(all.filter((r) => r.status === "run"));
  const skipped = window(all).filter((r) => r.status === "skipped");
  return [...chosen, ...skipped].sort((a, b) => a.N - b.N);
}

/** Budgets `Cmax / ratio^(count−1−i)`, smallest first. */
export function budgetSeries(config: SweepConfig, Cmax: number): number[] {
  const { count, ratio } = config.budgets;
  return Array.from({ length: count }, (_, i) => Cmax / ratio ** (count - 1 - i));
}

/** Wall time of runs on `jobs` processes (longest first onto the least-loaded process). */
export function makespan(seconds: readonly number[], jobs: number): number {
  const loads = new Array<number>(Math.max(1, jobs)).fill(0);
  for (const s of [...seconds].sort((a, b) => b - a)) {
    const i = loads.indexOf(Math.min(...loads));
    loads[i]! += s;
  }
  return Math.max(...loads);
}

/** A whole plan: the budgets, the runs (skipped ones included) and the predicted wall time. */
export interface SweepPlan {
  budgets: number[];
  runs: SweepRun[];
  predictedSeconds: number;
}

/** Plans the given budgets. */
export function planBudgets(config: SweepConfig, ladder: readonly Rung[], budgets: readonly number[], trainTokens: number, tps: Throughput, jobs: number): SweepPlan {
  const runs = budgets.flatMap((C, i) => planBudget(config, ladder, C, i, trainTokens, tps));
  return { budgets: [...budgets], runs, predictedSeconds: makespan(runs.filter((r) => r.status === "run").map((r) => r.predictedSeconds), jobs) };
}

/** True when every budget of the plan trains its full window of sizes. */
export function isComplete(config: SweepConfig, plan: SweepPlan): boolean {
  return plan.budgets.every((_, i) => plan.runs.filter((r) => r.budgetIndex === i && r.status === "run").length >= config.sizesPerBudget);
}

/**
 * The plan of a sweep: explicit budgets if the config lists them, otherwise
 * the largest budget series (within budgets.min..max) that trains a full
 * window of sizes at every budget and whose predicted wall time fits
 * `timeBudget`, scanned on a fine logarithmic grid.
 */
export function planSweep(config: SweepConfig, ladder: readonly Rung[], trainTokens: number, tps: Throughput, jobs: number): SweepPlan {
  if (config.budgets.values.length > 0) return planBudgets(config, ladder, [...config.budgets.values].sort((a, b) => a - b), trainTokens, tps, jobs);
  const { min, max } = config.budgets;
  const steps = 240;
  let best: SweepPlan | null = null;
  let smallest: SweepPlan | null = null;
  for (let i = 0; i <= steps; i++) {
    const Cmax = Math.exp(Math.log(min) + ((Math.log(max) - Math.log(min)) * i) / steps);
    const plan = planBudgets(config, ladder, budgetSeries(config, Cmax), trainTokens, tps, jobs);
    if (!isComplete(config, plan)) continue;
    smallest ??= plan;
    if (plan.predictedSeconds <= config.timeBudget) best = plan;
  }
  if (best === null && smallest === null) {
    throw new Error(`no budget series in ${min.toExponential(1)}..${max.toExponential(1)} FLOPs trains ${config.sizesPerBudget} sizes at every budget (runs needing more than ${config.train.maxEpochs} epochs or fewer than ${config.train.hardMinSteps} steps are skipped); widen budgets.min/max, lower sizesPerBudget or budgets.ratio, or use a bigger corpus`);
  }
  return best ?? smallest!;
}
