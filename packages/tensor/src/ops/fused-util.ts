/**
 * @file Helpers the fused ops share (norms, attention, embedding,
 * cross-entropy): float64 accumulators back to tensors, and positions in error messages.
 */
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { empty } from "./util.js";

/** A fresh tensor of `dtype` and `shape` holding a float64 accumulator's values. */
export function fromAccumulator<D extends DType>(acc: Float64Array, dtype: D, shape: readonly number[]): Tensor<D> {
  const t = empty(dtype, shape);
  t.storage.data.set(acc);
  return t;
}

/** Flat row-major position `i` of `shape` as a multi-index, `[1, 3]`, for error messages. */
export function position(i: number, shape: readonly number[]): string {
  const idx = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return `[${idx.join(", ")}]`;
}
