/**
 * @file A sweep's report: the fit of its runs.csv plus the sections only a
 * sweep has (machine and measured wall time, throughput, the counting
 * conventions, every run and every skipped one) and the training curves.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join, resolve } from "node:path";
import { analyzeScaling, type AnalysisOptions, type ScalingAnalysis } from "../fit/index.js";
import type { RunCurve } from "./report/plots.js";
import { writeFitReport } from "./report/report.js";
import { describeSample, pairedStdErr, validationSample } from "@kiln/train";
import { formatCount, formatDuration } from "@kiln/train";
import { runDir } from "./executor.js";
import { buildLadder, conventionLines } from "./ladder.js";
import { budgetLabel } from "./plan.js";
import { readRuns, rowsToPoints, type RunRow } from "./results.js";
import { runCurve, runWindowLosses } from "./run-one.js";
import { readSessions, type StoredPlan } from "./state.js";

/** The differences between neighbouring sizes at each budget against their paired standard errors, in words ("" without per-window losses). */
function pairedLine(dir: string, rows: RunRow[]): string {
  const pairs: { diff: number; se: number }[] = [];
  for (const C of new Set(rows.map((r) => r.C))) {
    const atC = rows.filter((r) => r.C === C).sort((a, b) => a.N - b.N);
    for (let i = 1; i < atC.length; i++) {
      const [a, b] = [runWindowLosses(runDir(dir, atC[i - 1]!.id)), runWindowLosses(runDir(dir, atC[i]!.id))];
      if (a && b && a.length === b.length) pairs.push({ diff: Math.abs(atC[i]!.loss - atC[i - 1]!.loss), se: pairedStdErr(a, b) });
    }
  }
  if (pairs.length === 0) return "";
  const range = (xs: number[], d = 4) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
  const ratios = pairs.map((p) => p.diff / p.se);
  return ` Neighbouring sizes at one budget differ by |Δ| = ${range(pairs.map((p) => p.diff))} nats; the standard error of such a difference, paired over the shared windows, is ${range(pairs.map((p) => p.se))}, so the differences are ${range(ratios, 1)} standard errors (${ratios.filter((r) => r < 3).length} of ${pairs.length} below 3).`;
}

/** What the runs' losses were measured on and their sampling error, in words. */
function lossDefinition(plan: StoredPlan, rows: RunRow[], dir: string): string {
  const se = rows.map((r) => r.loss_se).filter(Number.isFinite).sort((a, b) => a - b);
  if (se.length === 0) return `Loss = mean validation loss over the first ${plan.config.train.evalSequences} validation windows, the same for every run (these runs were recorded before kiln's current definition of validation loss and without its standard error; rerun the sweep for both).`;
  const sample = describeSample(validationSample(plan.valTokens, plan.config.data.contextLength, plan.config.train.evalSequences));
  return `Loss = validation loss on ${sample}, the same windows for every run; the standard error of one run's loss over those windows (its sampling error) is ${se[0]!.toFixed(4)}–${se.at(-1)!.toFixed(4)} nats (median ${se[se.length >> 1]!.toFixed(4)}); differences between runs share the windows, so theirs is smaller.${pairedLine(dir, rows)}`;
}

const g = (v: number) => (v >= 1e3 ? formatCount(v) : v.toPrecision(3));

function sections(dir: string, plan: StoredPlan, rows: RunRow[]): string[] {
  const sessions = readSessions(dir);
  const wall = sessions.reduce((s, x) => s + x.seconds, 0);
  const ladder = buildLadder(plan.config);
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const trained = plan.runs.filter((r) => r.status === "run");
  const sweep = [
    "## Sweep",
    "",
    `Preset/sweep **${plan.config.name}**, planned ${plan.createdAt} for a time budget of ${formatDuration(plan.config.timeBudget)}: ${plan.budgets.length} budgets (${plan.budgets.map(budgetLabel).join(", ")} FLOPs), ${trained.length} runs, ${plan.runs.length - trained.length} skipped.`,
    `Machine: ${cpu}, ${availableParallelism()} cores, Node ${process.version}; ${plan.jobs} training process${plan.jobs > 1 ? "es" : ""} (${plan.jobsReason}).`,
    `Predicted wall time ${formatDuration(plan.predictedSeconds)}; **measured ${formatDuration(wall)}** over ${sessions.length} session${sessions.length === 1 ? "" : "s"} (data preparation and the throughput probe included).`,
    `Data: ${plan.config.data.corpus}, ${formatCount(plan.trainTokens)} training / ${formatCount(plan.valTokens)} validation tokens, BPE vocabulary ${plan.config.data.vocabSize} trained on the training split, context ${plan.config.data.contextLength}. ${lossDefinition(plan, rows, dir)}`,
    `Recipe: AdamW β = (${plan.config.optim.beta1}, ${plan.config.optim.beta2}), weight decay ${plan.config.optim.weightDecay} on matrices only, clip ${plan.config.optim.gradClip}; cosine schedule over each run's own steps to ${plan.config.optim.minLrRatio} of the peak after a warmup of ${plan.config.optim.warmupFraction * 100}% of the steps (at most ${plan.config.optim.maxWarmupSteps}).`,
  ];
  const conventions = ["## Counting conventions", "", ...conventionLines(plan.config).map((l) => `- ${l}`), "",
    "| size | d | layers | heads | peak lr | N_total | N_non-embedding | N_with_head | FLOPs/token (exact) | measured tok/s |", "|---|---|---|---|---|---|---|---|---|---|",
    ...ladder.map((r) => `| ${r.name} | ${r.hidden} | ${r.layers} | ${r.heads} | ${r.lr} | ${r.N.toLocaleString("en-US")} | ${r.nonEmbedding.toLocaleString("en-US")} | ${r.withHead.toLocaleString("en-US")} | ${r.flopsPerToken.toLocaleString("en-US")} | ${plan.measured.includes(r.name) ? formatCount(plan.throughput[r.name] ?? NaN) : "—"} |`)];
  const runs = ["## Runs", "", "| run | C | N | D | batch × steps | epochs | C_exact / C | val loss ± s.e. | train loss | wall | flags |", "|---|---|---|---|---|---|---|---|---|---|---|",
    ...[...rows].sort((a, b) => a.C - b.C || a.N - b.N).map((r) => `| ${r.id} | ${budgetLabel(r.C)} | ${g(r.N)} | ${g(r.D)} | ${r.batch} × ${r.steps} | ${r.epochs.toFixed(2)} | ${(r.C_exact / r.C).toFixed(3)} | ${r.loss.toFixed(4)}${Number.isFinite(r.loss_se) ? ` ± ${r.loss_se.toFixed(4)}` : ""} | ${r.train_loss.toFixed(4)} | ${formatDuration(r.wall_s)} | ${r.flags || ""} |`)];
  const skipped = plan.runs.filter((r) => r.status === "skipped");
  if (skipped.length) runs.push("", "Skipped: " + skipped.map((r) => `${r.id} (${r.reason})`).join("; ") + ".");
  const missing = trained.filter((r) => !rows.some((x) => x.id === r.id));
  if (missing.length) runs.push("", `Not finished (yet): ${missing.map((r) => r.id).join(", ")}.`);
  return [sweep.join("\n"), conventions.join("\n"), runs.join("\n")];
}

/** Exponential moving average of the losses (the logged ones are single small batches, so noisy). */
function smooth(points: [number, number][], keep = 0.7): [number, number][] {
  let ema = points[0]?.[1] ?? 0;
  return points.map(([t, l]) => [t, (ema = keep * ema + (1 - keep) * l)]);
}

/** The (smoothed) training curves of the finished runs, for curves.svg. */
function curves(dir: string, rows: RunRow[]): RunCurve[] {
  return rows.map((r) => {
    const c = runCurve(runDir(dir, r.id));
    return { label: `${r.rung} (${g(r.N)})`, N: r.N, C: r.C, points: smooth(c.train), final: [r.D, r.loss] };
  });
}

/**
 * Fits the sweep's runs.csv and writes fit.json, report.md and the figures into
 * each of `outDirs` (a directory other than the sweep's also gets copies of
 * runs.csv, plan.json and sessions.jsonl, so the report stands alone).
 */
export function writeSweepReport(dir: string, plan: StoredPlan, outDirs: string[], opts: AnalysisOptions = {}): ScalingAnalysis {
  const rows = readRuns(join(dir, "runs.csv"));
  for (const d of outDirs.filter((x) => resolve(x) !== resolve(dir))) {
    mkdirSync(d, { recursive: true });
    for (const f of ["runs.csv", "plan.json", "sessions.jsonl"]) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(d, f));
  }
  const an = analyzeScaling(rowsToPoints(rows), opts);
  const extras = {
    title: `kiln scaling sweep "${plan.config.name}"`,
    source: `Produced by \`kiln scaling\` from ${rows.length} runs (runs.csv). Points: N = N_total, D = tokens trained, loss = final validation loss, C = the run's budget.`,
    curves: curves(dir, rows),
    baselines: plan.baselines ?? null,
    sections: sections(dir, plan, rows),
  };
  for (const d of outDirs) writeFitReport(d, an, extras);
  return an;
}
