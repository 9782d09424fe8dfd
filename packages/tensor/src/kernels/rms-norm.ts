/**
 * @file RMSNorm row kernels (Zhang & Sennrich 2019; llama2.c's `rmsnorm`):
 * `y = x / √(mean(x²) + eps) · w` over contiguous rows of `n`, and the fused
 * backward for x and w. Sums accumulate in float64.
 */
import type { TypedArray } from "../dtype.js";

/** `y = x · rstd · w` per row of `n`; writes each row's `rstd = 1/√(mean(x²) + eps)`. `w` null means no scale. */
export function rmsNormForward(y: TypedArray, rstd: Float64Array, x: TypedArray, w: TypedArray | null, rows: number, n: number, eps: number): void {
  for (let r = 0, b = 0; r < rows; r++, b += n) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[b + i]! * x[b + i]!;
    const s = 1 / Math.sqrt(ss / n + eps);
    rstd[r] = s;
    if (w === null) for (let i = 0; i < n; i++) y[b + i] = x[b + i]! * s;
    else for (let i = 0; i < n; i++) y[b + i] = x[b + i]! * s * w[i]!;
  }
}

/**
 * Backward of {@link rmsNormForward}: `dx = r·g⊙w − x·r³·Σ(g⊙w⊙x)/n` (since
 * `∂r/∂xⱼ = −r³xⱼ/n`), and `dw += Σ_rows g⊙x·r` into the float64 `dw` when given.
 */
export function rmsNormBackward(
  dx: TypedArray | null, dw: Float64Array | null, g: TypedArray, x: TypedArray, w: TypedArray | null, rstd: Float64Array, rows: number, n: number,
): void {
  for (let r = 0, b = 0; r < rows; r++, b += n) {
    const s = rstd[r]!;
    if (dw !== null) for (let i = 0; i < n; i++) dw[i]! += g[b + i]! * x[b + i]! * s;
    if (dx === null) continue;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += g[b + i]! * (w === null ? 1 : w[i]!) * x[b + i]!;
    const c = (dot * s * s * s) / n;
    for (let i = 0; i < n; i++) dx[b + i] = s * g[b + i]! * (w === null ? 1 : w[i]!) - x[b + i]! * c;
  }
}
