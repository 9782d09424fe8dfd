/**
 * @file LayerNorm row kernels (Ba et al. 2016): `y = (x − μ)/√(σ² + eps) · w + b`
 * over contiguous rows of `n` (biased variance, as torch), and the fused
 * backward for x, w and b. Sums accumulate in float64.
 */
import type { TypedArray } from "../dtype.js";

/** Normalises each row of `n`; writes its mean and `rstd = 1/√(σ² + eps)`. `w`/`b` null mean none. */
export function layerNormForward(
  y: TypedArray, mean: Float64Array, rstd: Float64Array, x: TypedArray, w: TypedArray | null, bias: TypedArray | null, rows: number, n: number, eps: number,
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
  g: TypedArray, x: TypedArray, w: TypedArray | null, mean: Float64Array, rstd: Float64Array, rows: number, n: number,
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
