/**
 * @file A sweep worker process (started by pool.ts under tsx's loader): it
 * prepares the sweep's data once, then probes rungs and trains runs on
 * request, answering over the IPC channel. Ctrl-C is left to the parent,
 * which sends "stop" so the active run checkpoints before the worker exits.
 */
import { prepareData, type RunData } from "@kiln/train";
import type { Trainer } from "@kiln/train";
import { LineProgress, runDir } from "./executor.js";
import type { Rung } from "./ladder.js";
import type { SweepRun } from "./plan.js";
import { executeRun, probeRung, sweepDataConfig, type RunOutcome } from "./run-one.js";
import type { SweepConfig } from "./sweep-config.js";

/** Messages from the parent. */
export type ToWorker =
  | { type: "init"; config: SweepConfig; sweepDir: string }
  | { type: "probe"; rungs: Rung[] }
  | { type: "run"; run: SweepRun; rung: Rung; tokPerSec: number }
  | { type: "stop" }
  | { type: "exit" };

/** Messages to the parent. */
export type FromWorker =
  | { type: "ready" }
  | { type: "probed"; tps: Record<string, number> }
  | { type: "line"; id: string; line: string }
  | { type: "done"; outcome: RunOutcome }
  | { type: "error"; message: string };

let config: SweepConfig | null = null;
let sweepDir = "";
let data: RunData | null = null;
let active: Trainer | null = null;
let stopped = false;

const send = (m: FromWorker) => process.send?.(m);

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case "init":
      config = m.config;
      sweepDir = m.sweepDir;
      data = prepareData(sweepDataConfig(config));
      send({ type: "ready" });
      return;
    case "probe":
      send({ type: "probed", tps: Object.fromEntries(m.rungs.map((r) => [r.name, probeRung(config!, r, data!, config!.train.batchSize)])) });
      return;
    case "run": {
      let last = 0;
      const outcome = await executeRun(config!, m.run, m.rung, runDir(sweepDir, m.run.id), data!, {
        tokPerSec: m.tokPerSec,
        progress: new LineProgress((line) => {
          const now = performance.now();
          if (now - last < 1000) return;
          last = now;
          send({ type: "line", id: m.run.id, line });
        }),
        onTrainer: (t) => {
          active = t;
          if (stopped) t.requestStop();
        },
      });
      active = null;
      send({ type: "done", outcome });
      return;
    }
    case "stop":
      stopped = true;
      active?.requestStop();
      return;
    case "exit":
      process.exit(0);
  }
}

process.on("SIGINT", () => {}); // the parent decides (it sends "stop")
process.on("disconnect", () => process.exit(0));
process.on("message", (m: ToWorker) => {
  handle(m).catch((e: Error) => send({ type: "error", message: e.message }));
});
