/**
 * @file Where sweep runs execute: in this process (one at a time) or in a
 * pool of child processes (see pool.ts). Both probe throughput and train
 * runs through the same functions, and forward each run's live progress line.
 */
import { join } from "node:path";
import type { RunData } from "@kiln/train";
import type { Trainer } from "@kiln/train";
import { Progress } from "@kiln/train";
import type { Rung } from "./ladder.js";
import type { SweepRun, Throughput } from "./plan.js";
import { executeRun, probeRung, type RunOutcome } from "./run-one.js";
import type { SweepConfig } from "./sweep-config.js";

/** Runs sweep work somewhere. */
export interface Executor {
  /** Runs that can be in flight at once. */
  readonly jobs: number;
  /** Measured tokens/second per rung (at the sweep's full batch size), with this many jobs busy at once. */
  probe(rungs: readonly Rung[]): Promise<Throughput>;
  /** Trains one run in `<sweepDir>/runs/<id>`; `onLine` gets its live progress line. */
  run(run: SweepRun, rung: Rung, tokPerSec: number, onLine: (line: string) => void): Promise<RunOutcome>;
  /** Asks every active run to checkpoint and stop. */
  stop(): void;
  close(): Promise<void>;
}

/** A Progress that hands each live line to a callback instead of printing. */
export class LineProgress extends Progress {
  constructor(private readonly onLine: (line: string) => void) {
    super({ write: () => true, isTTY: false });
  }

  override update(line: string): void {
    this.onLine(line);
  }

  override log(): void {}

  override done(): void {}
}

/** The directory of a run. */
export const runDir = (sweepDir: string, id: string) => join(sweepDir, "runs", id);

/** Everything in this process, one run at a time. */
export class InProcessExecutor implements Executor {
  readonly jobs = 1;
  private active: Trainer | null = null;
  private stopped = false;

  constructor(
    private readonly config: SweepConfig,
    private readonly sweepDir: string,
    private readonly data: RunData,
  ) {}

  async probe(rungs: readonly Rung[]): Promise<Throughput> {
    return Object.fromEntries(rungs.map((r) => [r.name, probeRung(this.config, r, this.data, this.config.train.batchSize)]));
  }

  async run(run: SweepRun, rung: Rung, tokPerSec: number, onLine: (line: string) => void): Promise<RunOutcome> {
    try {
      return await executeRun(this.config, run, rung, runDir(this.sweepDir, run.id), this.data, {
        progress: new LineProgress(onLine),
        tokPerSec,
        onTrainer: (t) => {
          this.active = t;
          if (this.stopped) t.requestStop();
        },
      });
    } finally {
      this.active = null;
    }
  }

  stop(): void {
    this.stopped = true;
    this.active?.requestStop();
  }

  async close(): Promise<void> {}
}
