/**
 * @file The one throughput probe: time a few training steps of a config
 * after a warm-up step and take the median step, so a burst of load from
 * elsewhere does not skew it; and the wall time a run is predicted to take
 * at a measured speed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Progress, Trainer, type RunData, type TrainConfig } from "@kiln/train";
import { quantile } from "../fit/stats.js";

/** How long a probe may take: timed steps (after one warm-up step), and a cap in seconds. */
export interface ProbeLimits {
  steps: number;
  seconds: number;
}

/** Training tokens per second of `config` on `data`: the median of up to `limits.steps` timed steps after one warm-up step. */
export function probeThroughput(config: TrainConfig, data: RunData, limits: ProbeLimits): number {
  const dir = mkdtempSync(join(tmpdir(), "kiln-probe-"));
  try {
    const trainer = Trainer.create(config, dir, { log: () => {}, progress: new Progress({ write: () => true, isTTY: false }) }, data);
    trainer.trainStep();
    const times: number[] = [];
    const t0 = performance.now();
    while (times.length < Math.max(1, limits.steps) && (times.length === 0 || (performance.now() - t0) / 1000 < limits.seconds)) {
      const t = performance.now();
      trainer.trainStep();
      times.push((performance.now() - t) / 1000);
    }
    return trainer.tokensPerStep / quantile(times, 0.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Predicted wall seconds of a run: its training tokens plus its evaluation tokens (forward only, about a third of a training step's cost) at `tokPerSec`, plus set-up. */
export function predictRunSeconds(trainTokens: number, evalTokens: number, tokPerSec: number): number {
  return (trainTokens + evalTokens / 3) / tokPerSec + 0.5;
}
