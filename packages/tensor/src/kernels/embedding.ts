/**
 * @file Embedding lookup (row gather) and its scatter-add backward over a
 * contiguous (V, D) table and flat int32 ids. Ids are range-checked by the op.
 * The loops are the float64 kernel, the `KILN_BACKEND=js` fallback and the test
 * oracle; float32 tables with D a multiple of 4 run on WASM SIMD (`wasm/embedding-simd.ts`).
 */
import type { TypedArray } from "../dtype.js";
import { callWasm, wasmParts } from "../runtime/wasm.js";
import { cut, input, output } from "./wasm-host.js";
import { OP } from "./wasm/module.js";

/** `y[i] = w[ids[i]]` for `n` ids, rows of `D`. */
export function embeddingForward(y: TypedArray, w: TypedArray, ids: Int32Array, n: number, D: number): void {
  for (let i = 0; i < n; i++) {
    const from = ids[i]! * D;
    y.set(w.subarray(from, from + D), i * D);
  }
}

/** `dw[ids[i]] += g[i]`: repeated ids accumulate. `dw` is a float64 (V, D) accumulator. */
export function embeddingBackward(dw: Float64Array, g: TypedArray, ids: Int32Array, n: number, D: number): void {
  for (let i = 0; i < n; i++) {
    const to = ids[i]! * D;
    for (let d = 0, from = i * D; d < D; d++) dw[to + d]! += g[from + d]!;
  }
}

/** Below this many elements (ids × D) the WASM embedding kernels run on one thread. */
export const EMB_THREAD_MIN = 1 << 16;

const ids32 = (ids: Int32Array, n: number) => input(new Float32Array(ids.buffer, ids.byteOffset, n), n); // staged bit for bit

/** {@link embeddingForward} of float32 on WASM SIMD (`D` a multiple of 4), ids split over up to `threads` threads. */
export function embeddingForwardWasm(y: Float32Array, w: Float32Array, ids: Int32Array, n: number, D: number, threads = 1): void {
  if (n === 0 || D === 0) return;
  const parts = Math.min(n, n * D >= EMB_THREAD_MIN ? wasmParts(threads) : 1);
  callWasm([output(y, n * D), input(w, w.length), ids32(ids, n)], 0, parts, ({ ptrs: [py, pw, pi] }) =>
    Array.from({ length: parts }, (_, p) => {
      const [s, e] = cut(n, parts, p);
      return [OP.embFwd, py! + s * D * 4, pw!, pi! + s * 4, e - s, D];
    }),
  );
}

/**
 * `dw = Σ` of {@link embeddingBackward} rounded to float32, on WASM SIMD (`D` a multiple of 4): `dw`
 * is overwritten; `acc` is float64 scratch of V·D values viewed as 2·V·D floats (same bits as the loop
 * then rounding). Columns split over up to `threads` threads.
 */
export function embeddingBackwardWasm(dw: Float32Array, acc: Float32Array, g: Float32Array, ids: Int32Array, n: number, V: number, D: number, threads = 1): void {
  if (V === 0 || D === 0) return;
  const parts = Math.min(D / 4, n * D >= EMB_THREAD_MIN ? wasmParts(threads) : 1);
  callWasm([output(dw, V * D), output(acc, 2 * V * D), input(g, n * D), ids32(ids, n)], 0, parts, ({ ptrs: [pd, pa, pg, pi] }) =>
    Array.from({ length: parts }, (_, p) => {
      const [s, e] = cut(D, parts, p, 4);
      return [OP.embBwd, pd!, pa!, pg!, pi!, n, V, D, s, e];
    }),
  );
}
