/**
 * @file An ablation as a study on the run queue: plan.json holds every
 * variant × seed run with its full training config (seed-major, so a partly
 * done ablation holds complete pairs), the executor trains one and records
 * its result, the probe predicts each variant's wall time for the ETA, and
 * the report compares the finished runs with the baseline.
 */
import { join } from "node:path";
import { formatCount, formatDuration, readMetrics, type Progress, type Trainer } from "@kiln/train";
import { writeProbe } from "../queue/eta.js";
import { readResult, readTiming, type Plan, type PlanRun } from "../queue/plan-dir.js";
import { predictRunSeconds, probeThroughput } from "../run/probe.js";
import type { Study } from "../run/study.js";
import { dataFor, trainRun } from "../run/train-run.js";
import { type AblationPlan, type AblationRun, type PlannedVariant } from "./plan.js";
import { buildAblationReport, type RunResult, type TimedResult } from "./report.js";
import { writeAblationReport } from "./report-md.js";
import type { PowerPlan } from "./pilot.js";
import { lrCurves, type LrSweepMeta } from "./lr-sweep.js";
import type { AblationSpec } from "./spec.js";

/** The format tag of an ablation's plan meta. */
export const ABLATION_PLAN_FORMAT = "kiln.ablation-plan/1";

/** What plan.json's `meta` holds for an ablation (its runs are the plan's runs). */
export interface AblationMeta {
  format: typeof ABLATION_PLAN_FORMAT;
  spec: Omit<AblationSpec, "out" | "report">;
  seeds: number[];
  variants: PlannedVariant[];
  warnings: string[];
  /** Keep each finished run's checkpoints. */
  keepCheckpoints: boolean;
  /** The command line that made the plan (the report's header). */
  command: string;
  /** The power planning from a pilot, when there was one (absent in plans of older kilns). */
  power?: PowerPlan | null;
  /** The per-variant learning-rate sweep (stage 1's runs come first in the plan), when asked for. */
  lrSweep?: LrSweepMeta | null;
}

/** The plan directory's form of a resolved ablation. */
export function ablationPlanFile(plan: AblationPlan, opts: { keepCheckpoints: boolean; command: string; power?: PowerPlan | null; lrSweep?: LrSweepMeta | null }): Plan {
  const { out: _out, report: _report, ...spec } = plan.spec;
  const meta: AblationMeta = { format: ABLATION_PLAN_FORMAT, spec, seeds: plan.seeds, variants: plan.variants, warnings: plan.warnings, ...opts, power: opts.power ?? null, lrSweep: opts.lrSweep ?? null };
  const flops = new Map(plan.variants.map((v) => [v.name, v.flops]));
  return { kind: "ablate", name: plan.spec.name, runs: plan.runs.map((r) => ({ id: r.id, config: r, cost: flops.get(r.variant)! })), meta };
}

const flopsText = (f: number) => (f >= 1e12 ? `${(f / 1e12).toFixed(2)}T` : formatCount(f));

/** The resolved ablation, one line per variant (and its caveats). */
export function describeAblation(plan: AblationPlan): string[] {
  const s = plan.spec;
  const w = Math.max(...plan.variants.map((v) => v.name.length));
  const lines = [`ablation ${s.name}: ${plan.variants.length} variants × ${plan.seeds.length} seeds (${plan.seeds.join(", ")}) = ${plan.runs.length} runs, baseline ${s.baseline}, equal ${s.equal}`];
  for (const v of plan.variants) {
    const m = v.matched ? `, intermediate_size ${v.matched.value} (${v.matched.mode} residual ${v.matched.residual})` : "";
    lines.push(`  ${v.name.padEnd(w)} ${v.params.toLocaleString("en-US").padStart(11)} params (${v.nonEmbeddingParams.toLocaleString("en-US")} non-emb.), ${v.steps} steps × ${v.tokensPerStep} = ${formatCount(v.tokens)} tokens, ${flopsText(v.flops)} FLOPs${m}`);
  }
  return [...lines, ...plan.warnings.map((x) => `warning: ${x}`)];
}

/** The ablation meta of a plan, checked. */
function ablationMeta(plan: Plan, where: string): AblationMeta {
  const meta = plan.meta as Partial<AblationMeta> | undefined;
  if (meta?.format !== ABLATION_PLAN_FORMAT) throw new Error(`${where}: not an ablation plan of this kiln (meta.format ${JSON.stringify(meta?.format)}, expected "${ABLATION_PLAN_FORMAT}")`);
  return meta as AblationMeta;
}

/** The resolved ablation a plan file holds. */
function ablationOf(plan: Plan, dir: string): { ablation: AblationPlan; meta: AblationMeta } {
  const meta = ablationMeta(plan, join(dir, "plan.json"));
  const ablation = { spec: { ...meta.spec, out: dir, report: null }, seeds: meta.seeds, variants: meta.variants, runs: plan.runs.map((r) => r.config as AblationRun), warnings: meta.warnings };
  return { ablation, meta };
}

/** The `result.json` of a finished run. */
function resultOf(run: AblationRun, trainer: Trainer, dir: string): RunResult {
  const m = trainer.model;
  const curve = readMetrics(join(dir, "metrics.jsonl")).flatMap((r) => (r.valLoss === undefined ? [] : [{ step: r.step, tokens: r.tokens, valLoss: r.valLoss }]));
  return {
    variant: run.variant, seed: run.seed, config: run.config, finalValLoss: trainer.lastValLoss!,
    params: m.numParameters(), nonEmbeddingParams: m.numParameters({ excludeEmbeddings: true }), flopsPerToken: m.flopsPerToken(run.config.data.contextLength),
    steps: trainer.step, tokens: trainer.tokensSeen, curve,
    ...(trainer.lastValidation ? { valStdErr: trainer.lastValidation.stdErr, validation: trainer.lastValidation.definition } : {}),
    baselines: { unigram: trainer.unigramBaseline, bigram: trainer.bigramBaseline },
  };
}

/**
 * Probes each variant's throughput (the shared median probe, `steps` timed
 * steps) and predicts each run's wall time; writes them to `dir/probe.json`
 * (the ETA's first guess) unless `dir` is null. Returns the predicted seconds of the runs not yet done.
 */
export function predictAblation(plan: Plan, dir: string | null, steps: number, log: (line: string) => void): number {
  const meta = ablationMeta(plan, "plan");
  const perRun = new Map<string, number>();
  const w = Math.max(...meta.variants.map((v) => v.name.length));
  for (const v of meta.variants) {
    const tps = probeThroughput(v.config, dataFor(v.config), { steps, seconds: 60 });
    const evalTokens = Math.ceil(v.steps / v.config.train.evalInterval) * v.config.train.evalBatches * v.config.train.batchSize * v.config.data.contextLength;
    perRun.set(v.name, predictRunSeconds(v.tokens, evalTokens, tps));
    log(`  ${v.name.padEnd(w)} ${formatCount(tps)} tok/s → ${formatDuration(perRun.get(v.name)!)} per run`);
  }
  const seconds = Object.fromEntries(plan.runs.map((r) => [r.id, perRun.get((r.config as AblationRun).variant)!]));
  if (dir !== null) writeProbe(dir, seconds);
  return plan.runs.filter((r) => dir === null || readResult(dir, r.id) === undefined).reduce((s, r) => s + seconds[r.id]!, 0);
}

/** The variant whose first-seed run `id` is: a learning-rate sweep's stage-1 run at that variant's chosen rate (else undefined). */
export function chosenRunOf(sweep: LrSweepMeta | null | undefined, id: string): string | undefined {
  const r = sweep?.best ? sweep.runs.find((x) => x.id === id) : undefined;
  return r && sweep!.best![r.variant] === r.lr ? r.variant : undefined;
}

/** Ablations on the run queue. */
export const ablationStudy: Study = {
  executor: (progressFor: (run: PlanRun) => Progress) => async (plan, run, dir, signal) => {
    const r = run.config as AblationRun;
    const trainer = await trainRun(r.config, dir, { progress: progressFor(run), signal, keepCheckpoints: ablationMeta(plan, "plan").keepCheckpoints }).catch((e: Error) => {
      e.message = `${run.id}: ${e.message}`; // a diverged variant names its run
      throw e;
    });
    return trainer === null ? undefined : resultOf(r, trainer, dir);
  },
  report(dir, plan, opts) {
    const { ablation, meta } = ablationOf(plan, dir);
    const results = plan.runs.flatMap((r): TimedResult[] => {
      const result = readResult(dir, r.id) as RunResult | undefined;
      return result ? [{ ...result, variant: chosenRunOf(meta.lrSweep, r.id) ?? result.variant, timing: readTiming(dir, r.id) }] : [];
    });
    if (results.length === 0) throw new Error(`${dir}: no finished runs to report on (see kiln lab status ${dir})`);
    const lossOf = (id: string) => (readResult(dir, id) as RunResult | undefined)?.finalValLoss;
    const report = { ...buildAblationReport(ablation, results), power: meta.power ?? null, lrSweep: meta.lrSweep ? lrCurves(meta.lrSweep, lossOf) : null };
    const dirs = [dir, ...(opts.reportDir ? [opts.reportDir] : [])];
    for (const d of dirs) writeAblationReport(d, report, meta.command);
    const w = Math.max(...report.variants.map((v) => v.name.length));
    for (const v of report.variants) {
      const t = v.vsBaseline;
      const delta = t ? ` Δ ${t.meanDiff >= 0 ? "+" : ""}${t.meanDiff.toFixed(4)} [${t.ci[0].toFixed(4)}, ${t.ci[1].toFixed(4)}]` : "";
      opts.log(`${v.name.padEnd(w)} val loss ${v.loss.mean.toFixed(4)} ± ${v.loss.sd.toFixed(4)}, ${formatCount(v.tokensPerSec.mean)} tok/s${delta}: ${v.verdict}`);
    }
    opts.log(`report: ${dirs.map((d) => join(d, "report.md")).join(", ")}`);
    return ["ablation.json", "report.md", "curves.svg", "deltas.svg"].map((f) => join(dir, f));
  },
};
