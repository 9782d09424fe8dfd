/**
 * @file The sweep runner: prepare the data, count the ladder, measure
 * throughput (and whether parallel processes help), plan the budgets to fit
 * the time budget and say how long it will take, then train every run not
 * yet in runs.csv — one line per run with "k of n" and an ETA — and finally
 * fit and write the report. An interrupted sweep resumes where it stopped.
 */
import { existsSync, mkdirSync } from "node:fs";
import { writeFileAtomic } from "@kiln/train";
import { join, resolve } from "node:path";
import { formatLoss } from "@kiln/train";
import { prepareData } from "@kiln/train";
import { formatCount, formatDuration, type Progress } from "@kiln/train";
import type { AnalysisOptions, ScalingAnalysis } from "../fit/index.js";
import { InProcessExecutor, runDir, type Executor } from "./executor.js";
import { buildLadder, conventionLines } from "./ladder.js";
import { budgetLabel, type SweepRun } from "./plan.js";
import { chooseExecutor, measureAndPlan } from "./measure.js";
import { ProcessPoolExecutor, WorkerLostError } from "./pool.js";
import { appendRun, readRuns } from "./results.js";
import { sweepDataConfig } from "./run-one.js";
import { loadPlan, PLAN_FORMAT, recordSession, savePlan, type StoredPlan } from "./state.js";
import type { SweepConfig } from "./sweep-config.js";
import { writeSweepReport } from "./sweep-report.js";

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** The sweep directory (runs, runs.csv, plan.json, report). */
  out: string;
  /** Training processes (overrides the config; 0 = decide by probing). */
  jobs?: number;
  /** SweepPlan, print the expected time, and stop. */
  dryRun?: boolean;
  /** Also write the report (and runs.csv, plan.json) here, e.g. benchmarks/results/scaling/full. */
  reportDir?: string;
  /** Options of the final fit (default: Chinchilla's grid, 400 bootstrap resamples). */
  analysis?: AnalysisOptions;
  log: (line: string) => void;
  progress: Progress;
}

/** A running sweep's handle: `stop()` is what Ctrl-C calls. */
export interface SweepHandle {
  stop(): void;
  done: Promise<{ status: "completed" | "interrupted" | "planned"; plan: StoredPlan; analysis: ScalingAnalysis | null }>;
}

/** Starts (or resumes) the sweep `config` in `opts.out`. */
export function runSweep(config: SweepConfig, opts: SweepOptions): SweepHandle {
  let stopRequested = false;
  let executor: Executor | null = null;
  const stop = () => {
    stopRequested = true;
    executor?.stop();
  };
  const done = (async () => {
    const t0 = performance.now();
    const { log, progress } = opts;
    const out = resolve(opts.out);
    mkdirSync(out, { recursive: true });
    const data = prepareData(sweepDataConfig(config), log);
    const ladder = buildLadder(config);
    log(`sweep "${config.name}" → ${out}`);
    log(`data: ${data.corpus.name}, ${formatCount(data.train.length)} train / ${formatCount(data.val.length)} val tokens, vocab ${data.tokenizer.vocabSize}`);
    for (const l of conventionLines(config)) log(`  ${l}`);
    log(`ladder: ${ladder.map((r) => `${r.name} N=${formatCount(r.N)} (non-emb ${formatCount(r.nonEmbedding)})`).join(", ")}`);
    let plan = loadPlan(out, config);
    const jobs = opts.jobs ?? config.jobs;
    if (plan === null) {
      const chosen = await chooseExecutor(config, out, data, ladder, jobs, log);
      executor = chosen.executor;
      log(`probing throughput on ${executor.jobs} process${executor.jobs > 1 ? "es" : ""} (the sizes the plan needs)...`);
      const { plan: p, throughput, measured } = await measureAndPlan(executor, config, ladder, data.train.length, log);
      plan = { format: PLAN_FORMAT, createdAt: new Date().toISOString(), config, jobs: executor.jobs, jobsReason: chosen.reason, throughput, measured, trainTokens: data.train.length, valTokens: data.val.length, baselines: { unigram: data.baseline.unigramHeldOut!, bigram: data.baseline.bigramHeldOut! }, ...p };
      if (!opts.dryRun) savePlan(out, plan); // a dry run leaves no plan behind: the real start measures again
    } else {
      const resumeJobs = opts.jobs !== undefined && opts.jobs > 0 ? opts.jobs : plan.jobs;
      log(`resuming the plan made ${plan.createdAt} on ${resumeJobs} process${resumeJobs > 1 ? "es" : ""}`);
      executor = resumeJobs > 1 ? await ProcessPoolExecutor.start(config, out, resumeJobs) : new InProcessExecutor(config, out, data);
    }
    if (stopRequested) executor.stop();
    const trained = plan.runs.filter((r) => r.status === "run");
    log(`plan: ${plan.budgets.length} budgets (${plan.budgets.map(budgetLabel).join(", ")}), ${trained.length} runs, ${plan.runs.length - trained.length} skipped, ${trained.filter((r) => r.flags.length).length} flagged; expected wall time ${formatDuration(plan.predictedSeconds)} (time budget ${formatDuration(config.timeBudget)})`);
    if (config.budgets.values.length === 0) log(`note: the budgets were sized to the time budget at this machine's measured speed, so another machine (or this one under other load) plans other runs; list budgets.values to fix them`);
    else if (plan.predictedSeconds > config.timeBudget) log(`note: at the measured speed these budgets take longer than the time budget`);
    if (config.budgets.values.length === 0 && plan.predictedSeconds > config.timeBudget) log(`note: even the smallest budget series takes longer than the time budget at the measured speed`);
    for (const r of plan.runs) log(`  ${r.id}: ${r.status === "skipped" ? `skipped — ${r.reason}` : `D ${formatCount(r.D)} = ${r.steps} steps × ${r.tokensPerStep} tok, ${r.epochs.toFixed(2)} epochs, ~${formatDuration(r.predictedSeconds)}${r.flags.length ? ` [${r.flags.join(", ")}]` : ""}`}`);
    if (opts.dryRun) {
      await executor.close();
      return { status: "planned" as const, plan, analysis: null };
    }
    const csv = join(out, "runs.csv");
    const finished = new Set(readRuns(csv).map((r) => r.id));
    const failed = new Set(trained.filter((r) => existsSync(join(runDir(out, r.id), "failed.txt"))).map((r) => r.id));
    const pending = trained.filter((r) => !finished.has(r.id) && !failed.has(r.id));
    if (finished.size) log(`${finished.size} of ${trained.length} runs already finished; ${pending.length} to go`);
    if (failed.size) log(`${failed.size} runs failed before and are not retried (delete their failed.txt to retry): ${[...failed].join(", ")}`);
    if (executor.jobs > 1) pending.sort((a, b) => b.predictedSeconds - a.predictedSeconds); // longest first balances the processes
    const rungs = new Map(ladder.map((r) => [r.name, r]));
    const index = new Map<string, number>(); // run k of n, in the order runs start
    let started = finished.size + failed.size;
    let predictedDone = 0;
    let actualDone = 0;
    let completedNow = 0;
    let failedNow = 0;
    const active = new Map<string, { run: SweepRun; start: number; line: string }>();
    const eta = () => {
      const factor = predictedDone > 0 ? actualDone / predictedDone : 1;
      const now = performance.now();
      let left = pending.reduce((s, r) => s + r.predictedSeconds, 0);
      for (const a of active.values()) left += Math.max(0, a.run.predictedSeconds - (now - a.start) / 1000 / factor);
      return formatDuration((left * factor) / executor!.jobs);
    };
    const status = () => {
      const parts = [...active.values()].map((a) => `[${index.get(a.run.id)}/${trained.length} ${a.run.id}] ${a.line}`);
      progress.update(`${parts.join(" ‖ ")} | ${finished.size}/${trained.length} done, sweep ETA ${eta()}`);
    };
    /** Trains one run; false when its worker is gone (the lane stops). */
    const startOne = async (run: SweepRun): Promise<boolean> => {
      const rung = rungs.get(run.rung)!;
      index.set(run.id, ++started);
      active.set(run.id, { run, start: performance.now(), line: "starting" });
      progress.done();
      log(`[${index.get(run.id)}/${trained.length}] ${run.id}: N ${formatCount(run.N)}, D ${formatCount(run.D)} (${run.steps} steps × ${run.tokensPerStep} tok, ${run.epochs.toFixed(2)} epochs), lr ${run.lr}, predicted ${formatDuration(run.predictedSeconds)}`);
      try {
        const outcome = await executor!.run(run, rung, plan!.throughput[run.rung] ?? 1, (line) => {
          const a = active.get(run.id);
          if (a) a.line = line.replace(/ ▕.*?▏/, "");
          status();
        });
        const a = active.get(run.id)!;
        active.delete(run.id);
        if (outcome.status !== "completed" || outcome.row === null) return true;
        appendRun(csv, outcome.row);
        finished.add(run.id);
        completedNow++;
        predictedDone += run.predictedSeconds;
        actualDone += (performance.now() - a.start) / 1000;
        progress.done();
        log(`[${index.get(run.id)}/${trained.length}] ${run.id} done: val loss ${formatLoss({ loss: outcome.row.loss, stdErr: outcome.row.loss_se })} in ${formatDuration((performance.now() - a.start) / 1000)} (predicted ${formatDuration(run.predictedSeconds)}); ${finished.size}/${trained.length} done, sweep ETA ${eta()}`);
      } catch (e) {
        active.delete(run.id);
        if (e instanceof WorkerLostError) {
          progress.done();
          log(`[${index.get(run.id)}/${trained.length}] ${run.id}: ${e.message}; this process lane stops (the run resumes next time)`);
          return false;
        }
        mkdirSync(runDir(out, run.id), { recursive: true });
        writeFileAtomic(join(runDir(out, run.id), "failed.txt"), `${(e as Error).message}\n`);
        failedNow++;
        progress.done();
        log(`[${index.get(run.id)}/${trained.length}] ${run.id} FAILED: ${(e as Error).message}`);
      }
      return true;
    };
    const lanes = Array.from({ length: executor.jobs }, async () => {
      while (!stopRequested) {
        const next = pending.shift();
        if (next === undefined || !(await startOne(next))) return;
      }
    });
    let outcome: "completed" | "interrupted" = "completed";
    try {
      await Promise.all(lanes);
      if (finished.size < trained.length - failed.size - failedNow) outcome = "interrupted";
    } finally {
      await executor.close();
      recordSession(out, { start: new Date(Date.now() - (performance.now() - t0)).toISOString(), seconds: (performance.now() - t0) / 1000, runs: completedNow, status: outcome });
    }
    progress.done();
    if (outcome === "interrupted") {
      log(`interrupted: ${finished.size}/${trained.length} runs finished; the active runs saved checkpoints. Resume with the same command (--out ${opts.out}).`);
      return { status: outcome, plan, analysis: null };
    }
    const outDirs = [out, ...(opts.reportDir ? [resolve(opts.reportDir)] : [])];
    log(`all ${finished.size} runs finished; fitting...`);
    const analysis = writeSweepReport(out, plan, outDirs, opts.analysis);
    for (const v of analysis.verdicts) log(`  ${v.status.padEnd(12)} ${v.title}: ${v.detail}`);
    log(`report: ${outDirs.map((d) => join(d, "report.md")).join(", ")}`);
    return { status: outcome, plan, analysis };
  })();
  return { stop, done };
}
