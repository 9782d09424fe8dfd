/**
 * @file A worker_threads pool for synchronous kernels: every worker instantiates the same wasm
 * module on the same shared memory; the main thread posts int32 argument lists through a shared
 * mailbox, runs one share itself, then blocks in `Atomics.wait` (allowed on Node's main thread)
 * until the workers are done. Workers are `unref()`'d so they never keep the process alive.
 */
import { Worker } from "node:worker_threads";
import type { WasmMemory, WasmModule } from "../kernels/wasm/assembler.js";
import { ARGS, DONE, MAX_ARGS, NARGS, SEQ, SLOT, STATUS, WORKER_SOURCE } from "./worker-source.js";

/** What every worker runs: export `entry` of `module`, called with a job's args plus its scratch pointer. */
export interface PoolSpec {
  module: WasmModule;
  memory: WasmMemory;
  entry: string;
  /** Byte offset of the private scratch area of thread `t` (0 is the main thread). */
  scratch: (thread: number) => number;
}

const MAX_WORKERS = 255;
/** How long the main thread busy-waits for workers before sleeping in `Atomics.wait`. */
const SPIN_MS = 1;

/** A pool of wasm workers serving synchronous calls of one export. */
export class WorkerPool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer((MAX_WORKERS + 1) * SLOT * 4));
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
      this.ctl[slot * SLOT + SEQ] = 0;
      this.ctl[slot * SLOT + DONE] = -1;
      const { module, memory, entry } = this.spec;
      const workerData = { module, memory, ctl: this.ctl, slot, scratch: this.spec.scratch(slot), entry };
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData, execArgv: [] });
      w.on("error", (err) => {
        console.error(`kiln: worker ${slot} failed, continuing without it: ${String(err)}`);
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Slots (1-based) of the workers that are started and idle. */
  idle(): number[] {
    const out: number[] = [];
    for (let s = 1; s <= this.workers.length; s++) {
      if (Atomics.load(this.ctl, s * SLOT + DONE) === Atomics.load(this.ctl, s * SLOT + SEQ)) out.push(s);
    }
    return out;
  }

  /** Blocks until every started worker is ready or `timeoutMs` passes; true if all are ready. */
  waitReady(timeoutMs = 10_000): boolean {
    const end = performance.now() + timeoutMs;
    for (let s = 1; s <= this.workers.length; s++) {
      const i = s * SLOT + DONE;
      while (Atomics.load(this.ctl, i) === -1) {
        const left = end - performance.now();
        if (left <= 0) return false;
        Atomics.wait(this.ctl, i, -1, left);
      }
    }
    return true;
  }

  /**
   * Runs `tasks[0]` (and any task no idle worker takes) on this thread through `local`, the rest
   * on idle workers, and returns when all are finished.
   */
  run(tasks: readonly (readonly number[])[], local: (args: readonly number[]) => void): void {
    const idle = this.idle();
    const posted: number[] = [];
    let t = 1;
    for (const s of idle) {
      if (t >= tasks.length) break;
      const args = tasks[t++]!;
      if (args.length > MAX_ARGS) throw new RangeError(`WorkerPool: at most ${MAX_ARGS} args, got ${args.length}`);
      const base = s * SLOT;
      this.ctl[base + NARGS] = args.length;
      for (let i = 0; i < args.length; i++) this.ctl[base + ARGS + i] = args[i]!;
      Atomics.add(this.ctl, base + SEQ, 1);
      Atomics.notify(this.ctl, base + SEQ);
      posted.push(s);
    }
    let error: unknown = null;
    try {
      if (tasks.length > 0) local(tasks[0]!);
      for (; t < tasks.length; t++) local(tasks[t]!);
    } catch (err) {
      error = err;
    }
    let failed = 0;
    const spinEnd = performance.now() + SPIN_MS;
    for (const s of posted) {
      const base = s * SLOT;
      const seq = Atomics.load(this.ctl, base + SEQ);
      // NOTE: spin first: a sleeping main thread takes another ~20 µs to be woken by the worker
      while (Atomics.load(this.ctl, base + DONE) !== seq && performance.now() < spinEnd);
      for (let d = Atomics.load(this.ctl, base + DONE); d !== seq; d = Atomics.load(this.ctl, base + DONE)) {
        Atomics.wait(this.ctl, base + DONE, d);
      }
      if (this.ctl[base + STATUS] !== 0) failed = s;
    }
    if (error !== null) throw error;
    if (failed !== 0) throw new Error(`WorkerPool: the job on worker ${failed} failed (see stderr)`);
  }

  /** Stops every worker (tests only: unref'd workers never hold the process open). */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
