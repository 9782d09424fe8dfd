/**
 * @file The optimizer kernels over many tensors in one call, for `@kiln/optim`: AdamW's update and
 * the float64 sum of squares of gradient clipping, on WASM SIMD (`wasm/optim-simd.ts`), work dealt to
 * the worker pool in fixed chunks so results do not depend on the thread count. The float32 loops
 * stay in `@kiln/optim` (its `KILN_BACKEND=js` path and the oracle of the tests).
 */
import { callWasm, type Operand, tryWasm, wasmAvailable, wasmParts } from "../runtime/wasm.js";
import { getBackend, getThreads } from "./matmul.js";
import { ADAMW_ENTRY, ADAMW_SCALARS, SUMSQ_ENTRY } from "./wasm/optim-simd.js";
import { OP } from "./wasm/module.js";

/** Floats per table entry: tensors are cut into chunks of this size, dealt whole to threads. */
export const OPTIM_CHUNK = 1 << 14;
/** Below this many floats in all the optimizer kernels run on one thread. */
export const OPTIM_THREAD_MIN = 1 << 16;

/** One parameter of an AdamW step: its data, gradient, moments and the float32-rounded scalars of its update. */
export interface AdamWTensor {
  p: Float32Array;
  g: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** `decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize` (see `@kiln/optim`'s `adamScalars`). */
  scalars: Readonly<Record<(typeof ADAMW_SCALARS)[number], number>>;
}

// Chunks [tensor, start, length] of the first 4⌊n/4⌋ floats of each tensor.
function chunks(lengths: readonly number[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  lengths.forEach((n, t) => {
    for (let s = 0, n4 = n & ~3; s < n4; s += OPTIM_CHUNK) out.push([t, s, Math.min(OPTIM_CHUNK, n4 - s)]);
  });
  return out;
}

// Tasks `[op, table + first entry, count]` dealing `entries` table rows of `words` i32 to the parts.
function deal(op: number, table: number, entries: number, words: number, parts: number): number[][] {
  return Array.from({ length: parts }, (_, p) => {
    const [s, e] = [Math.floor((p * entries) / parts), Math.floor(((p + 1) * entries) / parts)];
    return [op, table + s * words * 4, e - s];
  });
}

const usable = () => getBackend() === "wasm" && wasmAvailable();
const partsFor = (total: number) => (total >= OPTIM_THREAD_MIN ? wasmParts(getThreads()) : 1);

/**
 * Applies AdamW to the first `4⌊n/4⌋` floats of every tensor in one call on WASM SIMD, bit for bit
 * as `@kiln/optim`'s `adamwUpdate`; returns false (nothing written) where the WASM kernels are off
 * or unavailable, so the caller runs its loops. The caller updates the last `n mod 4` floats.
 */
export function adamwUpdateAll(items: readonly AdamWTensor[]): boolean {
  if (!usable() || items.length === 0) return false;
  const list = chunks(items.map((t) => t.p.length));
  const parts = Math.max(1, Math.min(list.length, partsFor(list.length * OPTIM_CHUNK)));
  const io = (arr: Float32Array, input: boolean, output: boolean): Operand => ({ arr, lo: 0, hi: arr.length & ~3, input, output });
  const operands = items.flatMap((t) => [io(t.p, true, true), io(t.g, true, false), io(t.m, true, true), io(t.v, true, true)]);
  const scalarBytes = items.length * 64;
  return tryWasm(() =>
    callWasm(operands, scalarBytes + list.length * ADAMW_ENTRY * 4, parts, ({ ptrs, extra, i32 }) => {
      const f64 = new Float64Array(i32.buffer, extra, items.length * 8);
      items.forEach((t, k) => ADAMW_SCALARS.forEach((name, j) => (f64[k * 8 + j] = t.scalars[name])));
      const table = extra + scalarBytes;
      list.forEach(([t, s, n], e) => {
        const at = (table >> 2) + e * ADAMW_ENTRY;
        for (let w = 0; w < 4; w++) i32[at + w] = ptrs[t * 4 + w]! + s * 4;
        [i32[at + 4], i32[at + 5]] = [n, extra + t * 64];
      });
      return list.length === 0 ? [] : deal(OP.adamw, table, list.length, ADAMW_ENTRY, parts);
    }),
  );
}

/** `Σ x²` over all `arrays`, accumulated in float64 (on WASM SIMD in fixed chunks when available, else one loop). */
export function sumOfSquares(arrays: readonly Float32Array[]): number {
  let tail = 0;
  const list = usable() ? chunks(arrays.map((a) => a.length)) : [];
  const loop = (x: Float32Array, from: number) => {
    for (let i = from; i < x.length; i++) tail += x[i]! * x[i]!;
  };
  const parts = Math.max(1, Math.min(list.length, partsFor(list.length * OPTIM_CHUNK)));
  let sums: Float64Array | null = null;
  const ran = list.length > 0 && tryWasm(() =>
    callWasm(arrays.map((arr) => ({ arr, lo: 0, hi: arr.length & ~3, input: true, output: false })), list.length * (8 + SUMSQ_ENTRY * 4), parts, ({ ptrs, extra, i32 }) => {
      sums = new Float64Array(i32.buffer, extra, list.length);
      const table = extra + list.length * 8;
      list.forEach(([t, s, n], e) => i32.set([ptrs[t]! + s * 4, n, extra + e * 8], (table >> 2) + e * SUMSQ_ENTRY));
      return deal(OP.sumsq, table, list.length, SUMSQ_ENTRY, parts);
    }),
  );
  if (!ran) {
    arrays.forEach((x) => loop(x, 0));
    return tail;
  }
  let total = 0;
  for (const s of sums!) total += s;
  arrays.forEach((x) => loop(x, x.length & ~3));
  return total + tail;
}
