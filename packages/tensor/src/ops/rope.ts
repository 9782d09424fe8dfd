/**
 * @file `rope`: rotary position embeddings (Su et al. 2021) applied to q or k
 * laid out (B, T, nh, hs) — the layout a projection's output reshapes to for
 * free. Hugging Face `rotate_half` convention: pairs (i, i + hs/2). The
 * backward is the inverse rotation. `rotaryTables` builds the cos/sin tables.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType, type FloatDType } from "../dtype.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { ropeForward, ropeForwardWasm } from "../kernels/rope.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, contiguousData, empty, uninit } from "./util.js";

/**
 * cos and sin tables of shape (positions, hs/2): `[p, i] = cos/sin(p · θ^(−2i/hs))`,
 * computed in float64 then stored as `dtype` (HF's `inv_freq`, without the duplicated half).
 */
export function rotaryTables<D extends FloatDType = "float32">(
  headDim: number, positions: number, theta = 10000, dtype: D = "float32" as D,
): { cos: Tensor<D>; sin: Tensor<D> } {
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % 2 !== 0) {
    throw new RangeError(`rotaryTables: head dim must be a positive even integer, got ${headDim}`);
  }
  if (!Number.isInteger(positions) || positions < 0) throw new RangeError(`rotaryTables: positions must be a non-negative integer, got ${positions}`);
  if (!(theta > 0)) throw new RangeError(`rotaryTables: theta must be > 0, got ${theta}`);
  const half = headDim / 2;
  const cos = empty(dtype, [positions, half]);
  const sin = empty(dtype, [positions, half]);
  for (let i = 0; i < half; i++) {
    const invFreq = 1 / theta ** ((2 * i) / headDim);
    for (let p = 0; p < positions; p++) {
      cos.data[p * half + i] = Math.cos(p * invFreq);
      sin.data[p * half + i] = Math.sin(p * invFreq);
    }
  }
  return { cos, sin };
}

/**
 * Rotates `x` (B, T, nh, hs) by position: for i < hs/2, `y[i] = x[i]·cos − x[i+hs/2]·sin`
 * and `y[i+hs/2] = x[i+hs/2]·cos + x[i]·sin`, at position `offset + t`
 * (`offset` = tokens already in the KV cache). `cos`/`sin` are (P, hs/2) with P ≥ offset + T; no gradient flows to them.
 */
export function rope<D extends DType>(x: Tensor<D>, cos: Tensor, sin: Tensor, offset = 0): Tensor<D> {
  checkTensor(x, "rope");
  checkTensor(cos, "rope", "cos");
  checkTensor(sin, "rope", "sin");
  if (!isFloat(x.dtype)) throw new TypeError(`rope: input must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 4) throw new RangeError(`rope: expects input of shape (B, T, nh, hs), got ${fmtShape(x.shape)}`);
  const [B, T, H, hs] = x.shape as [number, number, number, number];
  if (hs % 2 !== 0) throw new RangeError(`rope: head dim ${hs} must be even (input ${fmtShape(x.shape)})`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`rope: offset must be a non-negative integer, got ${offset}`);
  for (const [name, t] of [["cos", cos], ["sin", sin]] as const) {
    if (!isFloat(t.dtype) || t.ndim !== 2 || t.shape[1] !== hs / 2 || t.shape[0]! < offset + T) {
      throw new RangeError(
        `rope: ${name} must be a float table of shape (P ≥ ${offset + T}, ${hs / 2}) for input ${fmtShape(x.shape)} at offset ${offset}, got ${t.dtype} ${fmtShape(t.shape)}`,
      );
    }
  }
  const c = contiguousData(cos).data;
  const s = contiguousData(sin).data;
  const wasm = x.dtype === "float32" && c instanceof Float32Array && s instanceof Float32Array && hs % 8 === 0 && getBackend() === "wasm" && wasmAvailable();
  const rotate = (out: Tensor<D>, input: Tensor, sign: number) => {
    const f32 = (t: Tensor) => t.data as Float32Array;
    if (!(wasm && tryWasm(() => ropeForwardWasm(f32(out), f32(input), c as Float32Array, s as Float32Array, B, T, H, hs, offset, sign, getThreads())))) {
      ropeForward(out.data, input.data, c, s, B, T, H, hs, offset, sign);
    }
    return out;
  };
  const y = rotate(uninit(x.dtype, x.shape), contiguousData(x), 1);
  // y = R x with R orthogonal, so dx = Rᵀ g: the rotation by the opposite angle
  return record("rope", y, [x], (g) => [rotate(uninit(x.dtype, x.shape), contiguousData(g), -1)]);
}
