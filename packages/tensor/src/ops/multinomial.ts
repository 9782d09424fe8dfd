/**
 * @file `multinomial`: indices drawn from rows of non-negative weights with a
 * seeded {@link Generator}, with or without replacement (`torch.multinomial`).
 * Same generator state, same draws; torch's own stream differs, so only the
 * distribution, not the exact draws, matches PyTorch's.
 */
import { contiguousData, checkTensor, empty } from "./util.js";
import { defaultGenerator, type Generator } from "../random/generator.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** Options of {@link multinomial}. */
export interface MultinomialOptions {
  /** Draw with replacement (default false: each index at most once per row). */
  replacement?: boolean;
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

/** Draws one index from `w[0…n)` with probability `w[i] / Σw` (inverse CDF). */
function draw(w: Float64Array, total: number, g: Generator): number {
  let u = g.random() * total;
  let last = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i]! <= 0) continue;
    last = i;
    u -= w[i]!;
    if (u < 0) return i;
  }
  return last; // rounding left u a hair above zero: the last index with weight
}

/**
 * `numSamples` indices per row of `probs` (1-D `(n)` or 2-D `(rows, n)`), each
 * drawn with probability proportional to its weight; int32 of shape
 * `(numSamples)` or `(rows, numSamples)`. Not differentiable.
 */
export function multinomial(probs: Tensor, numSamples: number, { replacement = false, generator = defaultGenerator }: MultinomialOptions = {}): Tensor<"int32"> {
  checkTensor(probs, "multinomial");
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new RangeError(`multinomial: probs must be 1-D or 2-D, got ${fmtShape(probs.shape)}`);
  const n = probs.shape[probs.ndim - 1]!;
  const rows = probs.ndim === 1 ? 1 : probs.shape[0]!;
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new RangeError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  if (!replacement && numSamples > n) throw new RangeError(`multinomial: cannot draw ${numSamples} samples without replacement from ${n} categories`);
  const src = contiguousData(probs);
  const data = src.storage.data;
  const rowsW: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const w = Float64Array.from({ length: n }, (_, i) => Number(data[src.offset + r * n + i]));
    const bad = w.findIndex((v) => !(v >= 0) || v === Infinity);
    if (bad >= 0) throw new RangeError(`multinomial: weight ${w[bad]} at row ${r}, index ${bad} is not a finite non-negative number`);
    const positive = w.filter((v) => v > 0).length;
    if (positive === 0) throw new RangeError(`multinomial: row ${r} has no positive weight`);
    if (!replacement && positive < numSamples) {
      throw new RangeError(`multinomial: row ${r} has only ${positive} positive weight(s), fewer than ${numSamples} samples without replacement`);
    }
    rowsW.push(w);
  }
  const out = empty("int32", probs.ndim === 1 ? [numSamples] : [rows, numSamples]);
  rowsW.forEach((w, r) => {
    for (let s = 0; s < numSamples; s++) {
      const total = w.reduce((a, b) => a + b, 0); // re-summed, so removing drawn weights accumulates no rounding
      const i = draw(w, total, generator);
      out.storage.data[r * numSamples + s] = i;
      if (!replacement) w[i] = 0;
    }
  });
  return out;
}
