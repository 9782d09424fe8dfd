/**
 * @file `layerNorm`: fused layer normalisation over the last dim (Ba et al.
 * 2016), for ablations against RMSNorm. Keeps only each row's mean and rstd
 * for backward.
 */
import { record } from "../autograd/node.js";
import type { DType } from "../dtype.js";
import { layerNormBackward, layerNormBackwardWasm, layerNormForward, layerNormForwardWasm } from "../kernels/layer-norm.js";
import { getThreads } from "../kernels/matmul.js";
import { tryWasm } from "../runtime/wasm.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator } from "./fused-util.js";
import { f32, normRows } from "./norm-rows.js";
import { contiguousData, uninit } from "./util.js";

/**
 * LayerNorm over the last dim: `(x − mean) / √(var + eps) · weight + bias`
 * (biased variance, as `torch.nn.functional.layer_norm`); weight and bias may be null.
 */
export function layerNorm<D extends DType>(x: Tensor<D>, weight: Tensor<D> | null, bias: Tensor<D> | null = null, eps = 1e-5): Tensor<D> {
  const { xs, n, rows, y, w, b, wasm } = normRows("layerNorm", x, eps, weight, bias);
  let mean: Float32Array | Float64Array = new Float32Array(rows);
  let rstd: Float32Array | Float64Array = new Float32Array(rows);
  const onWasm = wasm && tryWasm(() => layerNormForwardWasm(f32(y), mean as Float32Array, rstd as Float32Array, f32(xs), f32(w), f32(b), rows, n, eps, getThreads()));
  if (!onWasm) {
    [mean, rstd] = [new Float64Array(rows), new Float64Array(rows)];
    layerNormForward(y.data, mean, rstd, xs.data, w?.data ?? null, b?.data ?? null, rows, n, eps);
  }
  return record(
    "layerNorm",
    y,
    [x, weight, bias],
    (g) => {
      const dx = x.requiresGrad ? uninit(x.dtype, x.shape) : null;
      const dw = weight?.requiresGrad ? new Float64Array(n) : null;
      const db = bias?.requiresGrad ? new Float64Array(n) : null;
      const gs = contiguousData(g);
      const args = [f32(dx), dw, db, f32(gs), f32(xs), f32(w), mean as Float32Array, rstd as Float32Array, rows, n] as const;
      if (!(onWasm && tryWasm(() => layerNormBackwardWasm(...args, getThreads())))) {
        layerNormBackward(dx?.data ?? null, dw?.fill(0) ?? null, db?.fill(0) ?? null, gs.data, xs.data, w?.data ?? null, mean, rstd, rows, n);
      }
      return [dx, dw && fromAccumulator(dw, x.dtype, [n]), db && fromAccumulator(db, x.dtype, [n])];
    },
    w === null ? [xs] : [xs, w],
  );
}
