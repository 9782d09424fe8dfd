/** @file Tests of the worker pool with a tiny wasm module: every task runs once, workers take part, failures, KILN_THREADS. */
import { afterAll, describe, expect, it, vi } from "vitest";
import { assemble, Func, wasmApi } from "../kernels/wasm/assembler.js";
import { defaultThreads, readEnv } from "../env.js";
import { WorkerPool } from "./worker-pool.js";

// store(ptr, value, spin, scratch): counts `spin` down to 0, then adds value + scratch at byte ptr,
// so each task shows which thread ran it (scratch is 1000 · thread) and how often it ran
const store = new Func("store", ["i32", "i32", "i32", "i32"]);
const [ptr, value, spin, scratch] = [store.param(0), store.param(1), store.param(2), store.param(3)];
store.block((g) => g.loop((h) => h.get(spin).i32Eqz().brIf(1).get(spin).i32(1).i32Sub().set(spin).br(0)));
store.get(ptr).get(ptr).i32Load().get(value).get(scratch).i32Add().i32Add().i32Store();
const memory = new wasmApi!.Memory({ initial: 1, maximum: 1, shared: true });
const module = new wasmApi!.Module(assemble({ initial: 1, maximum: 1, shared: true }, [store]));
const local = new wasmApi!.Instance(module, { env: { memory } }).exports["store"] as (...a: number[]) => void;
const pool = new WorkerPool({ module, memory, entry: "store", scratch: (t) => t * 1000 });
const view = new Int32Array(memory.buffer);
afterAll(() => pool.terminate());

// Quiet the deliberate failure lines workers log; returns what they wrote and a restore function.
function catchWorkerLines(): [string[], () => void] {
  const seen: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.startsWith("kiln worker ")) return seen.push(text) > 0;
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  return [seen, () => spy.mockRestore()];
}

describe("WorkerPool", () => {
  it("runs every task exactly once, shared between this thread and the workers", () => {
    pool.grow(2);
    expect(pool.waitReady()).toBe(true);
    expect(pool.ready()).toEqual([1, 2]);
    const n = 96;
    view.fill(0, 0, n);
    // ~0.3 ms per task, ~30 ms in all: long enough that the workers wake up and take some
    const tasks = Array.from({ length: n }, (_, i) => [4 * i, i + 1, 1_000_000]);
    pool.run(tasks, (args) => local(...args, 0));
    const ran = [...view.subarray(0, n)];
    expect(ran.map((x, i) => x % 1000 === i + 1)).toEqual(ran.map(() => true)); // once each (twice would double it)
    const byThread = [0, 1, 2].map((t) => ran.filter((x) => Math.floor(x / 1000) === t).length);
    expect(byThread.reduce((a, b) => a + b)).toBe(n);
    // which threads take how many is up to the OS (with 3 threads on 2 cores this one may get none)
    expect(byThread[1]! + byThread[2]!, `tasks per thread ${byThread}`).toBeGreaterThan(0);
    // back to back, with fewer tasks than threads and with one task
    for (const m of [1, 2, 5]) {
      view.fill(0, 0, m);
      pool.run(Array.from({ length: m }, (_, i) => [4 * i, 7, 0]), (args) => local(...args, 0));
      expect([...view.subarray(0, m)].every((x) => x % 1000 === 7)).toBe(true);
    }
  });

  it("reports a failed task on a worker instead of hanging", async () => {
    const [seen, restore] = catchWorkerLines();
    try {
      // the trapping task runs on whichever thread takes it: retry until a worker has (the OS decides)
      let failure = "";
      for (let attempt = 0; attempt < 20 && !failure.includes("worker"); attempt++) {
        try {
          pool.run([[0, 1, 3_000_000], [1 << 20, 0, 0]], (args) => local(...args, 0));
        } catch (err) {
          failure = String(err);
        }
      }
      expect(failure).toMatch(/a task on worker [12] failed \(see stderr\)/);
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen.join("")).toMatch(/^kiln worker [12]: RuntimeError: memory access out of bounds/);
      // the pool still serves jobs
      pool.run([[4, 5, 0], [8, 5, 0]], (args) => local(...args, 0));
      expect(pool.ready()).toEqual([1, 2]);
    } finally {
      restore();
    }
  });

  it("throws a failure only after every task a worker took has finished", async () => {
    const [, restore] = catchWorkerLines();
    try {
      view.fill(0, 0, 8);
      // one task traps; this thread skips its tasks after a failure, so some of the rest may not run
      const tasks = [[1 << 20, 0, 0], ...Array.from({ length: 7 }, (_, i) => [4 * (i + 1), 1, 3_000_000])];
      expect(() => pool.run(tasks, (args) => local(...args, 0))).toThrow(/memory access out of bounds|a task on worker [12] failed/);
      const at = [...view.subarray(1, 8)];
      expect(at.every((x) => x === 0 || x % 1000 === 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect([...view.subarray(1, 8)]).toEqual(at); // nothing was still running when run threw
    } finally {
      restore();
    }
  });

  it("reads KILN_THREADS", () => {
    expect(defaultThreads(readEnv({ KILN_THREADS: "3" }))).toBe(3);
    expect(() => readEnv({ KILN_THREADS: "two" })).toThrow(/KILN_THREADS must be a positive integer, got "two"/);
    expect(defaultThreads(readEnv({}))).toBeGreaterThanOrEqual(1);
    expect(() => readEnv({ KILN_BACKEND: "gpu" })).toThrow(/KILN_BACKEND must be "js" or "wasm", got "gpu"/);
    expect(readEnv({ KILN_POOL_MB: "64" }).poolBytes).toBe(64 * 2 ** 20);
  });
});
