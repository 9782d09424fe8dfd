/**
 * @file `embedding`: looks token ids up in a (V, D) table; backward
 * scatter-adds into the table's gradient. Ids are checked first, so a bad
 * token id fails naming itself and its position, never reading garbage.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType } from "../dtype.js";
import { embeddingBackward, embeddingForward } from "../kernels/embedding.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator, position } from "./fused-util.js";
import { checkTensor, contiguousData, empty } from "./util.js";

/** Rows of `weight` (V, D) picked by int32 `ids` of any shape: result `[...ids.shape, D]` (`F.embedding`). */
export function embedding<D extends DType>(weight: Tensor<D>, ids: Tensor): Tensor<D> {
  checkTensor(weight, "embedding", "weight");
  checkTensor(ids, "embedding", "ids");
  if (weight.ndim !== 2 || !isFloat(weight.dtype)) throw new RangeError(`embedding: weight must be a float (V, D) table, got ${weight.dtype} ${fmtShape(weight.shape)}`);
  if (ids.dtype !== "int32") throw new TypeError(`embedding: ids must be int32, got ${ids.dtype}`);
  const [V, Dm] = weight.shape as [number, number];
  const flat = (contiguousData(ids).data as Int32Array).slice(); // a copy: backward must see the ids of this call
  for (let i = 0; i < flat.length; i++) {
    const id = flat[i]!;
    if (id < 0 || id >= V) throw new RangeError(`embedding: id ${id} at position ${position(i, ids.shape)} is out of range for a vocabulary of ${V}`);
  }
  const y = empty(weight.dtype, [...ids.shape, Dm]);
  embeddingForward(y.data, contiguousData(weight).data, flat, flat.length, Dm);
  return record("embedding", y, [weight], (g) => {
    const dw = new Float64Array(V * Dm);
    embeddingBackward(dw, contiguousData(g).data, flat, flat.length, Dm);
    return [fromAccumulator(dw, weight.dtype, weight.shape)];
  });
}
