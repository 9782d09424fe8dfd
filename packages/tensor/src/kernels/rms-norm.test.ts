/** @file The WASM SIMD RMSNorm kernels against the float64 loops (the oracle); 1 vs N threads bit for bit. */
import { describe, expect, it } from "vitest";
import { RMS_THREAD_MIN, rmsNormBackward, rmsNormBackwardWasm, rmsNormForward, rmsNormForwardWasm } from "./rms-norm.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

const f64 = (x: Float32Array) => Float64Array.from(x);
const close = (x: ArrayLike<number>, ref: ArrayLike<number>, tol: number) => {
  for (let i = 0; i < ref.length; i++) expect(Math.abs(x[i]! - ref[i]!)).toBeLessThan(tol * (1 + Math.abs(ref[i]!)));
};

function run(rows: number, n: number, withW: boolean, threads: number) {
  const [x, g] = [fill(rows * n, rows + n, 3), fill(rows * n, 7, 1)];
  const w = withW ? fill(n, 9, 2) : null;
  const [y, rstd, dx, dw] = [new Float32Array(rows * n), new Float32Array(rows), new Float32Array(rows * n), new Float64Array(n)];
  rmsNormForwardWasm(y, rstd, x, w, rows, n, 1e-5, threads);
  rmsNormBackwardWasm(dx, withW ? dw : null, g, x, w, rstd, rows, n, threads);
  return { x, g, w, y, rstd, dx, dw };
}

describe.runIf(wasmAvailable())("RMSNorm WASM kernels", () => {
  it.each([[1, 4, true], [5, 12, false], [33, 64, true]] as const)("match the float64 loops, rows = %i, n = %i, weight %s", (rows, n, withW) => {
    const { x, g, w, y, rstd, dx, dw } = run(rows, n, withW, 1);
    const [ry, rr, rdx, rdw] = [new Float64Array(rows * n), new Float64Array(rows), new Float64Array(rows * n), new Float64Array(n)];
    rmsNormForward(ry, rr, f64(x), w && f64(w), rows, n, 1e-5);
    rmsNormBackward(rdx, withW ? rdw : null, f64(g), f64(x), w && f64(w), rr, rows, n);
    close(rstd, rr, 1e-6);
    close(y, ry, 2e-6);
    close(dx, rdx, 1e-5);
    close(dw, rdw, 1e-5);
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const [rows, n] = [Math.ceil(RMS_THREAD_MIN / 40) + 3, 40];
    const one = run(rows, n, true, 1);
    for (const t of [2, 3]) {
      const other = run(rows, n, true, t);
      for (const k of ["y", "rstd", "dx", "dw"] as const) expect(sameBits(other[k], one[k])).toBe(true);
    }
  });
});
