/**
 * @file Row-wise softmax and log-softmax, forward and backward, over
 * contiguous rows of `n` elements. Stable: the row max is subtracted first,
 * so softmax([1000, 0]) is [1, 0].
 */
import type { TypedArray } from "../dtype.js";

/** `y = softmax(x)` (or `log_softmax` when `log`) for each of `rows` rows. */
export function softmaxRows(y: TypedArray, x: TypedArray, xOff: number, rows: number, n: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const xb = xOff + r * n;
    const yb = r * n;
    let m = -Infinity;
    for (let i = 0; i < n; i++) if (x[xb + i]! > m) m = x[xb + i]!;
    if (m === -Infinity) m = 0; // an all -inf row gives NaN (softmax) / -inf (log), as in torch
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[xb + i]! - m);
    if (log) {
      const lse = m + Math.log(s);
      for (let i = 0; i < n; i++) y[yb + i] = x[xb + i]! - lse;
    } else {
      const inv = 1 / s;
      for (let i = 0; i < n; i++) y[yb + i] = Math.exp(x[xb + i]! - m) * inv;
    }
  }
}

/**
 * Backward of {@link softmaxRows}: softmax `dx = y ⊙ (g − Σ g⊙y)`;
 * log-softmax `dx = g − eʸ Σ g`. All arrays contiguous from 0.
 */
export function softmaxBackwardRows(dx: TypedArray, g: TypedArray, y: TypedArray, rows: number, n: number, log: boolean): void {
  for (let r = 0, b = 0; r < rows; r++, b += n) {
    let s = 0;
    if (log) {
      for (let i = 0; i < n; i++) s += g[b + i]!;
      for (let i = 0; i < n; i++) dx[b + i] = g[b + i]! - Math.exp(y[b + i]!) * s;
    } else {
      for (let i = 0; i < n; i++) s += g[b + i]! * y[b + i]!;
      for (let i = 0; i < n; i++) dx[b + i] = y[b + i]! * (g[b + i]! - s);
    }
  }
}
