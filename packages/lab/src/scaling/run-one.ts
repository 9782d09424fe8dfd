/**
 * @file One sweep run through the Trainer: its training config (cosine over
 * exactly its own steps, decay to 10%, short warmup, AdamW β2 = 0.99, decay
 * on matrices, clip 1.0, no sampling), resume from a mid-run checkpoint,
 * its runs.csv row and curve; and the throughput probe of a ladder rung.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTrainConfig, type TrainConfig } from "@kiln/train";
import { latestCheckpoint, removeCheckpoints } from "@kiln/train";
import { readMetrics } from "@kiln/train";
import type { RunData } from "@kiln/train";
import { Trainer, type TrainerIO } from "@kiln/train";
import { writeFileAtomic } from "@kiln/train";
import { Progress } from "@kiln/train";
import type { Rung } from "./ladder.js";
import type { SweepRun } from "./plan.js";
import type { RunRow } from "./results.js";
import type { SweepConfig } from "./sweep-config.js";

/** What a run leaves behind. */
export interface RunOutcome {
  id: string;
  status: "completed" | "interrupted";
  /** The runs.csv row (null when interrupted). */
  row: RunRow | null;
}

/** The data section every run of a sweep shares (so they share the tokenizer and token cache). */
export function sweepDataConfig(config: SweepConfig, rung?: Rung): TrainConfig {
  const r = rung ?? config.ladder[0]!;
  return parseTrainConfig({
    name: config.name,
    model: { hidden_size: r.hidden, num_hidden_layers: r.layers, num_attention_heads: r.heads, tie_word_embeddings: true },
    data: { corpus: config.data.corpus, tokenizer: "bpe", vocabSize: config.data.vocabSize, contextLength: config.data.contextLength, cacheDir: config.data.cacheDir },
    sample: { prompts: [] },
  }, `sweep ${config.name}`);
}

/** The training config of a planned run. */
export function runTrainConfig(config: SweepConfig, run: SweepRun, rung: Rung, checkpointInterval = 0): TrainConfig {
  const base = sweepDataConfig(config, rung);
  const o = config.optim;
  const evalInterval = config.train.curveEvals > 0 ? Math.max(1, Math.ceil(run.steps / (config.train.curveEvals + 1))) : run.steps;
  return parseTrainConfig({
    ...base,
    name: run.id,
    optim: {
      lr: run.lr, minLrRatio: o.minLrRatio, warmupSteps: run.warmupSteps, schedule: "cosine", weightDecay: o.weightDecay,
      beta1: o.beta1, beta2: o.beta2, eps: o.eps, gradClip: o.gradClip, decayEmbeddings: true,
    },
    train: {
      steps: run.steps, batchSize: run.batchSize, gradAccum: 1, seed: config.train.seed, evalInterval,
      evalBatches: config.train.evalSequences / run.batchSize, checkpointInterval, logInterval: Math.max(1, Math.round(run.steps / 100)),
    },
  }, run.id);
}

/** Trainer I/O that appends log lines to a file and sends the live line to `progress`. */
function fileIO(logPath: string, progress: Progress): TrainerIO {
  return { log: (line) => appendFileSync(logPath, `${line}\n`), progress };
}

/** Mean of the last `k` logged training losses. */
function tailLoss(rows: { loss?: number }[], k = 5): number {
  const losses = rows.flatMap((r) => (r.loss === undefined ? [] : [r.loss])).slice(-k);
  return losses.reduce((a, b) => a + b, 0) / Math.max(1, losses.length);
}

/**
 * Trains (or resumes) one run in `dir`. `onTrainer` receives the live Trainer
 * (so Ctrl-C can ask it to stop). The checkpoint is removed once the run is done.
 */
export async function executeRun(
  config: SweepConfig, run: SweepRun, rung: Rung, dir: string, data: RunData,
  opts: { progress: Progress; tokPerSec: number; onTrainer?: (t: Trainer) => void },
): Promise<RunOutcome> {
  const secondsPerStep = run.tokensPerStep / Math.max(1, opts.tokPerSec);
  const interval = config.train.checkpointSeconds > 0 ? Math.round(config.train.checkpointSeconds / secondsPerStep) : 0;
  const trainConfig = runTrainConfig(config, run, rung, interval > 0 && interval < run.steps ? interval : 0);
  const io = fileIO(join(dir, "log.txt"), opts.progress);
  const resumable = latestCheckpoint(dir) !== null;
  if (!resumable) rmSync(join(dir, "metrics.jsonl"), { force: true });
  const trainer = resumable ? Trainer.resume(dir, io, data) : Trainer.create(trainConfig, dir, io, data);
  const sameRecipe = (c: TrainConfig) => JSON.stringify({ ...c, train: { ...c.train, checkpointInterval: 0 } });
  if (sameRecipe(trainer.config) !== sameRecipe(trainConfig)) {
    throw new Error(`${dir}: the checkpoint was made with a different config than the plan's; delete the directory to rerun ${run.id}`);
  }
  opts.onTrainer?.(trainer);
  const start = performance.now();
  const result = await trainer.run();
  if (result.status === "interrupted") return { id: run.id, status: "interrupted", row: null };
  const metrics = readMetrics(join(dir, "metrics.jsonl"));
  const wall = result.elapsed;
  const row: RunRow = {
    id: run.id, C: run.C, N: rung.N, D: run.D, loss: result.finalValLoss ?? NaN, loss_se: Number((result.finalValidation?.stdErr ?? NaN).toPrecision(4)),
    rung: rung.name, budget_index: run.budgetIndex, N_nonembedding: rung.nonEmbedding, N_with_head: rung.withHead,
    flops_per_token: rung.flopsPerToken, C_6ND: 6 * rung.N * run.D, C_exact: rung.flopsPerToken * run.D,
    hidden: rung.hidden, layers: rung.layers, heads: rung.heads, batch: run.batchSize, steps: run.steps, tokens_per_step: run.tokensPerStep,
    epochs: Number(run.epochs.toFixed(4)), lr: run.lr, warmup: run.warmupSteps, train_loss: tailLoss(metrics),
    wall_s: Number(wall.toFixed(2)), tok_per_s: Math.round(run.D / Math.max(1e-9, wall)), flags: run.flags.join(";"),
  };
  if (result.finalValidation) writeFileAtomic(join(dir, "val-windows.json"), `${JSON.stringify(result.finalValidation.windowLosses.map((x) => Number(x.toPrecision(7))))}\n`);
  writeFileAtomic(join(dir, "result.json"), `${JSON.stringify({ ...row, sessionSeconds: (performance.now() - start) / 1000 }, null, 2)}\n`);
  removeCheckpoints(dir);
  return { id: run.id, status: "completed", row };
}

/** The per-window validation losses of a finished run (null when it has none, e.g. runs from before they were kept). */
export function runWindowLosses(dir: string): number[] | null {
  const path = join(dir, "val-windows.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as number[]) : null;
}

/** (tokens, training loss) and (tokens, validation loss) points of a finished run's metrics.jsonl. */
export function runCurve(dir: string): { train: [number, number][]; val: [number, number][] } {
  const path = join(dir, "metrics.jsonl");
  if (!existsSync(path)) return { train: [], val: [] };
  const rows = readMetrics(path);
  return {
    train: rows.flatMap((r) => (r.loss === undefined ? [] : [[r.tokens, r.loss] as [number, number]])),
    val: rows.flatMap((r) => (r.valLoss === undefined ? [] : [[r.tokens, r.valLoss] as [number, number]])),
  };
}

/**
 * Training tokens per second of a rung at `batchSize`: one warm-up step, then
 * up to `probe.steps` timed steps (stopping after `probe.seconds`); the median
 * step time is used, so a burst of load from elsewhere does not skew it.
 */
export function probeRung(config: SweepConfig, rung: Rung, data: RunData, batchSize: number): number {
  const dir = mkdtempSync(join(tmpdir(), "kiln-probe-"));
  try {
    const probeRun = { id: `probe-${rung.name}`, steps: 1000, batchSize, warmupSteps: 10, lr: rung.lr } as SweepRun;
    const quiet = new Progress({ write: () => true, isTTY: false });
    const trainer = Trainer.create(runTrainConfig(config, probeRun, rung), dir, { log: () => {}, progress: quiet }, data);
    trainer.trainStep();
    const times: number[] = [];
    const t0 = performance.now();
    while (times.length < config.probe.steps && (performance.now() - t0) / 1000 < config.probe.seconds) {
      const t = performance.now();
      trainer.trainStep();
      times.push((performance.now() - t) / 1000);
    }
    times.sort((a, b) => a - b);
    const median = times.length % 2 ? times[(times.length - 1) / 2]! : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2;
    return trainer.tokensPerStep / median;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
