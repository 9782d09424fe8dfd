/**
 * @file Runs an ablation: plans it (all configs validated first), measures
 * each variant's throughput to print the expected wall time, then trains
 * every variant × seed in `out/<variant>/seed-<seed>/`, resumably: a run with
 * a `result.json` is never repeated, a run with a checkpoint continues from
 * it. Progress shows the run, its step and the whole ablation's ETA.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { latestCheckpoint, removeCheckpoints } from "@kiln/train";
import { ConfigError } from "@kiln/train";
import { formatLoss, validationLoss, validationSample } from "@kiln/train";
import { readMetrics } from "@kiln/train";
import { Trainer } from "@kiln/train";
import { writeFileAtomic } from "@kiln/train";
import { formatCount, formatDuration, Progress } from "@kiln/train";
import { planAblation, type AblationPlan, type AblationRun, type PlannedVariant } from "./plan.js";
import { buildAblationReport, medianThroughput, type AblationReport, type RunResult } from "./report.js";
import { writeAblationReport } from "./report-md.js";
import type { AblationSpec } from "./spec.js";

/** Where an ablation reports: permanent lines and the live progress line. */
export interface AblateIO {
  log: (line: string) => void;
  progress: Progress;
}

/** Options of {@link runAblation}. */
export interface AblateOptions {
  /** Output directory (default: the spec's `out`). */
  out?: string;
  /** Also write the report here (default: the spec's `report`). */
  report?: string | null;
  /** Training steps timed per variant for the wall-time estimate (default 2; 0 skips the estimate). */
  estimateSteps?: number;
  /** Keep each finished run's checkpoint (default false: keep metrics and results only). */
  keepCheckpoints?: boolean;
  /** Stops after the current training step (checkpointed); re-running resumes. */
  signal?: AbortSignal;
  /** Plan and estimate, then stop. */
  dryRun?: boolean;
  /** Build the report from finished runs; train nothing. */
  reportOnly?: boolean;
  /** The command line that regenerates the report (written into it). */
  command?: string;
}

/** What {@link runAblation} did. */
export interface AblateOutcome {
  status: "completed" | "interrupted" | "planned";
  outDir: string;
  plan: AblationPlan;
  /** Run directories (`variant/seed-N`) trained from scratch, resumed, and skipped as already finished. */
  trained: string[];
  resumed: string[];
  skipped: string[];
  /** Expected wall-clock seconds for the runs still to do, from measured throughput (null without an estimate). */
  estimateSeconds: number | null;
  report: AblationReport | null;
}

/** A stable JSON form (sorted keys), so configs compare by content. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(",")}]`;
  if (x !== null && typeof x === "object") return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(x);
}

/** The first dotted path where two JSON values differ. */
function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d !== null) return d;
    }
  }
  return path || "(root)";
}

/** Whether a run is finished, checkpointed part-way, or not started; a run trained with another config is an error. */
function runState(outDir: string, run: AblationRun): "done" | "partial" | "fresh" {
  const dir = join(outDir, run.dir);
  const check = (file: string, saved: unknown) => {
    const diff = firstDifference(saved, run.config);
    if (diff !== null) throw new ConfigError(`${join(dir, file)}: this run was trained with a different config (${diff} differs); use another --out or delete ${dir}`);
  };
  const resultPath = join(dir, "result.json");
  if (existsSync(resultPath)) {
    check("result.json", (JSON.parse(readFileSync(resultPath, "utf8")) as RunResult).config);
    return "done";
  }
  const latest = latestCheckpoint(dir);
  const trainerPath = latest === null ? null : join(latest, "trainer.json");
  if (trainerPath !== null && existsSync(trainerPath)) {
    check(relative(dir, trainerPath), (JSON.parse(readFileSync(trainerPath, "utf8")) as { config: unknown }).config);
    return "partial";
  }
  return "fresh";
}

/** Measured cost of one run of a variant. */
interface Cost {
  tokPerSec: number;
  seconds: number;
}

const evaluations = (v: PlannedVariant) => Math.ceil(v.steps / v.config.train.evalInterval);

/** Times `steps` training steps (after one warm-up step) and one validation batch of each variant; returns seconds per run. */
async function measure(variants: PlannedVariant[], steps: number, io: AblateIO): Promise<Map<string, Cost>> {
  const costs = new Map<string, Cost>();
  const quiet = { log: () => {}, progress: new Progress({ write: () => true, isTTY: false }) };
  for (const [k, v] of variants.entries()) {
    const warmup = k === 0 ? 2 : 1; // the first variant also warms up the JIT and kernels every later one uses
    io.progress.update(`measuring throughput: ${v.name} (${warmup} + ${steps} steps)…`);
    const dir = mkdtempSync(join(tmpdir(), "kiln-ablate-estimate-"));
    try {
      const t0 = performance.now();
      const trainer = Trainer.create(v.config, dir, quiet);
      const setup = (performance.now() - t0) / 1000;
      for (let i = 0; i < warmup; i++) trainer.trainStep();
      const t1 = performance.now();
      for (let i = 0; i < steps; i++) trainer.trainStep();
      const stepSec = (performance.now() - t1) / 1000 / steps;
      const t2 = performance.now();
      validationLoss(trainer.model, trainer.data.val.tokens, validationSample(trainer.data.val.length, v.config.data.contextLength, v.config.train.batchSize), { batchSize: v.config.train.batchSize });
      const evalSec = (performance.now() - t2) / 1000;
      const seconds = setup + v.steps * stepSec + evaluations(v) * v.config.train.evalBatches * evalSec;
      costs.set(v.name, { tokPerSec: v.tokensPerStep / stepSec, seconds });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  io.progress.done();
  return costs;
}

const flopsText = (f: number) => (f >= 1e12 ? `${(f / 1e12).toFixed(2)}T` : formatCount(f));

/** The plan, one line per variant. */
function describePlan(plan: AblationPlan): string[] {
  const s = plan.spec;
  const w = Math.max(...plan.variants.map((v) => v.name.length));
  const lines = [`ablation ${s.name}: ${plan.variants.length} variants × ${plan.seeds.length} seeds (${plan.seeds.join(", ")}) = ${plan.runs.length} runs, baseline ${s.baseline}, equal ${s.equal}`];
  for (const v of plan.variants) {
    const m = v.matched ? `, intermediate_size ${v.matched.value} (${v.matched.mode} residual ${v.matched.residual})` : "";
    lines.push(`  ${v.name.padEnd(w)} ${v.params.toLocaleString("en-US").padStart(11)} params (${v.nonEmbeddingParams.toLocaleString("en-US")} non-emb.), ${v.steps} steps × ${v.tokensPerStep} = ${formatCount(v.tokens)} tokens, ${flopsText(v.flops)} FLOPs${m}`);
  }
  return lines;
}

/** Runs (or resumes) an ablation and writes its report. */
export async function runAblation(spec: AblationSpec, io: AblateIO, opts: AblateOptions = {}): Promise<AblateOutcome> {
  const plan = planAblation(spec);
  const outDir = opts.out ?? spec.out;
  const reportDir = opts.report === undefined ? spec.report : opts.report;
  const command = opts.command ?? "kiln ablate";
  for (const line of describePlan(plan)) io.log(line);
  for (const w of plan.warnings) io.log(`warning: ${w}`);
  const states = new Map(plan.runs.map((r) => [r.dir, runState(outDir, r)]));
  const outcome: AblateOutcome = { status: "planned", outDir, plan, trained: [], resumed: [], skipped: [], estimateSeconds: null, report: null };
  const finish = (): AblateOutcome => {
    const results = plan.runs.filter((r) => existsSync(join(outDir, r.dir, "result.json"))).map((r) => JSON.parse(readFileSync(join(outDir, r.dir, "result.json"), "utf8")) as RunResult);
    if (results.length === 0) throw new Error(`${outDir}: no finished runs to report on`);
    outcome.report = buildAblationReport(plan, results);
    for (const dir of [outDir, ...(reportDir ? [reportDir] : [])]) writeAblationReport(dir, outcome.report, command);
    io.log(`report: ${join(reportDir ?? outDir, "report.md")}`);
    return outcome;
  };
  if (opts.reportOnly) return finish();

  const pending = plan.runs.filter((r) => states.get(r.dir) !== "done");
  outcome.skipped = plan.runs.filter((r) => states.get(r.dir) === "done").map((r) => r.dir);
  const done = outcome.skipped.length;
  if (done > 0) io.log(`${outDir}: ${done} of ${plan.runs.length} runs already finished (kept, not repeated)`);
  const costs = new Map<string, Cost>();
  const estimateSteps = opts.estimateSteps ?? 2;
  if (estimateSteps > 0 && pending.length > 0) {
    const need = plan.variants.filter((v) => pending.some((r) => r.variant === v.name));
    for (const [k, c] of await measure(need, estimateSteps, io)) costs.set(k, c);
    const w = Math.max(...need.map((v) => v.name.length));
    for (const v of need) io.log(`  ${v.name.padEnd(w)} ${formatCount(costs.get(v.name)!.tokPerSec)} tok/s → ${formatDuration(costs.get(v.name)!.seconds)} per run`);
    outcome.estimateSeconds = pending.reduce((s, r) => s + costs.get(r.variant)!.seconds, 0);
    io.log(`expected wall time: ${formatDuration(outcome.estimateSeconds)} for ${pending.length} runs (throughput measured over ${estimateSteps} steps per variant after warm-up; evaluation included)`);
  }
  if (opts.dryRun) return outcome;

  const observed = new Map<string, number[]>();
  const secondsPerRun = (variant: string) => {
    const seen = observed.get(variant);
    return seen && seen.length > 0 ? seen.reduce((a, b) => a + b) / seen.length : costs.get(variant)?.seconds ?? NaN;
  };
  let current: { trainer: Trainer; variant: string } | null = null;
  const onAbort = () => current?.trainer.requestStop();
  opts.signal?.addEventListener("abort", onAbort);
  try {
    for (const [i, run] of pending.entries()) {
      if (opts.signal?.aborted) return { ...outcome, status: "interrupted" };
      const dir = join(outDir, run.dir);
      const state = states.get(run.dir)!;
      if (state === "fresh") rmSync(dir, { recursive: true, force: true }); // leftovers from a crash before the first checkpoint
      mkdirSync(dir, { recursive: true });
      const remaining = () => {
        const rest = pending.slice(i + 1).reduce((s, r) => s + secondsPerRun(r.variant), 0);
        const t = current?.trainer;
        return rest + (t ? (1 - t.step / t.config.train.steps) * secondsPerRun(run.variant) : 0);
      };
      const label = () => `[${done + i + 1}/${plan.runs.length} ${run.variant} seed ${run.seed} | ablation ETA ${formatDuration(remaining())}]`;
      const progress = new PrefixedProgress(io.progress, label);
      const runIO = { log: (line: string) => appendFileSync(join(dir, "train.log"), `${line}\n`), progress };
      const trainer = state === "partial" ? Trainer.resume(dir, runIO) : Trainer.create(run.config, dir, runIO);
      current = { trainer, variant: run.variant };
      io.log(`${label()} ${state === "partial" ? `resuming at step ${trainer.step}` : "starting"}`);
      const r = await trainer.run().catch((e: Error) => {
        e.message = `${run.dir}: ${e.message}`; // a diverged variant stops the ablation, naming the run
        throw e;
      });
      current = null;
      if (r.status === "interrupted") {
        io.log(`interrupted: ${run.dir} checkpointed at step ${r.step}; re-run the same command to resume`);
        return { ...outcome, status: "interrupted" };
      }
      const result = resultOf(run, trainer, dir);
      writeFileAtomic(join(dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
      if (!opts.keepCheckpoints) removeCheckpoints(dir);
      (state === "partial" ? outcome.resumed : outcome.trained).push(run.dir);
      observed.set(run.variant, [...(observed.get(run.variant) ?? []), r.elapsed]);
      io.log(`  done: ${run.dir} val loss ${formatLoss({ loss: result.finalValLoss, stdErr: result.valStdErr ?? NaN })}, ${formatCount(result.tokensPerSec)} tok/s, ${formatDuration(r.elapsed)}`);
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  outcome.status = "completed";
  return finish();
}

/** The `result.json` of a finished run. */
function resultOf(run: AblationRun, trainer: Trainer, dir: string): RunResult {
  const rows = readMetrics(join(dir, "metrics.jsonl"));
  const curve = rows.filter((r) => r.valLoss !== undefined).map((r) => ({ step: r.step, tokens: r.tokens, valLoss: r.valLoss! }));
  const m = trainer.model;
  return {
    variant: run.variant, seed: run.seed, config: run.config, finalValLoss: trainer.lastValLoss!,
    params: m.numParameters(), nonEmbeddingParams: m.numParameters({ excludeEmbeddings: true }), flopsPerToken: m.flopsPerToken(run.config.data.contextLength),
    steps: trainer.step, tokens: trainer.tokensSeen, tokensPerSec: medianThroughput(rows.map((r) => r.tokPerSec)), elapsed: trainer.elapsed, curve,
    ...(trainer.lastValidation ? { valStdErr: trainer.lastValidation.stdErr, validation: trainer.lastValidation.definition } : {}),
    baselines: { unigram: trainer.unigramBaseline, bigram: trainer.bigramBaseline },
  };
}

/** A progress line with a prefix (the run and the ablation's ETA); plain output keeps its own pace. */
class PrefixedProgress extends Progress {
  constructor(private readonly inner: Progress, private readonly prefix: () => string) {
    super({ write: () => true });
  }

  override update(line: string): void {
    this.inner.update(`${this.prefix()} ${line}`);
  }

  override log(line: string): void {
    this.inner.log(line);
  }

  override done(): void {
    this.inner.done();
  }
}
