/**
 * @file Exact GELU `y = x·Φ(x)` (Hendrycks & Gimpel 2016) and its gradient over dense arrays: plain
 * loops over `math.ts`'s float64 erf (the float64 kernel, the `KILN_BACKEND=js` fallback and the
 * test oracle) and the float32 WASM SIMD path (`wasm/gelu-simd.ts`), split over the worker pool.
 */
import { gelu, geluGrad } from "./math.js";
import { mapWasm } from "./wasm-host.js";
import { OP } from "./wasm/module.js";

type FloatArray = Float32Array | Float64Array;

/** Below this many elements the generic elementwise loop is as fast (a call and its staging cost more). */
export const GELU_WASM_MIN = 1024;
/** Below this many elements the WASM path runs on one thread. */
export const GELU_THREAD_MIN = 1 << 15;

/** `y[i] = gelu(x[i])` for i in [from, to). */
export function geluForward(y: FloatArray, x: FloatArray, from = 0, to = y.length): void {
  for (let i = from; i < to; i++) y[i] = gelu(x[i]!);
}

/** `dx[i] = g[i] · gelu′(x[i])` with `gelu′(x) = Φ(x) + x·φ(x)`, for i in [from, to). */
export function geluBackward(dx: FloatArray, x: FloatArray, g: FloatArray, from = 0, to = dx.length): void {
  for (let i = from; i < to; i++) dx[i] = g[i]! * geluGrad(x[i]!);
}

/** {@link geluForward} of float32 on WASM SIMD (the last n mod 4 elements in JS), on up to `threads` threads. */
export function geluForwardWasm(y: Float32Array, x: Float32Array, threads = 1): void {
  geluForward(y, x, mapWasm(OP.geluFwd, [x, y], 1, threads, GELU_THREAD_MIN), y.length);
}

/** {@link geluBackward} of float32 on WASM SIMD (the last n mod 4 elements in JS), on up to `threads` threads. */
export function geluBackwardWasm(dx: Float32Array, x: Float32Array, g: Float32Array, threads = 1): void {
  geluBackward(dx, x, g, mapWasm(OP.geluBwd, [x, g, dx], 2, threads, GELU_THREAD_MIN), dx.length);
}
