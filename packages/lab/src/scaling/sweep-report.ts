/**
 * @file A sweep's report, built from the finished runs' results: runs.csv
 * (plan order, nothing timing-dependent), the fit (fit.json and the
 * figures), and report.md with the sections only a sweep has — the machine
 * and measured training time (from each run's timing.json, so this file
 * alone differs between executions), the counting conventions, every run
 * and every skipped one — and the training curves.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join, resolve } from "node:path";
import { describeSample, formatCount, formatDuration, pairedStdErr, validationSample, writeFileAtomic } from "@kiln/train";
import { analyzeScaling, type AnalysisOptions, type ScalingAnalysis, type TrainingCurve } from "../fit/index.js";
import { readResult, readTiming, runDir, type Plan, type RunTiming } from "../queue/plan-dir.js";
import type { StudyReportOptions } from "../run/study.js";
import { conventionLines } from "./ladder.js";
import { fittedIds, lrSweepSection, lrSweepSvg } from "./lr-stages.js";
import { budgetLabel } from "./plan.js";
import type { RunCurve } from "./report/plots.js";
import { writeFitReport } from "./report/report.js";
import { rowsToPoints, writeRuns, type RunRow } from "./results.js";
import { runCurve, type SweepResult, type SweepRunConfig } from "./run-one.js";
import { sweepMeta, type SweepMeta } from "./study.js";

/** A finished run: its plan entry, result and (host-dependent) timing. */
interface Finished {
  config: SweepRunConfig;
  result: SweepResult;
  timing: RunTiming | undefined;
}

/** The differences between neighbouring sizes at each budget against their paired standard errors, in words. */
function pairedLine(done: Finished[]): string {
  const pairs: { diff: number; se: number }[] = [];
  for (const C of new Set(done.map((f) => f.result.row.C))) {
    const atC = done.filter((f) => f.result.row.C === C).sort((a, b) => a.result.row.N - b.result.row.N);
    for (let i = 1; i < atC.length; i++) {
      const [a, b] = [atC[i - 1]!.result, atC[i]!.result];
      if (a.windowLosses.length > 0 && a.windowLosses.length === b.windowLosses.length) pairs.push({ diff: Math.abs(b.row.loss - a.row.loss), se: pairedStdErr(a.windowLosses, b.windowLosses) });
    }
  }
  if (pairs.length === 0) return "";
  const range = (xs: number[], d = 4) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
  const ratios = pairs.map((p) => p.diff / p.se);
  return ` Neighbouring sizes at one budget differ by |Δ| = ${range(pairs.map((p) => p.diff))} nats; the standard error of such a difference, paired over the shared windows, is ${range(pairs.map((p) => p.se))}, so the differences are ${range(ratios, 1)} standard errors (${ratios.filter((r) => r < 3).length} of ${pairs.length} below 3).`;
}

/** What the runs' losses were measured on and their sampling error, in words. */
function lossDefinition(meta: SweepMeta, done: Finished[]): string {
  const se = done.map((f) => f.result.row.loss_se).filter(Number.isFinite).sort((a, b) => a - b);
  const sample = describeSample(validationSample(meta.valTokens, meta.config.data.contextLength, meta.config.train.evalSequences));
  if (se.length === 0) return `Loss = validation loss on ${sample}, the same windows for every run.`;
  return `Loss = validation loss on ${sample}, the same windows for every run; the standard error of one run's loss over those windows (its sampling error) is ${se[0]!.toFixed(4)}–${se.at(-1)!.toFixed(4)} nats (median ${se[se.length >> 1]!.toFixed(4)}); differences between runs share the windows, so theirs is smaller.${pairedLine(done)}`;
}

const g = (v: number) => (v >= 1e3 ? formatCount(v) : v.toPrecision(3));

function sections(plan: Plan, meta: SweepMeta, done: Finished[]): string[] {
  const c = meta.config;
  const timed = done.flatMap((f) => (f.timing ? [f.timing] : []));
  const hosts = [...new Set(timed.map((t) => t.host))];
  const sweep = [
    "## Sweep",
    "",
    `Preset/sweep **${c.name}**: ${meta.budgets.length} budgets (${meta.budgets.map(budgetLabel).join(", ")} FLOPs), ${plan.runs.length} runs, ${meta.skipped.length} skipped; ${meta.sizedAt ? `budgets sized to a time budget of ${formatDuration(c.timeBudget)} at the throughput measured when planning` : "budgets as listed in the sweep config"}.`,
    `Training and evaluation took **${formatDuration(timed.reduce((s, t) => s + t.seconds, 0))}** summed over the ${timed.length} runs (on ${hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`}; parallel runs overlap, so wall time is shorter). This report: ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${availableParallelism()} cores, Node ${process.version}.`,
    `Data: ${c.data.corpus}, ${formatCount(meta.trainTokens)} training / ${formatCount(meta.valTokens)} validation tokens, BPE vocabulary ${c.data.vocabSize} trained on the training split, context ${c.data.contextLength}. ${lossDefinition(meta, done)}`,
    `Recipe: AdamW β = (${c.optim.beta1}, ${c.optim.beta2}), weight decay ${c.optim.weightDecay} on matrices only, clip ${c.optim.gradClip}; cosine schedule over each run's own steps to ${c.optim.minLrRatio} of the peak after a warmup of ${c.optim.warmupFraction * 100}% of the steps (at most ${c.optim.maxWarmupSteps}).`,
  ];
  const fitted = fittedIds(plan, (id) => done.find((f) => f.result.row.id === id)?.result.row.loss);
  const rungs = [...new Map(plan.runs.filter((r) => fitted.has(r.id)).map((r) => (r.config as SweepRunConfig).rung).map((r) => [r.name, r])).values()].sort((a, b) => a.N - b.N);
  const tokPerSec = (rung: string) => {
    const t = done.filter((f) => f.config.rung.name === rung && f.timing).map((f) => f.timing!.tokensPerSec);
    return t.length ? formatCount(t.reduce((a, b) => a + b, 0) / t.length) : "—";
  };
  const conventions = ["## Counting conventions", "", ...conventionLines(c).map((l) => `- ${l}`), "",
    "| size | d | layers | heads | peak lr | N_total | N_non-embedding | N_with_head | FLOPs/token (exact) | measured tok/s |", "|---|---|---|---|---|---|---|---|---|---|",
    ...rungs.map((r) => `| ${r.name} | ${r.hidden} | ${r.layers} | ${r.heads} | ${r.lr} | ${r.N.toLocaleString("en-US")} | ${r.nonEmbedding.toLocaleString("en-US")} | ${r.withHead.toLocaleString("en-US")} | ${r.flopsPerToken.toLocaleString("en-US")} | ${tokPerSec(r.name)} |`)];
  const runs = ["## Runs", "", "| run | C | N | D | batch × steps | epochs | C_exact / C | val loss ± s.e. | train loss | wall | flags |", "|---|---|---|---|---|---|---|---|---|---|---|",
    ...[...done].sort((a, b) => a.result.row.C - b.result.row.C || a.result.row.N - b.result.row.N).map(({ result: { row: r }, timing }) => `| ${r.id} | ${budgetLabel(r.C)} | ${g(r.N)} | ${g(r.D)} | ${r.batch} × ${r.steps} | ${r.epochs.toFixed(2)} | ${(r.C_exact / r.C).toFixed(3)} | ${r.loss.toFixed(4)}${Number.isFinite(r.loss_se) ? ` ± ${r.loss_se.toFixed(4)}` : ""} | ${r.train_loss.toFixed(4)} | ${timing ? formatDuration(timing.seconds) : "—"} | ${r.flags || ""} |`)];
  if (meta.skipped.length) runs.push("", "Skipped: " + meta.skipped.map((r) => `${r.id} (${r.reason})`).join("; ") + ".");
  const missing = plan.runs.filter((r) => fitted.has(r.id) && !done.some((f) => f.result.row.id === r.id));
  if (missing.length) runs.push("", `Not finished (yet): ${missing.map((r) => r.id).join(", ")}.`);
  return [sweep.join("\n"), conventions.join("\n"), runs.join("\n")];
}

/** Exponential moving average of the losses (the logged ones are single small batches, so noisy). */
function smooth(points: [number, number][], keep = 0.7): [number, number][] {
  let ema = points[0]?.[1] ?? 0;
  return points.map(([t, l]) => [t, (ema = keep * ema + (1 - keep) * l)]);
}

/** The (smoothed) training curves of the finished runs, for curves.svg. */
function curves(dir: string, done: Finished[]): RunCurve[] {
  return done.map(({ result: { row: r } }) => ({ label: `${r.rung} (${g(r.N)})`, N: r.N, C: r.C, points: smooth(runCurve(runDir(dir, r.id)).train), final: [r.D, r.loss] }));
}

/** Every finished run's validation losses against tokens seen (Approach 1 reads them as loss against compute). */
function validationCurves(dir: string, done: Finished[]): TrainingCurve[] {
  return done.map(({ result: { row: r } }) => ({ N: r.N, points: runCurve(runDir(dir, r.id)).val.map(([D, loss]) => ({ D, loss })) }));
}

/**
 * Writes runs.csv (plan order) and fits the finished runs of the sweep plan
 * in `dir` into fit.json, report.md and the figures, in `dir` and in
 * `opts.reportDir` (which also gets plan.json, so the report stands alone).
 */
export function writeSweepReport(dir: string, plan: Plan, opts: StudyReportOptions & { analysis?: AnalysisOptions }): string[] {
  const meta = sweepMeta(plan, join(dir, "plan.json"));
  const lossOf = (id: string) => (readResult(dir, id) as SweepResult | undefined)?.row.loss;
  const fitted = fittedIds(plan, lossOf);
  const done = plan.runs.filter((r) => fitted.has(r.id)).flatMap((r): Finished[] => {
    const result = readResult(dir, r.id) as SweepResult | undefined;
    return result ? [{ config: r.config as SweepRunConfig, result, timing: readTiming(dir, r.id) }] : [];
  });
  if (done.length === 0) throw new Error(`${dir}: no finished runs to report on (see kiln lab status ${dir})`);
  const rows: RunRow[] = done.map((f) => f.result.row);
  const outDirs = [dir, ...(opts.reportDir && resolve(opts.reportDir) !== resolve(dir) ? [opts.reportDir] : [])];
  const an: ScalingAnalysis = analyzeScaling(rowsToPoints(rows), { ...opts.analysis, curves: validationCurves(dir, done) });
  const extras = {
    title: `kiln scaling sweep "${meta.config.name}"`,
    source: `Produced from the ${rows.length} finished runs of the plan (runs.csv) by the report that \`kiln scaling\` and \`kiln lab report\` both write. Points: N = N_total, D = tokens trained, loss = final validation loss, C = the run's budget.`,
    curves: curves(dir, done),
    baselines: done[0]!.result.baselines,
    sections: [...sections(plan, meta, done), ...(meta.lrSweep ? [lrSweepSection(meta.lrSweep, lossOf).join("\n")] : [])],
  };
  let files: string[] = [];
  for (const d of outDirs) {
    mkdirSync(d, { recursive: true });
    if (d !== dir) copyFileSync(join(dir, "plan.json"), join(d, "plan.json"));
    writeRuns(join(d, "runs.csv"), rows);
    const written = writeFitReport(d, an, extras);
    if (meta.lrSweep) {
      writeFileAtomic(join(d, "lr.svg"), lrSweepSvg(meta.lrSweep, lossOf));
      written.push(join(d, "lr.svg"));
    }
    if (d === dir) files = [join(d, "runs.csv"), ...written];
  }
  for (const v of an.verdicts) opts.log(`  ${v.status.padEnd(12)} ${v.title}: ${v.detail}`);
  opts.log(`report: ${outDirs.map((d) => join(d, "report.md")).join(", ")}`);
  return files;
}
