/** @file The WASM SIMD `silu(a)·b` kernels against the float64 loops; 1 vs N threads bit for bit. */
import { describe, expect, it } from "vitest";
import { SILU_MUL_THREAD_MIN, siluMulBackward, siluMulBackwardWasm, siluMulForward, siluMulForwardWasm } from "./silu-mul.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

const f64 = (x: Float32Array) => Float64Array.from(x);
const worst = (x: Float32Array, ref: Float64Array) => x.reduce((w, v, i) => Math.max(w, Math.abs(v - ref[i]!) / (Math.abs(ref[i]!) + 1e-30)), 0);

describe.runIf(wasmAvailable())("siluMul WASM kernels", () => {
  it.each([1, 4, 7, 1029])("match the float64 loops to ~1e-6 relative, n = %i", (n) => {
    const [a, b, g] = [fill(n, 1, 12), fill(n, 2, 1), fill(n, 3, 1)];
    const [y, da, db] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    siluMulForwardWasm(y, a, b);
    siluMulBackwardWasm(da, db, a, b, g);
    const [ry, rda, rdb] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    siluMulForward(ry, f64(a), f64(b));
    siluMulBackward(rda, rdb, f64(a), f64(b), f64(g));
    expect(worst(y, ry)).toBeLessThan(1e-6);
    expect(worst(da, rda)).toBeLessThan(2e-6);
    expect(worst(db, rdb)).toBeLessThan(1e-6);
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const n = SILU_MUL_THREAD_MIN + 13;
    const [a, b, g] = [fill(n, 4, 8), fill(n, 5, 1), fill(n, 6, 1)];
    const run = (threads: number) => {
      const [y, da, db] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      siluMulForwardWasm(y, a, b, threads);
      siluMulBackwardWasm(da, db, a, b, g, threads);
      return [y, da, db];
    };
    const one = run(1);
    for (const t of [2, 3]) run(t).forEach((x, i) => expect(sameBits(x, one[i]!)).toBe(true));
  });
});
