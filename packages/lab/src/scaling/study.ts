/**
 * @file A scaling sweep as a study on the run queue: the planner turns a
 * sweep config into plan.json (every run's full training config, fixed
 * before any training: budgets listed in the config plan the same runs on
 * any machine; budgets sized to the time budget are sized once, at the
 * throughput measured then), the probe predicts each run's wall time for
 * the ETA, and the report fits the finished runs.
 */
import { formatCount, formatDuration } from "@kiln/train";
import type { Plan } from "../queue/plan-dir.js";
import { writeProbe } from "../queue/eta.js";
import { dataFor } from "../run/train-run.js";
import type { Study } from "../run/study.js";
import { buildLadder, conventionLines } from "./ladder.js";
import { probeRungs, measureAndPlan } from "./measure.js";
import { budgetLabel, makespan, planSweep, predictSeconds, type SweepPlan, type Throughput } from "./plan.js";
import { runTrainConfig, sweepDataConfig, sweepExecutor, type SweepRunConfig } from "./run-one.js";
import type { SizeLrSweep } from "./lr-stages.js";
import type { SweepConfig } from "./sweep-config.js";
import { writeSweepReport } from "./sweep-report.js";

/** The format tag of a sweep's plan meta. */
export const SWEEP_PLAN_FORMAT = "kiln.scaling-plan/2";

/** What plan.json's `meta` holds for a sweep. */
export interface SweepMeta {
  format: typeof SWEEP_PLAN_FORMAT;
  /** The sweep config the plan was made from. */
  config: SweepConfig;
  budgets: number[];
  /** Runs a budget's window of sizes includes but the sweep cannot train, and why. */
  skipped: { id: string; reason: string }[];
  trainTokens: number;
  valTokens: number;
  /** Tokens/s per rung the budgets were sized to the time budget with (null: the config lists its budgets). */
  sizedAt: Throughput | null;
  /** The per-size learning-rate sweep (scaling/lr-stages.ts), when the config asks for one. */
  lrSweep?: SizeLrSweep;
}

/** The sweep meta of a plan, checked. */
export function sweepMeta(plan: Plan, where: string): SweepMeta {
  const meta = plan.meta as Partial<SweepMeta> | undefined;
  if (meta?.format !== SWEEP_PLAN_FORMAT) throw new Error(`${where}: not a sweep plan of this kiln (meta.format ${JSON.stringify(meta?.format)}, expected "${SWEEP_PLAN_FORMAT}")`);
  return meta as SweepMeta;
}

/** The plan of sweep `config`: measuring throughput only when its budgets are sized to its time budget. */
export function planScaling(config: SweepConfig, jobs: number, log: (line: string) => void): Plan {
  const data = dataFor(sweepDataConfig(config), log);
  const ladder = buildLadder(config);
  log(`data: ${data.corpus.name}, ${formatCount(data.train.length)} train / ${formatCount(data.val.length)} val tokens, vocab ${data.tokenizer.vocabSize}`);
  for (const l of conventionLines(config)) log(`  ${l}`);
  log(`ladder: ${ladder.map((r) => `${r.name} N=${formatCount(r.N)} (non-emb ${formatCount(r.nonEmbedding)})`).join(", ")}`);
  let sweep: SweepPlan;
  let sizedAt: Throughput | null = null;
  if (config.budgets.values.length > 0) sweep = planSweep(config, ladder, data.train.length, {}, jobs);
  else {
    log(`probing throughput to size the budgets to the time budget of ${formatDuration(config.timeBudget)}...`);
    ({ plan: sweep, throughput: sizedAt } = measureAndPlan(config, ladder, data, jobs, log));
    log(`note: the budgets were sized to the time budget at this machine's measured speed, so another machine (or this one under other load) plans other runs; list budgets.values to fix them`);
  }
  const rungs = new Map(ladder.map((r) => [r.name, r]));
  const trained = sweep.runs.filter((r) => r.status === "run");
  const runs = trained.map((r) => {
    const { predictedSeconds: _p, status: _s, reason: _r, ...run } = r;
    const rung = rungs.get(r.rung)!;
    const config_: SweepRunConfig = { run, rung, train: runTrainConfig(config, r, rung) };
    return { id: r.id, config: config_, cost: rung.flopsPerToken * r.D };
  });
  const skipped = sweep.runs.filter((r) => r.status === "skipped").map((r) => ({ id: r.id, reason: r.reason ?? "" }));
  log(`plan: ${sweep.budgets.length} budgets (${sweep.budgets.map(budgetLabel).join(", ")}), ${trained.length} runs, ${skipped.length} skipped, ${trained.filter((r) => r.flags.length).length} flagged`);
  for (const r of sweep.runs) log(`  ${r.id}: ${r.status === "skipped" ? `skipped — ${r.reason}` : `D ${formatCount(r.D)} = ${r.steps} steps × ${r.tokensPerStep} tok, ${r.epochs.toFixed(2)} epochs${r.flags.length ? ` [${r.flags.join(", ")}]` : ""}`}`);
  const meta: SweepMeta = { format: SWEEP_PLAN_FORMAT, config, budgets: sweep.budgets, skipped, trainTokens: data.train.length, valTokens: data.val.length, sizedAt };
  return { kind: "scaling", name: config.name, runs, meta };
}

/**
 * Probes the throughput of the sizes `plan` trains and predicts each run's
 * wall time; writes them to `dir/probe.json` (the ETA's first guess) unless
 * `dir` is null. Resolves to the predicted seconds of all runs on `jobs` processes.
 */
export function predictScaling(plan: Plan, dir: string | null, jobs: number, log: (line: string) => void): number {
  const meta = sweepMeta(plan, "plan");
  const runs = plan.runs.map((r) => r.config as SweepRunConfig);
  const rungs = [...new Map(runs.map((c) => [c.rung.name, c.rung])).values()].sort((a, b) => a.N - b.N);
  log(`probing throughput of ${rungs.map((r) => r.name).join(", ")} for the ETA...`);
  const data = dataFor(sweepDataConfig(meta.config));
  probeRungs(meta.config, rungs.slice(0, 1), data); // warm-up, untimed
  const tps = probeRungs(meta.config, rungs, data);
  log(`  ${rungs.map((r) => `${r.name} ${formatCount(tps[r.name]!)} tok/s`).join(", ")}`);
  const seconds = Object.fromEntries(runs.map((c) => [c.run.id, predictSeconds(meta.config, c.run.D, tps[c.rung.name]!)]));
  if (dir !== null) writeProbe(dir, seconds);
  return makespan(Object.values(seconds), jobs);
}

/** Scaling sweeps on the run queue. */
export const scalingStudy: Study = {
  executor: sweepExecutor,
  report: (dir, plan, opts) => writeSweepReport(dir, plan, opts),
};
