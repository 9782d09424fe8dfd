/**
 * @file `siluMul`: the SwiGLU gate `silu(a) · b` (Shazeer 2020; LLaMA's feed-forward) fused into
 * one pass forward and one backward, instead of `silu` and `mul` with their temporaries. float32
 * runs on WASM SIMD with a polynomial exp (kernels/silu-mul.ts); float64 on plain loops.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType } from "../dtype.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { SILU_MUL_WASM_MIN, siluMulBackward, siluMulBackwardWasm, siluMulForward, siluMulForwardWasm } from "../kernels/silu-mul.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, contiguousData, uninit } from "./util.js";

/** `silu(a) · b = a · sigmoid(a) · b` for float tensors of one shape and dtype (no broadcasting). */
export function siluMul<D extends DType>(a: Tensor<D>, b: Tensor<D>): Tensor<D> {
  const op = "siluMul";
  checkTensor(a, op, "a");
  checkTensor(b, op, "b");
  if (!isFloat(a.dtype) || b.dtype !== a.dtype) throw new TypeError(`${op}: a and b must share one float dtype, got ${a.dtype} and ${b.dtype}`);
  if (a.ndim !== b.ndim || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new RangeError(`${op}: a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)} must have the same shape`);
  }
  const [ac, bc] = [contiguousData(a), contiguousData(b)];
  const wasm = a.dtype === "float32" && a.numel >= SILU_MUL_WASM_MIN && getBackend() === "wasm" && wasmAvailable();
  const y = uninit(a.dtype, a.shape); // the kernels write every element of y, da and db
  const f32 = (x: unknown) => x as Float32Array; // or Float64Array: the JS loops take either
  if (!(wasm && tryWasm(() => siluMulForwardWasm(f32(y.data), f32(ac.data), f32(bc.data), getThreads())))) siluMulForward(f32(y.data), f32(ac.data), f32(bc.data));
  return record(
    op,
    y,
    [a, b],
    (g) => {
      const [da, db] = [uninit(a.dtype, a.shape), uninit(b.dtype, b.shape)];
      const gd = contiguousData(g).data;
      const args = [f32(da.data), f32(db.data), f32(ac.data), f32(bc.data), f32(gd)] as const;
      if (!(wasm && tryWasm(() => siluMulBackwardWasm(...args, getThreads())))) siluMulBackward(...args);
      return [a.requiresGrad ? da : null, b.requiresGrad ? db : null];
    },
    [ac, bc],
  );
}
