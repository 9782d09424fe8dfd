/** @file Tests of the worker pool with a one-instruction wasm module: task placement, failures, KILN_THREADS. */
import { afterAll, describe, expect, it, vi } from "vitest";
import { assemble, Func, wasmApi } from "../kernels/wasm/assembler.js";
import { defaultThreads, readEnv } from "../env.js";
import { WorkerPool } from "./worker-pool.js";

// store(ptr, value, scratch): writes value + scratch at byte ptr, so each call shows which thread ran it
const store = new Func("store", ["i32", "i32", "i32"]);
store.get(store.param(0)).get(store.param(1)).get(store.param(2)).i32Add().i32Store();
const memory = new wasmApi!.Memory({ initial: 1, maximum: 1, shared: true });
const module = new wasmApi!.Module(assemble({ initial: 1, maximum: 1, shared: true }, [store]));
const local = new wasmApi!.Instance(module, { env: { memory } }).exports["store"] as (...a: number[]) => void;
const pool = new WorkerPool({ module, memory, entry: "store", scratch: (t) => t * 1000 });
afterAll(() => pool.terminate());

describe("WorkerPool", () => {
  it("runs one task per idle worker and the rest on the calling thread", () => {
    pool.grow(2);
    expect(pool.waitReady()).toBe(true);
    expect(pool.idle()).toEqual([1, 2]);
    const view = new Int32Array(memory.buffer);
    pool.run([[0, 1], [4, 2], [8, 3], [12, 4]], (args) => local(...args, 0));
    // tasks 1 and 2 ran on workers 1 and 2 (scratch 1000, 2000); tasks 0 and 3 ran here
    expect([...view.subarray(0, 4)]).toEqual([1, 1002, 2003, 4]);
    expect(pool.idle()).toEqual([1, 2]);
  });

  it("reports a failed worker job instead of hanging", async () => {
    // the worker logs the trap ("memory access out of bounds") to stderr: this failure is deliberate, so catch the line here
    const seen: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.startsWith("kiln worker ")) return seen.push(text) > 0;
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    try {
      expect(() => pool.run([[0, 1], [1 << 20, 0]], (args) => local(...args, 0))).toThrow(/the job on worker 1 failed/);
      expect(pool.idle()).toEqual([1, 2]);
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen.join("")).toMatch(/^kiln worker 1: RuntimeError: memory access out of bounds/);
    } finally {
      spy.mockRestore();
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
