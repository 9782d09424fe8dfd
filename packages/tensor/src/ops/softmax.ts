/**
 * @file `softmax` and `logSoftmax` along one dim: fused, numerically stable
 * row kernels with their own backward (no exp/sum/div graph is stored).
 */
import { record } from "../autograd/node.js";
import { floatOf, type DType, type FloatOf } from "../dtype.js";
import { softmaxBackwardRows, softmaxRows } from "../kernels/softmax.js";
import { normalizeDim } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, contiguousData, empty } from "./util.js";

/** Runs a row kernel over `dim` by moving it last (a copy only when it is not last already). */
function alongDim(x: Tensor, dim: number, fn: (rowsData: Tensor, rows: number, n: number) => Tensor): Tensor {
  const last = Math.max(x.ndim - 1, 0);
  const moved = dim === last ? x : x.transpose(dim, last);
  const src = contiguousData(moved);
  const n = x.ndim === 0 ? 1 : x.shape[dim]!;
  const y = fn(src, n === 0 ? 0 : src.numel / n, n);
  return dim === last ? y : contiguousData(y.transpose(dim, last));
}

function softmaxOp<D extends DType>(name: "softmax" | "logSoftmax", x: Tensor<D>, dim: number): Tensor<FloatOf<D>> {
  checkTensor(x, name);
  const d = normalizeDim(dim, x.ndim, name);
  const log = name === "logSoftmax";
  const dtype = floatOf(x.dtype);
  const y = alongDim(x, d, (src, rows, n) => {
    const out = empty(dtype, src.shape);
    softmaxRows(out.storage.data, src.storage.data, src.offset, rows, n, log);
    return out;
  });
  return record(
    name,
    y,
    [x],
    (g) => {
      const last = Math.max(x.ndim - 1, 0);
      const yl = contiguousData(d === last ? y : y.transpose(d, last));
      return [
        alongDim(g, d, (gs, rows, n) => {
          const dx = empty(dtype, gs.shape);
          softmaxBackwardRows(dx.storage.data, gs.storage.data.subarray(gs.offset), yl.storage.data, rows, n, log);
          return dx;
        }),
      ];
    },
    [y],
  ) as Tensor<FloatOf<D>>;
}

/** `exp(x) / Σ exp(x)` along `dim`, stable (softmax([1000, 0]) = [1, 0]). */
export function softmax<D extends DType>(x: Tensor<D>, dim = -1): Tensor<FloatOf<D>> {
  return softmaxOp("softmax", x, dim);
}

/** `x − log Σ exp(x)` along `dim`, stable. */
export function logSoftmax<D extends DType>(x: Tensor<D>, dim = -1): Tensor<FloatOf<D>> {
  return softmaxOp("logSoftmax", x, dim);
}
