/** @file The WASM SIMD LayerNorm kernels against the float64 loops (the oracle); 1 vs N threads bit for bit. */
import { describe, expect, it } from "vitest";
import { LN_THREAD_MIN, layerNormBackward, layerNormBackwardWasm, layerNormForward, layerNormForwardWasm } from "./layer-norm.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

const f64 = (x: Float32Array) => Float64Array.from(x);
const close = (x: ArrayLike<number>, ref: ArrayLike<number>, tol: number) => {
  for (let i = 0; i < ref.length; i++) expect(Math.abs(x[i]! - ref[i]!)).toBeLessThan(tol * (1 + Math.abs(ref[i]!)));
};

function run(rows: number, n: number, affine: boolean, threads: number) {
  const x = fill(rows * n, rows + n, 3).map((v, i) => v + (i % 7)); // rows with a mean far from 0
  const g = fill(rows * n, 7, 1);
  const [w, b] = affine ? [fill(n, 9, 2), fill(n, 10, 1)] : [null, null];
  const [y, mean, rstd, dx, dw, db] = [new Float32Array(rows * n), new Float32Array(rows), new Float32Array(rows), new Float32Array(rows * n), new Float64Array(n), new Float64Array(n)];
  layerNormForwardWasm(y, mean, rstd, x, w, b, rows, n, 1e-5, threads);
  layerNormBackwardWasm(dx, affine ? dw : null, affine ? db : null, g, x, w, mean, rstd, rows, n, threads);
  return { x, g, w, b, y, mean, rstd, dx, dw, db };
}

describe.runIf(wasmAvailable())("LayerNorm WASM kernels", () => {
  it.each([[1, 4, true], [5, 12, false], [33, 64, true]] as const)("match the float64 loops, rows = %i, n = %i, affine %s", (rows, n, affine) => {
    const { x, g, w, b, y, mean, rstd, dx, dw, db } = run(rows, n, affine, 1);
    const [ry, rm, rr, rdx, rdw, rdb] = [new Float64Array(rows * n), new Float64Array(rows), new Float64Array(rows), new Float64Array(rows * n), new Float64Array(n), new Float64Array(n)];
    layerNormForward(ry, rm, rr, f64(x), w && f64(w), b && f64(b), rows, n, 1e-5);
    layerNormBackward(rdx, affine ? rdw : null, affine ? rdb : null, f64(g), f64(x), w && f64(w), rm, rr, rows, n);
    close(mean, rm, 1e-6);
    close(rstd, rr, 1e-5);
    close(y, ry, 1e-5);
    close(dx, rdx, 2e-5);
    close(dw, rdw, 1e-5);
    close(db, rdb, 1e-6);
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const [rows, n] = [Math.ceil(LN_THREAD_MIN / 40) + 3, 40];
    const one = run(rows, n, true, 1);
    for (const t of [2, 3]) {
      const other = run(rows, n, true, t);
      for (const k of ["y", "mean", "rstd", "dx", "dw", "db"] as const) expect(sameBits(other[k], one[k])).toBe(true);
    }
  });
});
