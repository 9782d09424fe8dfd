/**
 * @file `layerNorm`: fused layer normalisation over the last dim (Ba et al.
 * 2016), for ablations against RMSNorm. Keeps only each row's mean and rstd
 * for backward.
 */
import { record } from "../autograd/node.js";
import type { DType } from "../dtype.js";
import { layerNormBackward, layerNormForward } from "../kernels/layer-norm.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator } from "./fused-util.js";
import { checkNormInput, checkNormParam } from "./rms-norm.js";
import { contiguousData, empty } from "./util.js";

/**
 * LayerNorm over the last dim: `(x − mean) / √(var + eps) · weight + bias`
 * (biased variance, as `torch.nn.functional.layer_norm`); weight and bias may be null.
 */
export function layerNorm<D extends DType>(x: Tensor<D>, weight: Tensor<D> | null, bias: Tensor<D> | null = null, eps = 1e-5): Tensor<D> {
  checkNormInput("layerNorm", x, eps);
  const w = checkNormParam("layerNorm", "weight", weight, x);
  const b = checkNormParam("layerNorm", "bias", bias, x);
  const xs = contiguousData(x);
  const n = x.shape[x.ndim - 1]!;
  const rows = n === 0 ? 0 : x.numel / n;
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  const y = empty(x.dtype, x.shape);
  layerNormForward(y.data, mean, rstd, xs.data, w?.data ?? null, b?.data ?? null, rows, n, eps);
  return record(
    "layerNorm",
    y,
    [x, weight, bias],
    (g) => {
      const dx = x.requiresGrad ? empty(x.dtype, x.shape) : null;
      const dw = weight?.requiresGrad ? new Float64Array(n) : null;
      const db = bias?.requiresGrad ? new Float64Array(n) : null;
      layerNormBackward(dx?.data ?? null, dw, db, contiguousData(g).data, xs.data, w?.data ?? null, mean, rstd, rows, n);
      return [dx, dw && fromAccumulator(dw, x.dtype, [n]), db && fromAccumulator(db, x.dtype, [n])];
    },
    w === null ? [xs] : [xs, w],
  );
}
