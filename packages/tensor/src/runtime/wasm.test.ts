/** @file Tests of the wasm runtime: its allocator and size classes, views across growth, the typed heap-full error. */
import { describe, expect, it } from "vitest";
import { gemmWasm } from "../kernels/matmul-wasm.js";
import { attentionBackwardWasm, attentionForwardWasm } from "../kernels/attention-wasm.js";
import { rmsNormForwardWasm } from "../kernels/rms-norm.js";
import { HeapFullError, heapAllocF32, heapBytes, heapFreeF32, isInHeap, persistentFloat32, poolJobs, sizeClass, tryWasm, wasmThreadsReady } from "./wasm.js";

describe("wasm heap", () => {
  it("reuses freed blocks and keeps old views valid when the memory grows", () => {
    const x = heapAllocF32(1000).fill(3);
    const offset = x.byteOffset;
    heapFreeF32(x);
    const y = heapAllocF32(1000);
    expect(y.byteOffset).toBe(offset);
    const before = heapBytes();
    const big = heapAllocF32(16 << 20);
    expect(heapBytes()).toBeGreaterThan(before);
    y.fill(7);
    expect(isInHeap(y) && isInHeap(big)).toBe(true);
    expect(isInHeap(new Float32Array(4))).toBe(false);
    const out = heapAllocF32(1);
    gemmWasm(out, y, 0, y, 0, 1, 1000, 1);
    expect(out[0]).toBe(49000);
    [y, big, out].forEach(heapFreeF32);
    expect(() => heapFreeF32(new Float32Array(2))).toThrow(/not in the wasm heap/);
  });

  it("throws HeapFullError, without growing, for more than the heap can ever hold", () => {
    const before = heapBytes();
    expect(() => heapAllocF32(2 ** 29 + 16)).toThrow(HeapFullError);
    expect(heapBytes()).toBe(before);
  });

  it("persistentFloat32: zero-filled heap arrays, even on a reused block", () => {
    const used = heapAllocF32(3000).fill(5);
    heapFreeF32(used);
    const a = persistentFloat32(3000);
    expect(isInHeap(a) && a.length === 3000 && a.every((x) => x === 0)).toBe(true);
  });

  it("size classes: multiples of 64 B to 1 KiB, then four per power of two", () => {
    expect([1, 64, 65, 1024, 1025, 1536, 2048, 2049, 3000].map(sizeClass)).toEqual([64, 64, 128, 1024, 1280, 1536, 2048, 2560, 3072]);
  });
});

describe("tryWasm", () => {
  it("turns a HeapFullError into false (callers fall back to JS) and rethrows anything else", () => {
    expect(tryWasm(() => undefined)).toBe(true);
    expect(tryWasm(() => {
      throw new HeapFullError(64, 0);
    })).toBe(false);
    // a RangeError is not a full heap, whatever its message says
    expect(() => tryWasm(() => {
      throw new RangeError("wasm heap: cannot allocate 64 bytes");
    })).toThrow(RangeError);
  });
});

describe("threads", () => {
  it("a call on one thread never hands work to the pool, even once the workers exist", () => {
    expect(wasmThreadsReady(2)).toBe(true);
    const [B, H, T, hs] = [4, 4, 64, 32]; // above every kernel's threading threshold
    const n = B * H * T * hs;
    const x = new Float32Array(n).fill(0.5);
    const st = [0, H * T * hs, T * hs, hs] as const; // contiguous (B, H, T, hs)
    const g = { B, H, Hkv: H, Tq: T, Tk: T, hs, scale: 0.2, causal: true, q: st, k: st, v: st };
    const calls = (threads: number) => {
      gemmWasm(new Float32Array(512 * 256), x, 0, x, 0, 512, 64, 256, {}, threads);
      const [o, lse] = [new Float32Array(n), new Float32Array(B * H * T)];
      attentionForwardWasm(o, lse, x, x, x, g, threads);
      attentionBackwardWasm(new Float32Array(n), new Float32Array(n), new Float32Array(n), x, o, lse, x, x, x, g, threads);
      rmsNormForwardWasm(new Float32Array(n), new Float32Array(n / 64), x, null, n / 64, 64, 1e-5, threads);
    };
    const before = poolJobs();
    calls(1);
    expect(poolJobs()).toBe(before);
    calls(2);
    expect(poolJobs()).toBeGreaterThan(before); // and the same calls on two threads do use it
  });
});
