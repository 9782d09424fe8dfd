/** @file Tests of the WASM GEMM: thread-count independence (bit for bit) and the zero-copy path for heap operands. */
import { describe, expect, it } from "vitest";
import { gemmJs } from "./matmul-js.js";
import { gemmWasm } from "./matmul-wasm.js";
import { heapAllocF32, heapFreeF32, isInHeap, wasmThreadsReady } from "../runtime/wasm.js";

function fill(out: Float32Array, seed: number): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const bits = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);

// Number of elements whose bit patterns differ (toEqual on large typed arrays is slow).
function differing(x: Float32Array, y: Float32Array): number {
  const [p, q] = [bits(x), bits(y)];
  let n = 0;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) n++;
  return n + Math.abs(p.length - q.length);
}

describe("gemmWasm threads", () => {
  it("starts its workers", () => {
    expect(wasmThreadsReady(3)).toBe(true);
  });

  // tall (split by rows), wide (split by columns), ragged, and K across two 256-deep blocks
  const shapes: [number, number, number][] = [[257, 300, 130], [20, 70, 1100], [130, 17, 9], [9, 520, 30]];
  it.each(shapes)("is bit-for-bit identical on 1, 2 and 3 threads for %i×%i×%i", (M, K, N) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const accumulate of [false, true]) {
          const a = fill(new Float32Array(M * K), M);
          const b = fill(new Float32Array(K * N), N);
          const c0 = fill(new Float32Array(M * N), K);
          const results = [1, 2, 3].map((threads) => {
            const out = c0.slice();
            const parts = gemmWasm(out, a, 0, b, 0, M, K, N, { transA, transB, accumulate }, threads);
            // one thread never hands work to the pool; more may cut finer than one task per thread
            if (threads === 1) expect(parts).toBe(1);
            else expect(parts).toBeGreaterThanOrEqual(threads);
            return out;
          });
          const [one, two, three] = results as [Float32Array, Float32Array, Float32Array];
          expect(differing(two, one)).toBe(0);
          expect(differing(three, one)).toBe(0);
          const ref = c0.slice();
          gemmJs(ref, a, 0, b, 0, M, K, N, { transA, transB, accumulate });
          let far = 0;
          for (let i = 0; i < ref.length; i++) if (!(Math.abs(ref[i]! - one[i]!) < 1e-5 * K)) far++;
          expect(far).toBe(0);
        }
      }
    }
  });
});

describe("gemmWasm on heap operands", () => {
  it("computes in place on heap arrays with the same bits as copy-in", () => {
    const [M, K, N] = [37, 45, 29];
    const a = fill(heapAllocF32(M * K), 1);
    const b = fill(heapAllocF32(K * N), 2);
    const c = heapAllocF32(M * N);
    expect([a, b, c].every(isInHeap)).toBe(true);
    expect(isInHeap(new Float32Array(4))).toBe(false);
    const copy = new Float32Array(M * N);
    gemmWasm(c, a, 0, b, 0, M, K, N, { transB: false }, 1);
    gemmWasm(copy, a.slice(), 0, b.slice(), 0, M, K, N, {}, 1);
    expect(differing(c, copy)).toBe(0);
    [a, b, c].forEach(heapFreeF32);
  });
});
