/**
 * @file `cumsum`: running sums along one dim. Its backward is the running sum
 * of the gradient taken from the other end (`dx_k = Σ_{j ≥ k} g_j`).
 */
import { record } from "../autograd/node.js";
import type { Arith, DType } from "../dtype.js";
import { cumsumLines } from "../kernels/scan.js";
import { numelOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, contiguousData, uninit } from "./util.js";
import { normalizeDim } from "../shape.js";

function scan(x: Tensor, d: number, reverse: boolean, dtype: DType): Tensor {
  const src = contiguousData(x);
  const out = uninit(dtype, x.shape);
  const shape = x.ndim === 0 ? [1] : x.shape;
  cumsumLines(out.storage.data, src.storage.data, src.offset, numelOf(shape.slice(0, d)), shape[d]!, numelOf(shape.slice(d + 1)), reverse);
  return out;
}

/** Running sum along `dim` (`torch.cumsum`); bool counts in int32. */
export function cumsum<D extends DType>(x: Tensor<D>, dim: number): Tensor<Arith<D>> {
  checkTensor(x, "cumsum");
  const d = normalizeDim(dim, x.ndim, "cumsum");
  const y = scan(x, d, false, x.dtype === "bool" ? "int32" : x.dtype);
  return record("cumsum", y, [x], (g) => [scan(g, d, true, g.dtype)]) as Tensor<Arith<D>>;
}
