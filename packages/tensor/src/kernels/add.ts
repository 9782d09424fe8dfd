/**
 * @file Float32 `y = a + b` of dense operands on WASM SIMD, split over the worker pool: the
 * residual adds of a transformer and the gradient sums of backward. Float32 addition rounds the
 * same in WASM as in JS (a sum of two float32s rounded from float64 is correctly rounded), so
 * the generic elementwise loop stays the reference and the fallback.
 */
import { OP } from "./wasm/module.js";
import { callWasm, wasmParts } from "../runtime/wasm.js";

/** Below this many elements the generic JS loop is as fast (a call and its staging cost more). */
export const ADD_WASM_MIN = 4096;
/** Below this many elements the WASM add runs on one thread. */
export const ADD_THREAD_MIN = 1 << 16;

/** `y[i] = a[aOff + i] + b[bOff + i]` for i < n (the last n mod 4 in JS), on up to `threads` threads. */
export function addWasm(y: Float32Array, a: Float32Array, aOff: number, b: Float32Array, bOff: number, n: number, threads = 1): void {
  const n4 = n & ~3;
  if (n4 > 0) {
    const parts = n4 >= ADD_THREAD_MIN ? wasmParts(threads) : 1;
    const ops = [
      { arr: y, lo: 0, hi: n4, input: false, output: true },
      { arr: a, lo: aOff, hi: aOff + n4, input: true, output: false },
      { arr: b, lo: bOff, hi: bOff + n4, input: true, output: false },
    ];
    callWasm(ops, 0, parts, ({ ptrs: [py, pa, pb] }) =>
      Array.from({ length: parts }, (_, p) => {
        const [s, e] = [Math.floor((p * n4) / parts / 4) * 4, Math.floor(((p + 1) * n4) / parts / 4) * 4];
        return [OP.addF32, py! + s * 4, pa! + s * 4, pb! + s * 4, e - s];
      }),
    );
  }
  for (let i = n4; i < n; i++) y[i] = a[aOff + i]! + b[bOff + i]!;
}
