/**
 * @file Kernels of the fused SwiGLU gate `y = silu(a) · b` and its gradient: plain loops (float64,
 * and float32 under `KILN_BACKEND=js`) and the float32 WASM SIMD path (`wasm/silu-mul-simd.ts`,
 * polynomial exp), split over the runtime's worker pool for large inputs.
 */
import { sigmoid } from "./math.js";
import { OP } from "./wasm/module.js";
import { mapWasm } from "./wasm-host.js";

type FloatArray = Float32Array | Float64Array;

/** Below this many elements the WASM path costs more than it saves (a call, staging copies). */
export const SILU_MUL_WASM_MIN = 1024;
/** Below this many elements the WASM path runs on one thread. */
export const SILU_MUL_THREAD_MIN = 1 << 17;

/** `y[i] = a[i] · sigmoid(a[i]) · b[i]` for i in [from, to). */
export function siluMulForward(y: FloatArray, a: FloatArray, b: FloatArray, from = 0, to = y.length): void {
  for (let i = from; i < to; i++) {
    const x = a[i]!;
    y[i] = x * sigmoid(x) * b[i]!;
  }
}

/** `da = g · b · s (1 + a (1 − s))`, `db = g · a · s` with `s = sigmoid(a)`, for i in [from, to). */
export function siluMulBackward(da: FloatArray, db: FloatArray, a: FloatArray, b: FloatArray, g: FloatArray, from = 0, to = da.length): void {
  for (let i = from; i < to; i++) {
    const x = a[i]!;
    const s = sigmoid(x);
    const gi = g[i]!;
    db[i] = gi * x * s;
    da[i] = gi * b[i]! * s * (1 + x * (1 - s)); // d silu = s + x s (1 − s)
  }
}

/** {@link siluMulForward} of float32 arrays on WASM SIMD (the last n mod 4 elements in JS). */
export function siluMulForwardWasm(y: Float32Array, a: Float32Array, b: Float32Array, threads = 1): void {
  const done = mapWasm(OP.siluFwd, [a, b, y], 2, threads, SILU_MUL_THREAD_MIN);
  siluMulForward(y, a, b, done, y.length);
}

/** {@link siluMulBackward} of float32 arrays on WASM SIMD (the last n mod 4 elements in JS). */
export function siluMulBackwardWasm(da: Float32Array, db: Float32Array, a: Float32Array, b: Float32Array, g: Float32Array, threads = 1): void {
  const done = mapWasm(OP.siluBwd, [a, b, g, da, db], 3, threads, SILU_MUL_THREAD_MIN);
  siluMulBackward(da, db, a, b, g, done, da.length);
}
