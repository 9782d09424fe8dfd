/**
 * @file Sorting kernel: for each row of `n` contiguous elements, the stable
 * order of indices that sorts it. NaN counts as larger than every number (as
 * in torch), so it comes last ascending and first descending.
 */
import type { TypedArray } from "../dtype.js";

/** `out[r·n + k]` = index of the k-th smallest (largest when `descending`) element of row `r`. */
export function argsortRows(out: Int32Array, x: TypedArray, off: number, rows: number, n: number, descending: boolean): void {
  const order = new Array<number>(n);
  const sign = descending ? -1 : 1;
  for (let r = 0; r < rows; r++) {
    const base = off + r * n;
    for (let k = 0; k < n; k++) order[k] = k;
    order.sort((i, j) => {
      const a = x[base + i]!;
      const b = x[base + j]!;
      if (a === b) return i - j;
      if (a !== a) return b !== b ? i - j : sign; // NaN is the largest
      if (b !== b) return -sign;
      return (a < b ? -1 : 1) * sign;
    });
    for (let k = 0; k < n; k++) out[r * n + k] = order[k]!;
  }
}
