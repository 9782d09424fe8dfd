/**
 * @file Parallel sweep runs in child processes. Each worker is `worker.ts`
 * (under tsx's loader in the repository, compiled in a package), prepares the data once, and takes
 * one run at a time over IPC. Probing runs every worker at once, so the
 * measured speed is the speed under that much contention.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Executor } from "./executor.js";
import type { Rung } from "./ladder.js";
import type { SweepRun, Throughput } from "./plan.js";
import type { RunOutcome } from "./run-one.js";
import type { SweepConfig } from "./sweep-config.js";
import type { FromWorker, ToWorker } from "./worker.js";

/** A worker process died; the run it had is not finished and resumes next time. */
export class WorkerLostError extends Error {
  override name = "WorkerLostError";
}

interface Slot {
  child: ChildProcess;
  /** The pending request's resolver, by message type. */
  waiting: { type: FromWorker["type"]; resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null;
  onLine: ((line: string) => void) | null;
  busy: boolean;
}

/**
 * How a child process runs `worker`: compiled JavaScript (an installed package)
 * directly, TypeScript source (this repository) under tsx's loader (`--import <tsx>`).
 */
function workerEntry(): { path: string; execArgv: string[] } {
  if (import.meta.url.endsWith(".js")) return { path: fileURLToPath(new URL("./worker.js", import.meta.url)), execArgv: [] };
  const require = createRequire(import.meta.url);
  return { path: fileURLToPath(new URL("./worker.ts", import.meta.url)), execArgv: ["--import", pathToFileURL(require.resolve("tsx")).href] };
}

/** `jobs` worker processes. */
export class ProcessPoolExecutor implements Executor {
  private readonly slots: Slot[] = [];

  private constructor(readonly jobs: number) {}

  /** Starts `jobs` workers and waits until each has prepared the data. */
  static async start(config: SweepConfig, sweepDir: string, jobs: number): Promise<ProcessPoolExecutor> {
    const pool = new ProcessPoolExecutor(jobs);
    const worker = workerEntry();
    for (let i = 0; i < jobs; i++) {
      const child = fork(worker.path, [], { execArgv: worker.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const slot: Slot = { child, waiting: null, onLine: null, busy: false };
      child.on("message", (m: FromWorker) => {
        if (m.type === "line") return slot.onLine?.(m.line);
        const w = slot.waiting;
        if (w === null) return;
        slot.waiting = null;
        if (m.type === "error") w.reject(new Error(`sweep worker ${i + 1}: ${m.message}`));
        else w.resolve(m);
      });
      child.on("exit", (code) => {
        const w = slot.waiting;
        slot.waiting = null;
        w?.reject(new WorkerLostError(`sweep worker ${i + 1} exited (code ${code})`));
      });
      pool.slots.push(slot);
    }
    await Promise.all(pool.slots.map((s) => pool.request(s, { type: "init", config, sweepDir }, "ready")));
    return pool;
  }

  private request(slot: Slot, msg: ToWorker, reply: FromWorker["type"]): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (!slot.child.connected) return reject(new WorkerLostError("sweep worker is gone"));
      slot.waiting = { type: reply, resolve, reject };
      slot.child.send(msg);
    });
  }

  async probe(rungs: readonly Rung[]): Promise<Throughput> {
    const answers = await Promise.all(this.slots.map((s) => this.request(s, { type: "probe", rungs: [...rungs] }, "probed")));
    const out: Throughput = {};
    for (const r of rungs) {
      const v = answers.map((a) => (a.type === "probed" ? a.tps[r.name] ?? NaN : NaN));
      out[r.name] = v.reduce((x, y) => x + y, 0) / v.length;
    }
    return out;
  }

  async run(run: SweepRun, rung: Rung, tokPerSec: number, onLine: (line: string) => void): Promise<RunOutcome> {
    const slot = this.slots.find((s) => !s.busy);
    if (slot === undefined) throw new Error("ProcessPoolExecutor: every worker is busy");
    slot.busy = true;
    slot.onLine = onLine;
    try {
      const m = await this.request(slot, { type: "run", run, rung, tokPerSec }, "done");
      if (m.type !== "done") throw new Error(`unexpected reply ${m.type}`);
      return m.outcome;
    } finally {
      slot.busy = false;
      slot.onLine = null;
    }
  }

  stop(): void {
    for (const s of this.slots) if (s.child.connected) s.child.send({ type: "stop" } satisfies ToWorker);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => new Promise<void>((resolve) => {
      if (s.child.exitCode !== null || !s.child.connected) return resolve();
      s.child.once("exit", () => resolve());
      s.child.send({ type: "exit" } satisfies ToWorker);
    })));
  }
}
