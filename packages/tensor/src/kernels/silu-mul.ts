/**
 * @file Kernels of the fused SwiGLU gate `y = silu(a) · b` and its gradient: plain loops (float64,
 * and float32 under `KILN_BACKEND=js`) and the float32 WASM SIMD path (`wasm/silu-mul-simd.ts`,
 * polynomial exp), split over the runtime's worker pool for large inputs.
 */
import { sigmoid } from "./math.js";
import { OP } from "./wasm/module.js";
import { callWasm, wasmParts, type Operand } from "../runtime/wasm.js";

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

const whole = (arr: Float32Array, n: number, input: boolean): Operand => ({ arr, lo: 0, hi: n, input, output: !input });

// Runs `op` on the first n4 = 4⌊n/4⌋ elements of equally long operands, in parallel runs of whole vectors.
function runWasm(op: number, arrays: Float32Array[], inputs: number, threads: number): void {
  const n4 = arrays[0]!.length & ~3;
  if (n4 === 0) return;
  const parts = n4 >= SILU_MUL_THREAD_MIN ? wasmParts(threads) : 1;
  callWasm(arrays.map((x, i) => whole(x, n4, i < inputs)), 0, parts, ({ ptrs }) => {
    const tasks: number[][] = [];
    for (let t = 0; t < parts; t++) {
      const [s, e] = [Math.floor((t * n4) / parts / 16) * 16, t === parts - 1 ? n4 : Math.floor(((t + 1) * n4) / parts / 16) * 16];
      const at = ptrs.map((p) => p + s * 4);
      tasks.push(op === OP.siluFwd ? [op, at[0]!, at[1]!, at[2]!, e - s, 0, 0] : [op, at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, e - s]);
    }
    return tasks;
  });
}

/** {@link siluMulForward} of float32 arrays on WASM SIMD (the last n mod 4 elements in JS). */
export function siluMulForwardWasm(y: Float32Array, a: Float32Array, b: Float32Array, threads = 1): void {
  runWasm(OP.siluFwd, [a, b, y], 2, threads);
  siluMulForward(y, a, b, y.length & ~3, y.length);
}

/** {@link siluMulBackward} of float32 arrays on WASM SIMD (the last n mod 4 elements in JS). */
export function siluMulBackwardWasm(da: Float32Array, db: Float32Array, a: Float32Array, b: Float32Array, g: Float32Array, threads = 1): void {
  runWasm(OP.siluBwd, [a, b, g, da, db], 3, threads);
  siluMulBackward(da, db, a, b, g, da.length & ~3, da.length);
}
