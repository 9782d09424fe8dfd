/**
 * @file Reduction kernels over contiguous data: each row of `inner`
 * consecutive elements reduces to one value (`reduceRows`), or, when the
 * reduced dims lead, whole rows are summed together (`sumLeading`).
 * Sums accumulate in float64 whatever the storage type.
 */
import type { TypedArray } from "../dtype.js";

/** What a reduction computes per row. */
export type ReduceKind = "sum" | "max" | "min" | "argmax" | "argmin" | "logsumexp";

/** `out[r] = reduce(x[off + r·n … off + r·n + n))` for `rows` rows of `n` elements. */
export function reduceRows(kind: ReduceKind, out: TypedArray, x: TypedArray, off: number, rows: number, n: number): void {
  for (let r = 0, base = off; r < rows; r++, base += n) {
    const end = base + n;
    switch (kind) {
      case "sum": {
        let s = 0;
        for (let i = base; i < end; i++) s += x[i]!;
        out[r] = s;
        break;
      }
      case "max":
      case "min":
      case "argmax":
      case "argmin": {
        const isMax = kind === "max" || kind === "argmax";
        let best = x[base]!;
        let at = 0;
        for (let i = base; i < end; i++) {
          const v = x[i]!;
          if (v !== v) {
            best = v; // NOTE: NaN wins, as in torch
            at = i - base;
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            at = i - base;
          }
        }
        out[r] = kind === "max" || kind === "min" ? best : at;
        break;
      }
      case "logsumexp": {
        let m = -Infinity;
        for (let i = base; i < end; i++) if (x[i]! > m || x[i] !== x[i]) m = x[i]!;
        if (m === -Infinity || m === Infinity || m !== m) {
          out[r] = m;
          break;
        }
        let s = 0;
        for (let i = base; i < end; i++) s += Math.exp(x[i]! - m);
        out[r] = m + Math.log(s);
        break;
      }
    }
  }
}

/** `out[j] = Σ_i x[off + i·inner + j]`: sums `outer` leading rows of `inner` elements. */
export function sumLeading(out: TypedArray, x: TypedArray, off: number, outer: number, inner: number): void {
  const acc = new Float64Array(inner);
  for (let i = 0, base = off; i < outer; i++, base += inner) {
    for (let j = 0; j < inner; j++) acc[j]! += x[base + j]!;
  }
  for (let j = 0; j < inner; j++) out[j] = acc[j]!;
}
