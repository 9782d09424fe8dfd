/**
 * @file The one executor core every study shares: train or resume the run
 * in a directory from its planned config with the Trainer — refusing a
 * checkpoint made from another config, naming the field — stop cleanly when
 * asked (checkpointed, to resume later), and record how long it took in
 * `timing.json`. Runs in one process that share a data section share its
 * prepared data.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError, latestCheckpoint, prepareData, readMetrics, removeCheckpoints, Trainer, type Progress, type RunData, type TrainConfig } from "@kiln/train";
import { quantile } from "../fit/stats.js";
import { writeTiming } from "../queue/plan-dir.js";
import { canonicalJson, firstDifference } from "../queue/same-config.js";

/** Options of {@link trainRun}. */
export interface TrainRunOptions {
  /** Where the trainer's live line goes. */
  progress: Progress;
  /** Aborted: the trainer checkpoints after its current step and the run resolves to null. */
  signal: AbortSignal;
  /** Keep the finished run's checkpoints (default: remove them, keeping metrics and results). */
  keepCheckpoints?: boolean;
}

let cached: { key: string; data: RunData } | null = null;

/** The prepared data of `config`'s data section, reused while consecutive runs share it. */
export function dataFor(config: TrainConfig, log: (line: string) => void = () => {}): RunData {
  const key = canonicalJson(config.data);
  if (cached?.key !== key) cached = { key, data: prepareData(config, log) };
  return cached.data;
}

/** The config a run directory's newest checkpoint was trained with, or null without a checkpoint. */
function checkpointConfig(dir: string): unknown {
  const latest = latestCheckpoint(dir);
  const path = latest === null ? null : join(latest, "trainer.json");
  return path !== null && existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { config: unknown }).config : null;
}

/**
 * Trains (or resumes) `config` in `dir`; resolves to the finished Trainer, or
 * to null when stopped (checkpointed: calling again resumes). Log lines go to
 * `dir/log.txt`, the live line to `opts.progress`.
 */
export async function trainRun(config: TrainConfig, dir: string, opts: TrainRunOptions): Promise<Trainer | null> {
  mkdirSync(dir, { recursive: true });
  const io = { log: (line: string) => appendFileSync(join(dir, "log.txt"), `${line}\n`), progress: opts.progress };
  const saved = checkpointConfig(dir);
  if (saved !== null) {
    const diff = firstDifference(saved, config);
    if (diff !== null) throw new ConfigError(`${dir}: this run was trained with a different config (${diff} differs from the plan's); delete ${dir} to rerun it`);
  }
  const data = dataFor(config, io.log);
  // Without a checkpoint, whatever is there was left by a crash before the first one: start over.
  const trainer = saved !== null ? Trainer.resume(dir, io, data) : Trainer.create(config, dir, io, data, { overwrite: true });
  const stop = () => trainer.requestStop();
  opts.signal.addEventListener("abort", stop);
  if (opts.signal.aborted) stop();
  try {
    const result = await trainer.run();
    if (result.status === "interrupted") return null;
  } finally {
    opts.signal.removeEventListener("abort", stop);
  }
  const tokPerSec = readMetrics(join(dir, "metrics.jsonl")).flatMap((r) => (r.tokPerSec !== undefined && r.tokPerSec > 0 ? [r.tokPerSec] : []));
  writeTiming(dir, { seconds: trainer.elapsed, tokensPerSec: quantile(tokPerSec, 0.5), host: hostname(), finishedAt: new Date().toISOString() });
  if (!opts.keepCheckpoints) removeCheckpoints(dir);
  return trainer;
}
