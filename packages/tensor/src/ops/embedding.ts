/**
 * @file `embedding`: looks token ids up in a (V, D) table; backward
 * scatter-adds into the table's gradient. Ids are checked first, so a bad
 * token id fails naming itself and its position, never reading garbage.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType } from "../dtype.js";
import { embeddingBackward, embeddingBackwardWasm, embeddingForward, embeddingForwardWasm } from "../kernels/embedding.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { acquire, release } from "../memory/pool.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator, position } from "./fused-util.js";
import { checkTensor, contiguousData, uninit } from "./util.js";

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
  const n = flat.length;
  const y = uninit(weight.dtype, [...ids.shape, Dm]); // every row is written
  const table = contiguousData(weight).data;
  const wasm = weight.dtype === "float32" && Dm % 4 === 0 && getBackend() === "wasm" && wasmAvailable();
  const f32 = (x: unknown) => x as Float32Array;
  if (!(wasm && tryWasm(() => embeddingForwardWasm(f32(y.data), f32(table), flat, n, Dm, getThreads())))) embeddingForward(y.data, table, flat, n, Dm);
  return record("embedding", y, [weight], (g) => {
    const gs = contiguousData(g).data;
    // NOTE: the float64 accumulator is a pooled temporary, returned at once (a fresh V·D array per step costs page faults)
    if (wasm) {
      const dw = uninit(weight.dtype, weight.shape);
      const acc = acquire("float32", 2 * V * Dm, false);
      const ok = tryWasm(() => embeddingBackwardWasm(f32(dw.data), acc, f32(gs), flat, n, V, Dm, getThreads()));
      release(acc);
      if (ok) return [dw];
    }
    const acc = acquire("float64", V * Dm);
    embeddingBackward(acc, gs, flat, n, Dm);
    const dw = fromAccumulator(acc, weight.dtype, weight.shape);
    release(acc);
    return [dw];
  });
}
