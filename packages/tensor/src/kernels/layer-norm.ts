/**
 * @file LayerNorm row kernels (Ba et al. 2016): `y = (x − μ)/√(σ² + eps) · w + b`
 * over contiguous rows of `n` (biased variance, as torch), and the fused
 * backward for x, w and b. Sums accumulate in float64 here (the float64 kernel, the
 * `KILN_BACKEND=js` fallback and the test oracle); float32 rows of a multiple of 4 run on
 * WASM SIMD (`wasm/layer-norm-simd.ts`), split over the worker pool by rows (dw, db by columns).
 */
import type { TypedArray } from "../dtype.js";
import { callWasm, wasmParts } from "../runtime/wasm.js";
import { cut, f32Bits, input, output } from "./wasm-host.js";
import { OP } from "./wasm/module.js";

/** Below this many elements the WASM LayerNorm runs on one thread. */
export const LN_THREAD_MIN = 1 << 16;

/** Normalises each row of `n`; writes its mean and `rstd = 1/√(σ² + eps)`. `w`/`b` null mean none. */
export function layerNormForward(
  y: TypedArray, mean: Float32Array | Float64Array, rstd: Float32Array | Float64Array, x: TypedArray, w: TypedArray | null, bias: TypedArray | null, rows: number, n: number, eps: number,
): void {
  for (let r = 0, b = 0; r < rows; r++, b += n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[b + i]!;
    const mu = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[b + i]! - mu) * (x[b + i]! - mu);
    const rs = 1 / Math.sqrt(ss / n + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let i = 0; i < n; i++) {
      const xh = (x[b + i]! - mu) * rs;
      y[b + i] = (w === null ? xh : xh * w[i]!) + (bias === null ? 0 : bias[i]!);
    }
  }
}

/**
 * Backward of {@link layerNormForward}: with `x̂ = (x − μ)·rstd` and `ĝ = g⊙w`,
 * `dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂))`; `dw += Σ g⊙x̂`, `db += Σ g` (float64 accumulators, each optional).
 */
export function layerNormBackward(
  dx: TypedArray | null, dw: Float64Array | null, db: Float64Array | null,
  g: TypedArray, x: TypedArray, w: TypedArray | null, mean: Float32Array | Float64Array, rstd: Float32Array | Float64Array, rows: number, n: number,
): void {
  for (let r = 0, b = 0; r < rows; r++, b += n) {
    const mu = mean[r]!;
    const rs = rstd[r]!;
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < n; i++) {
      const xh = (x[b + i]! - mu) * rs;
      const gh = g[b + i]! * (w === null ? 1 : w[i]!);
      sg += gh;
      sgx += gh * xh;
      if (dw !== null) dw[i]! += g[b + i]! * xh;
      if (db !== null) db[i]! += g[b + i]!;
    }
    if (dx === null) continue;
    sg /= n;
    sgx /= n;
    for (let i = 0; i < n; i++) {
      const xh = (x[b + i]! - mu) * rs;
      dx[b + i] = rs * (g[b + i]! * (w === null ? 1 : w[i]!) - sg - xh * sgx);
    }
  }
}


const partsFor = (rows: number, n: number, threads: number) => Math.min(rows, rows * n >= LN_THREAD_MIN ? wasmParts(threads) : 1);

/** {@link layerNormForward} of float32 on WASM SIMD (`n` a multiple of 4; mean and rstd kept as float32), rows split over up to `threads` threads. */
export function layerNormForwardWasm(
  y: Float32Array, mean: Float32Array, rstd: Float32Array, x: Float32Array, w: Float32Array | null, bias: Float32Array | null, rows: number, n: number, eps: number, threads = 1,
): void {
  if (rows === 0) return;
  const parts = partsFor(rows, n, threads);
  const ops = [output(y, rows * n), output(mean, rows), output(rstd, rows), input(x, rows * n), input(w ?? new Float32Array(n).fill(1), n), input(bias ?? new Float32Array(n), n)];
  callWasm(ops, 0, parts, ({ ptrs: [py, pm, pr, px, pw, pb] }) =>
    Array.from({ length: parts }, (_, p) => {
      const [s, e] = cut(rows, parts, p);
      return [OP.lnFwd, py! + s * n * 4, pm! + s * 4, pr! + s * 4, px! + s * n * 4, pw!, pb!, e - s, n, f32Bits(eps)];
    }),
  );
}

/**
 * {@link layerNormBackward} of float32 on WASM SIMD (`n` a multiple of 4): `dx` split by rows, `dw`
 * and `db` (float64, overwritten rather than accumulated) by columns, over up to `threads` threads.
 */
export function layerNormBackwardWasm(
  dx: Float32Array | null, dw: Float64Array | null, db: Float64Array | null,
  g: Float32Array, x: Float32Array, w: Float32Array | null, mean: Float32Array, rstd: Float32Array, rows: number, n: number, threads = 1,
): void {
  if (rows === 0) return;
  const parts = partsFor(rows, n, threads);
  const stats = [input(mean, rows), input(rstd, rows)];
  if (dx !== null) {
    const ops = [output(dx, rows * n), input(g, rows * n), input(x, rows * n), input(w ?? new Float32Array(n).fill(1), n), ...stats];
    callWasm(ops, 0, parts, ({ ptrs: [pd, pg, px, pw, pm, pr] }) =>
      Array.from({ length: parts }, (_, p) => {
        const [s, e] = cut(rows, parts, p);
        return [OP.lnBwd, pd! + s * n * 4, pg! + s * n * 4, px! + s * n * 4, pw!, pm! + s * 4, pr! + s * 4, e - s, n];
      }),
    );
  }
  if (dw === null && db === null) return;
  const cols = Math.min(parts, n / 4);
  // f64 bits staged as pairs of f32; a gradient nobody wants goes to a scratch array
  const pairs = (a: Float64Array | null) => (a === null ? new Float32Array(2 * n) : new Float32Array(a.buffer, a.byteOffset, 2 * n));
  callWasm([output(pairs(dw), 2 * n), output(pairs(db), 2 * n), input(g, rows * n), input(x, rows * n), ...stats], 0, cols, ({ ptrs: [pw, pb, pg, px, pm, pr] }) =>
    Array.from({ length: cols }, (_, p) => {
      const [s, e] = cut(n, cols, p, 4);
      return [OP.lnDwb, pw! + s * 8, pb! + s * 8, pg! + s * 4, px! + s * 4, pm!, pr!, rows, n, e - s];
    }),
  );
}
