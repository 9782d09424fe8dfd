/**
 * @file Embedding lookup (row gather) and its scatter-add backward over a
 * contiguous (V, D) table and flat int32 ids. Ids are range-checked by the op.
 */
import type { TypedArray } from "../dtype.js";

/** `y[i] = w[ids[i]]` for `n` ids, rows of `D`. */
export function embeddingForward(y: TypedArray, w: TypedArray, ids: Int32Array, n: number, D: number): void {
  for (let i = 0; i < n; i++) {
    const from = ids[i]! * D;
    y.set(w.subarray(from, from + D), i * D);
  }
}

/** `dw[ids[i]] += g[i]`: repeated ids accumulate. `dw` is a float64 (V, D) accumulator. */
export function embeddingBackward(dw: Float64Array, g: TypedArray, ids: Int32Array, n: number, D: number): void {
  for (let i = 0; i < n; i++) {
    const to = ids[i]! * D;
    for (let d = 0, from = i * D; d < D; d++) dw[to + d]! += g[from + d]!;
  }
}
