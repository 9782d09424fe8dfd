/**
 * @file A worker_threads pool for synchronous kernels: every worker instantiates the same wasm
 * module on the same shared memory. A job is a list of independent tasks (int32 argument lists)
 * written to a shared table; the main thread wakes the workers and then every thread, itself
 * included, takes the next untaken task until none are left (an atomic counter), so a worker the
 * OS runs late simply takes fewer. The main thread returns once every task has finished, blocking
 * in `Atomics.wait` (allowed on Node's main thread). Workers are `unref()`'d so they never keep
 * the process alive.
 */
import { Worker } from "node:worker_threads";
import type { WasmMemory, WasmModule } from "../kernels/wasm/assembler.js";
import { CLAIM_SOURCE, COUNT, CTL_WORDS, FAILED, FINISHED, JOB, MAX_ARGS, MAX_TASKS, MAX_WORKERS, NEXT, READY, TASK_WORDS, TASKS, WORKER_SOURCE } from "./worker-source.js";

/** What every worker runs: export `entry` of `module`, called with a job's args plus its scratch pointer. */
export interface PoolSpec {
  module: WasmModule;
  memory: WasmMemory;
  entry: string;
  /** Byte offset of the private scratch area of thread `t` (0 is the main thread). */
  scratch: (thread: number) => number;
}

/** How long the main thread busy-waits for workers before sleeping in `Atomics.wait`. */
const SPIN_MS = 1;

/** Takes the next untaken task of job `job` from `ctl`, or -1 when none is left: the workers' function, compiled here from the same source. */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const claim = new Function(`${CLAIM_SOURCE}\nreturn claim;`)() as (ctl: Int32Array, job: number) => number;

/** A pool of wasm workers serving synchronous calls of one export. */
export class WorkerPool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  private readonly workers: Worker[] = [];

  /** Creates an empty pool; `grow` starts workers. */
  constructor(private readonly spec: PoolSpec) {}

  /** Number of workers started (ready or not). */
  get size(): number {
    return this.workers.length;
  }

  /** Starts workers until there are `n` (they become usable once instantiated, ~50 ms). */
  grow(n: number): void {
    if (n > MAX_WORKERS) throw new RangeError(`WorkerPool: at most ${MAX_WORKERS} workers, asked for ${n}`);
    while (this.workers.length < n) {
      const slot = this.workers.length + 1;
      this.ctl[READY + slot] = -1;
      const { module, memory, entry } = this.spec;
      const workerData = { module, memory, ctl: this.ctl, slot, scratch: this.spec.scratch(slot), entry };
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData, execArgv: [] });
      w.on("error", (err) => {
        console.error(`kiln: worker ${slot} failed, continuing without it: ${String(err)}`);
        this.ctl[READY + slot] = 0;
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Jobs posted so far (tests). */
  get jobs(): number {
    return this.ctl[JOB]!;
  }

  /** Slots (1-based) of the workers that have started and serve jobs. */
  ready(): number[] {
    const out: number[] = [];
    for (let s = 1; s <= this.workers.length; s++) if (Atomics.load(this.ctl, READY + s) === 1) out.push(s);
    return out;
  }

  /** Blocks until every started worker is ready or `timeoutMs` passes; true if all are ready. */
  waitReady(timeoutMs = 10_000): boolean {
    const end = performance.now() + timeoutMs;
    for (let s = 1; s <= this.workers.length; s++) {
      while (Atomics.load(this.ctl, READY + s) === -1) {
        const left = end - performance.now();
        if (left <= 0) return false;
        Atomics.wait(this.ctl, READY + s, -1, left);
      }
    }
    return true;
  }

  /**
   * Runs every task — the arguments of one call of the entry, before the running thread's scratch
   * pointer — and returns when all have finished. This thread takes part through `local`; ready
   * workers take whatever it has not taken yet. With no ready worker, all run here.
   */
  run(tasks: readonly (readonly number[])[], local: (args: readonly number[]) => void): void {
    if (tasks.length > MAX_TASKS) throw new RangeError(`WorkerPool: at most ${MAX_TASKS} tasks, got ${tasks.length}`);
    const ctl = this.ctl;
    Atomics.store(ctl, NEXT, -1); // no claim of the previous job can succeed while the table is rewritten
    tasks.forEach((args, i) => {
      if (args.length > MAX_ARGS) throw new RangeError(`WorkerPool: at most ${MAX_ARGS} args, got ${args.length}`);
      const at = TASKS + i * TASK_WORDS;
      ctl[at] = args.length;
      for (let a = 0; a < args.length; a++) ctl[at + 1 + a] = args[a]!;
    });
    ctl[COUNT] = tasks.length;
    ctl[FINISHED] = 0;
    ctl[FAILED] = 0;
    const job = (ctl[JOB]! + 1) | 0;
    Atomics.store(ctl, NEXT, (job & 0xffff) << 16);
    Atomics.store(ctl, JOB, job);
    if (tasks.length > 1) Atomics.notify(ctl, JOB, tasks.length - 1);
    let error: unknown = null;
    for (let i = claim(ctl, job); i >= 0; i = claim(ctl, job)) {
      try {
        if (error === null) local(tasks[i]!);
      } catch (err) {
        error = err; // the rest of this thread's tasks are skipped; the workers' still finish
      }
      Atomics.add(ctl, FINISHED, 1);
    }
    const spinEnd = performance.now() + SPIN_MS;
    // NOTE: spin first: a sleeping main thread takes another ~20 µs to be woken by the worker
    while (Atomics.load(ctl, FINISHED) !== tasks.length && performance.now() < spinEnd);
    for (let d = Atomics.load(ctl, FINISHED); d !== tasks.length; d = Atomics.load(ctl, FINISHED)) Atomics.wait(ctl, FINISHED, d);
    if (error !== null) throw error;
    if (ctl[FAILED] !== 0) throw new Error(`WorkerPool: a task on worker ${ctl[FAILED]} failed (see stderr)`);
  }

  /** Stops every worker (tests only: unref'd workers never hold the process open). */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
