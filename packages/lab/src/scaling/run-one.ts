/**
 * @file One sweep run: its training config (cosine over exactly its own
 * steps, decay to 10%, short warmup, AdamW β2 = 0.99, decay on matrices,
 * clip 1.0, no sampling), the executor the run queue calls to train or
 * resume it, its result (the runs.csv row, per-window validation losses and
 * the n-gram baselines: nothing that depends on where or how fast it ran),
 * and the curve a report draws.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseTrainConfig, readMetrics, type Progress, type TrainConfig, type Trainer } from "@kiln/train";
import type { PlanRun } from "../queue/plan-dir.js";
import type { Executor } from "../queue/queue.js";
import { trainRun } from "../run/train-run.js";
import type { Rung } from "./ladder.js";
import type { SweepRun } from "./plan.js";
import type { RunRow } from "./results.js";
import type { SweepConfig } from "./sweep-config.js";

/** A planned run as plan.json holds it: the sweep's view of it, its rung's counts, and its full training config. */
export interface SweepRunConfig {
  run: Omit<SweepRun, "predictedSeconds" | "status" | "reason">;
  rung: Rung;
  train: TrainConfig;
}

/** A finished run's result.json. */
export interface SweepResult {
  row: RunRow;
  /** Validation loss of each window behind `row.loss` (for paired standard errors between runs). */
  windowLosses: number[];
  /** Unigram and bigram losses on the validation split, fitted on the training split. */
  baselines: { unigram: number; bigram: number };
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

/** The training config of a planned run; it checkpoints `train.checkpoints` times, evenly spaced. */
export function runTrainConfig(config: SweepConfig, run: Pick<SweepRun, "id" | "steps" | "batchSize" | "warmupSteps" | "lr">, rung: Rung): TrainConfig {
  const base = sweepDataConfig(config, rung);
  const o = config.optim;
  const t = config.train;
  const evalInterval = t.curveEvals > 0 ? Math.max(1, Math.ceil(run.steps / (t.curveEvals + 1))) : run.steps;
  const checkpointInterval = t.checkpoints > 0 && t.checkpoints < run.steps ? Math.ceil(run.steps / t.checkpoints) : 0;
  return parseTrainConfig({
    ...base,
    name: run.id,
    optim: {
      lr: run.lr, minLrRatio: o.minLrRatio, warmupSteps: run.warmupSteps, schedule: "cosine", weightDecay: o.weightDecay,
      beta1: o.beta1, beta2: o.beta2, eps: o.eps, gradClip: o.gradClip, decayEmbeddings: true,
    },
    train: {
      steps: run.steps, batchSize: run.batchSize, gradAccum: 1, seed: t.seed, evalInterval,
      evalBatches: t.evalSequences / run.batchSize, checkpointInterval, logInterval: Math.max(1, Math.round(run.steps / 100)),
    },
  }, run.id);
}

/** Mean of the last `k` logged training losses. */
function tailLoss(rows: { loss?: number }[], k = 5): number {
  const losses = rows.flatMap((r) => (r.loss === undefined ? [] : [r.loss])).slice(-k);
  return losses.reduce((a, b) => a + b, 0) / Math.max(1, losses.length);
}

/** The result of a finished run. */
function resultOf(c: SweepRunConfig, trainer: Trainer, dir: string): SweepResult {
  const { run, rung } = c;
  const v = trainer.lastValidation;
  const row: RunRow = {
    id: run.id, C: run.C, N: rung.N, D: run.D, loss: v?.loss ?? NaN, loss_se: Number((v?.stdErr ?? NaN).toPrecision(4)),
    rung: rung.name, budget_index: run.budgetIndex, N_nonembedding: rung.nonEmbedding, N_with_head: rung.withHead,
    flops_per_token: rung.flopsPerToken, C_6ND: 6 * rung.N * run.D, C_exact: rung.flopsPerToken * run.D,
    hidden: rung.hidden, layers: rung.layers, heads: rung.heads, batch: run.batchSize, steps: run.steps, tokens_per_step: run.tokensPerStep,
    epochs: Number(run.epochs.toFixed(4)), lr: run.lr, warmup: run.warmupSteps, train_loss: tailLoss(readMetrics(join(dir, "metrics.jsonl"))),
    flags: run.flags.join(";"),
  };
  return { row, windowLosses: (v?.windowLosses ?? []).map((x) => Number(x.toPrecision(7))), baselines: { unigram: trainer.unigramBaseline, bigram: trainer.bigramBaseline } };
}

/** The queue's executor for sweep runs; `progressFor` gives each run's live line its destination. */
export function sweepExecutor(progressFor: (run: PlanRun) => Progress): Executor {
  return async (_plan, run, dir, signal) => {
    const c = run.config as SweepRunConfig;
    const trainer = await trainRun(c.train, dir, { progress: progressFor(run), signal });
    return trainer === null ? undefined : resultOf(c, trainer, dir);
  };
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
