/** @file The WASM SIMD GELU kernels against the float64 loops; 1 vs N threads bit for bit; edge values. */
import { describe, expect, it } from "vitest";
import { GELU_THREAD_MIN, geluBackward, geluBackwardWasm, geluForward, geluForwardWasm } from "./gelu.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

const f64 = (x: Float32Array) => Float64Array.from(x);
// absolute error scaled by max(1, |reference|): float32 `1 + erf` loses relative accuracy where Φ(x) is tiny, as torch's does
const worst = (x: Float32Array, ref: Float64Array) => x.reduce((w, v, i) => Math.max(w, Math.abs(v - ref[i]!) / Math.max(1, Math.abs(ref[i]!))), 0);

describe.runIf(wasmAvailable())("GELU WASM kernels", () => {
  it.each([1, 4, 7, 1029, 20_000])("match the float64 loops to 1e-6, n = %i", (n) => {
    const [x, g] = [fill(n, 1, 9), fill(n, 2, 1)];
    const [y, dx] = [new Float32Array(n), new Float32Array(n)];
    geluForwardWasm(y, x);
    geluBackwardWasm(dx, x, g);
    const [ry, rdx] = [new Float64Array(n), new Float64Array(n)];
    geluForward(ry, f64(x));
    geluBackward(rdx, f64(x), f64(g));
    expect(worst(y, ry)).toBeLessThan(1e-6);
    expect(worst(dx, rdx)).toBeLessThan(1e-6);
  });

  it("handles 0, ±∞, NaN and far tails as the loops do", () => {
    const x = new Float32Array([0, -0, Infinity, NaN, 30, -30, 1e30, -1e30, 5.7, -5.7, 3, -3]);
    const ones = new Float32Array(x.length).fill(1);
    const [y, dx, ry, rdx] = [0, 0, 0, 0].map(() => new Float32Array(x.length)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    geluForwardWasm(y, x);
    geluBackwardWasm(dx, x, ones);
    geluForward(ry, x);
    geluBackward(rdx, x, ones);
    x.forEach((_, i) => {
      if (i < 8) {
        expect(y[i]).toEqual(ry[i]); // exact at the edges (toEqual tells −0 from 0)
        // the kernel's exp stops at e^−87, so x·φ(x) is ~1e-38·x far out, not 0 (and gelu′(+∞) is ∞ where the loops give ∞·0 = NaN)
        if (i !== 2) if (Number.isNaN(rdx[i]!)) expect(dx[i]).toBeNaN();
        else expect(Math.abs(dx[i]! - rdx[i]!)).toBeLessThan(1e-8);
      } else expect(Math.abs(y[i]! - ry[i]!) + Math.abs(dx[i]! - rdx[i]!)).toBeLessThan(1e-6);
    });
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const n = GELU_THREAD_MIN * 3 + 13;
    const [x, g] = [fill(n, 4, 6), fill(n, 5, 1)];
    const run = (threads: number) => {
      const [y, dx] = [new Float32Array(n), new Float32Array(n)];
      geluForwardWasm(y, x, threads);
      geluBackwardWasm(dx, x, g, threads);
      return [y, dx];
    };
    const one = run(1);
    for (const t of [2, 3]) run(t).forEach((x, i) => expect(sameBits(x, one[i]!)).toBe(true));
  });
});
