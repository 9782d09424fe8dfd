/**
 * @file `rmsNorm`: fused RMS normalisation over the last dim with a learned
 * scale (LLaMA's pre-norm; Zhang & Sennrich 2019). One kernel forward, one
 * backward for x and weight; only the per-row `rstd` is kept for backward.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType } from "../dtype.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { rmsNormBackward, rmsNormBackwardWasm, rmsNormForward, rmsNormForwardWasm } from "../kernels/rms-norm.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator } from "./fused-util.js";
import { checkTensor, contiguousData, uninit } from "./util.js";

/** Checks a per-feature parameter (`weight`, `bias`) of a norm over the last dim of `x`; returns its contiguous data. */
export function checkNormParam(op: string, arg: string, p: Tensor | null, x: Tensor): Tensor | null {
  if (p === null) return null;
  checkTensor(p, op, arg);
  const n = x.shape[x.ndim - 1];
  if (p.ndim !== 1 || p.shape[0] !== n) {
    throw new RangeError(`${op}: ${arg} of shape ${fmtShape(p.shape)} does not match the last dim of input ${fmtShape(x.shape)} (expected [${n}])`);
  }
  if (p.dtype !== x.dtype) throw new TypeError(`${op}: ${arg} dtype ${p.dtype} differs from input dtype ${x.dtype}`);
  return contiguousData(p);
}

/** Checks the input of a norm over the last dim. */
export function checkNormInput(op: string, x: Tensor, eps: number): void {
  checkTensor(x, op);
  if (!isFloat(x.dtype)) throw new TypeError(`${op}: input must be float32 or float64, got ${x.dtype}`);
  if (x.ndim === 0) throw new RangeError(`${op}: input must have at least 1 dim, got a 0-d tensor`);
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be ≥ 0, got ${eps}`);
}

/**
 * RMSNorm over the last dim: `x / √(mean(x², −1) + eps) · weight`, eps inside
 * the square root (LLaMA, HF `LlamaRMSNorm`). `weight` is `[n]` or null.
 */
export function rmsNorm<D extends DType>(x: Tensor<D>, weight: Tensor<D> | null, eps = 1e-6): Tensor<D> {
  checkNormInput("rmsNorm", x, eps);
  const w = checkNormParam("rmsNorm", "weight", weight, x);
  const xs = contiguousData(x);
  const n = x.shape[x.ndim - 1]!;
  const rows = n === 0 ? 0 : x.numel / n;
  const y = uninit(x.dtype, x.shape); // every element is written
  const wasm = x.dtype === "float32" && n % 4 === 0 && getBackend() === "wasm" && wasmAvailable();
  const f32 = (t: Tensor | null) => (t?.data ?? null) as Float32Array;
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
