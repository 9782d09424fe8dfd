/**
 * @file Rearranging elements: `flip` (a reversed copy, as torch's), and the
 * composites `repeat` (tiling through expand + reshape) and `unbind` (views
 * from `select`), whose gradients come from their parts.
 */
import { record } from "../autograd/node.js";
import type { DType } from "../dtype.js";
import { existingDim, fmtShape, normalizeDims } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { asStrided, checkTensor, copyOf } from "./util.js";

/** A copy of `x` with the order of elements reversed along each of `dims` (`torch.flip`). */
export function flip<D extends DType>(x: Tensor<D>, dims: number | readonly number[]): Tensor<D> {
  checkTensor(x, "flip");
  const ds = normalizeDims(dims, x.ndim, "flip");
  let offset = x.offset;
  const strides = x.strides.map((s, i) => {
    if (!ds.includes(i)) return s;
    offset += (x.shape[i]! - 1) * s;
    return -s;
  });
  const y = copyOf(asStrided(x, x.shape, strides, offset)); // a negative-stride view, read once into fresh storage
  return record("flip", y, [x], (g) => [flip(g, ds)]);
}

/** `x` tiled `repeats[i]` times along dim `i`; extra leading repeats add dims (`torch.Tensor.repeat`). */
export function repeat<D extends DType>(x: Tensor<D>, repeats: readonly number[]): Tensor<D> {
  checkTensor(x, "repeat");
  if (repeats.length < x.ndim || repeats.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new RangeError(`repeat: repeats ${JSON.stringify(repeats)} must be non-negative integers, at least one per dim of ${fmtShape(x.shape)}`);
  }
  const shape = [...new Array<number>(repeats.length - x.ndim).fill(1), ...x.shape];
  // (s0, s1, …) → (1, s0, 1, s1, …) → expand to (r0, s0, r1, s1, …) → reshape to (r0·s0, r1·s1, …)
  const interleaved = shape.flatMap((s) => [1, s]);
  const expanded = shape.flatMap((s, i) => [repeats[i]!, s]);
  return x.reshape(interleaved).expand(expanded).reshape(shape.map((s, i) => s * repeats[i]!));
}

/** The slices of `x` along `dim`, each without that dim (`torch.unbind`); views. */
export function unbind<D extends DType>(x: Tensor<D>, dim = 0): Tensor<D>[] {
  checkTensor(x, "unbind");
  const d = existingDim(dim, x.ndim, "unbind");
  return Array.from({ length: x.shape[d]! }, (_, i) => x.select(d, i));
}
