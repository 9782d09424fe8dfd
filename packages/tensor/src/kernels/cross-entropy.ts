/**
 * @file Fused log-softmax + negative log-likelihood over rows of `V` logits:
 * `loss = logsumexp(x) − x[target]`, stable (the row max is subtracted), and
 * its backward `softmax(x) − onehot(target)` — the probabilities are never stored.
 */
import type { TypedArray } from "../dtype.js";

/** Per-row loss and logsumexp; rows whose target is `ignoreIndex` get loss 0. */
export function crossEntropyForward(
  loss: Float64Array, lse: Float64Array, x: TypedArray, targets: Int32Array, N: number, V: number, ignoreIndex: number,
): void {
  for (let r = 0, b = 0; r < N; r++, b += V) {
    let m = -Infinity;
    for (let j = 0; j < V; j++) if (x[b + j]! > m) m = x[b + j]!;
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(x[b + j]! - m);
    const l = m + Math.log(s);
    lse[r] = l;
    const t = targets[r]!;
    loss[r] = t === ignoreIndex ? 0 : l - x[b + t]!;
  }
}

/** `dx[r] = scale[r] · (exp(x[r] − lse[r]) − onehot(target[r]))`; ignored rows get 0. */
export function crossEntropyBackward(
  dx: TypedArray, x: TypedArray, targets: Int32Array, lse: Float64Array, scale: Float64Array, N: number, V: number, ignoreIndex: number,
): void {
  for (let r = 0, b = 0; r < N; r++, b += V) {
    const t = targets[r]!;
    if (t === ignoreIndex) {
      dx.fill(0, b, b + V);
      continue;
    }
    const c = scale[r]!;
    const l = lse[r]!;
    for (let j = 0; j < V; j++) dx[b + j] = c * Math.exp(x[b + j]! - l);
    dx[b + t] = dx[b + t]! - c;
  }
}
