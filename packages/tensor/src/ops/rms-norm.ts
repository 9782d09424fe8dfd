/**
 * @file `rmsNorm`: fused RMS normalisation over the last dim with a learned
 * scale (LLaMA's pre-norm; Zhang & Sennrich 2019). One kernel forward, one
 * backward for x and weight; only the per-row `rstd` is kept for backward.
 */
import { record } from "../autograd/node.js";
import type { DType } from "../dtype.js";
import { getThreads } from "../kernels/matmul.js";
import { rmsNormBackward, rmsNormBackwardWasm, rmsNormForward, rmsNormForwardWasm } from "../kernels/rms-norm.js";
import { tryWasm } from "../runtime/wasm.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator } from "./fused-util.js";
import { f32, normRows } from "./norm-rows.js";
import { contiguousData, uninit } from "./util.js";

/**
 * RMSNorm over the last dim: `x / √(mean(x², −1) + eps) · weight`, eps inside
 * the square root (LLaMA, HF `LlamaRMSNorm`). `weight` is `[n]` or null.
 */
export function rmsNorm<D extends DType>(x: Tensor<D>, weight: Tensor<D> | null, eps = 1e-6): Tensor<D> {
  const { xs, n, rows, y, w, wasm } = normRows("rmsNorm", x, eps, weight);
  let rstd: Float32Array | Float64Array = new Float32Array(rows);
  if (!(wasm && tryWasm(() => rmsNormForwardWasm(f32(y), rstd as Float32Array, f32(xs), w === null ? null : f32(w), rows, n, eps, getThreads())))) {
    rstd = new Float64Array(rows);
    rmsNormForward(y.data, rstd, xs.data, w?.data ?? null, rows, n, eps);
  }
  return record(
    "rmsNorm",
    y,
    [x, weight],
    (g) => {
      const dx = x.requiresGrad ? uninit(x.dtype, x.shape) : null;
      const dw = weight?.requiresGrad ? new Float64Array(n) : null;
      const gs = contiguousData(g);
      const onWasm = rstd instanceof Float32Array && tryWasm(() => rmsNormBackwardWasm(f32(dx), dw, f32(gs), f32(xs), f32(w), rstd as Float32Array, rows, n, getThreads()));
      if (!onWasm) rmsNormBackward(dx?.data ?? null, dw?.fill(0) ?? null, gs.data, xs.data, w?.data ?? null, rstd, rows, n);
      return [dx, dw === null ? null : fromAccumulator(dw, x.dtype, [n])];
    },
    w === null ? [xs] : [xs, w],
  );
}
