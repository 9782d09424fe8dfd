/**
 * @file Prefix sums over contiguous data laid out `[outer, n, inner]`: each of
 * the `outer·inner` lines of `n` elements (stride `inner`) is scanned, forwards
 * or backwards. Sums accumulate in float64 whatever the storage type.
 */
import type { TypedArray } from "../dtype.js";

/** `out[o, k, i] = Σ_{j ≤ k} x[o, j, i]` (or `Σ_{j ≥ k}` when `reverse`), reading `x` from `off`. */
export function cumsumLines(out: TypedArray, x: TypedArray, off: number, outer: number, n: number, inner: number, reverse: boolean): void {
  const step = reverse ? -inner : inner;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let at = o * n * inner + i + (reverse ? (n - 1) * inner : 0);
      let s = 0;
      for (let k = 0; k < n; k++, at += step) {
        s += x[off + at]!;
        out[at] = s;
      }
    }
  }
}
