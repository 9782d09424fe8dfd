/**
 * @file What every norm over the last dim (`rmsNorm`, `layerNorm`) does before
 * its kernel: check the input, eps and per-feature parameters, then view the input
 * as `rows × n` contiguous data, allocate the output, and decide whether the
 * WASM SIMD kernel can take it.
 */
import { isFloat, type DType } from "../dtype.js";
import { getBackend } from "../kernels/matmul.js";
import { wasmAvailable } from "../runtime/wasm.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, contiguousData, uninit } from "./util.js";

// Checks a per-feature parameter (`weight`, `bias`) of a norm over the last dim of `x`.
function checkNormParam(op: string, arg: string, p: Tensor | null, x: Tensor): void {
  if (p === null) return;
  checkTensor(p, op, arg);
  const n = x.shape[x.ndim - 1];
  if (p.ndim !== 1 || p.shape[0] !== n) {
    throw new RangeError(`${op}: ${arg} of shape ${fmtShape(p.shape)} does not match the last dim of input ${fmtShape(x.shape)} (expected [${n}])`);
  }
  if (p.dtype !== x.dtype) throw new TypeError(`${op}: ${arg} dtype ${p.dtype} differs from input dtype ${x.dtype}`);
}

/**
 * A norm's input as rows: its contiguous data, the row length `n`, the row count, the output to
 * fill, the contiguous weight and bias (null where not given), and whether the WASM kernel applies.
 */
export interface NormRows<D extends DType> {
  xs: Tensor<D>;
  n: number;
  rows: number;
  y: Tensor<D>;
  w: Tensor<D> | null;
  b: Tensor<D> | null;
  wasm: boolean;
}

/**
 * Checks the input, eps, weight and bias of norm `op` over the last dim, then (nothing is
 * allocated before every check has passed) lays them out as rows (see {@link NormRows}).
 */
export function normRows<D extends DType>(op: string, x: Tensor<D>, eps: number, weight: Tensor<D> | null, bias: Tensor<D> | null = null): NormRows<D> {
  checkTensor(x, op);
  if (!isFloat(x.dtype)) throw new TypeError(`${op}: input must be float32 or float64, got ${x.dtype}`);
  if (x.ndim === 0) throw new RangeError(`${op}: input must have at least 1 dim, got a 0-d tensor`);
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be ≥ 0, got ${eps}`);
  checkNormParam(op, "weight", weight, x);
  checkNormParam(op, "bias", bias, x);
  const n = x.shape[x.ndim - 1]!;
  return {
    xs: contiguousData(x),
    n,
    rows: n === 0 ? 0 : x.numel / n,
    y: uninit(x.dtype, x.shape), // every element is written by the kernel
    w: weight === null ? null : contiguousData(weight),
    b: bias === null ? null : contiguousData(bias),
    wasm: x.dtype === "float32" && n % 4 === 0 && getBackend() === "wasm" && wasmAvailable(),
  };
}

/** A float32 tensor's data for a WASM kernel (null stays null). */
export const f32 = (t: Tensor | null) => (t?.data ?? null) as Float32Array;
