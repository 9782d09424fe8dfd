/**
 * @file Rotary position embedding kernel (Su et al. 2021, RoFormer) in the
 * Hugging Face `rotate_half` convention: element i of each head is paired
 * with element i + hs/2 and rotated by angle `pos · θᵢ`. The loops here are the float64 kernel,
 * the `KILN_BACKEND=js` fallback and the test oracle; float32 heads of a multiple of 8 run on
 * WASM SIMD (`wasm/rope-simd.ts`), rows split over the worker pool.
 */
import type { TypedArray } from "../dtype.js";
import { OP } from "./wasm/module.js";
import { callWasm, wasmParts } from "../runtime/wasm.js";
import { ROPE_DESC } from "./wasm/rope-simd.js";

/** Below this many elements the WASM RoPE runs on one thread. */
export const ROPE_THREAD_MIN = 1 << 16;

/**
 * `y = rope(x)` for x laid out (B, T, H, hs) contiguous; `cos`/`sin` are
 * (P, hs/2) tables read at rows `offset + t`. `sign = −1` applies the inverse
 * rotation (the backward).
 */
export function ropeForward(
  y: TypedArray, x: TypedArray, cos: TypedArray, sin: TypedArray, B: number, T: number, H: number, hs: number, offset: number, sign: number,
): void {
  const half = hs >> 1;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = (offset + t) * half;
      for (let h = 0, base = ((b * T + t) * H) * hs; h < H; h++, base += hs) {
        for (let i = 0; i < half; i++) {
          const c = cos[row + i]!;
          const s = sign * sin[row + i]!;
          const x1 = x[base + i]!;
          const x2 = x[base + half + i]!;
          y[base + i] = x1 * c - x2 * s;
          y[base + half + i] = x2 * c + x1 * s;
        }
      }
    }
  }
}

/** {@link ropeForward} of float32 on WASM SIMD (`hs` a multiple of 8), (b, t) rows split over up to `threads` threads. */
export function ropeForwardWasm(
  y: Float32Array, x: Float32Array, cos: Float32Array, sin: Float32Array, B: number, T: number, H: number, hs: number, offset: number, sign: number, threads = 1,
): void {
  const rows = B * T;
  if (rows === 0 || H === 0) return;
  const n = rows * H * hs;
  const parts = Math.min(rows, n >= ROPE_THREAD_MIN ? wasmParts(threads) : 1);
  const half = hs >> 1;
  const table = (arr: Float32Array) => ({ arr, lo: offset * half, hi: (offset + T) * half, input: true, output: false });
  const ops = [{ arr: x, lo: 0, hi: n, input: true, output: false }, { arr: y, lo: 0, hi: n, input: false, output: true }, table(cos), table(sin)];
  callWasm(ops, 64, parts, ({ ptrs: [px, py, pc, ps], extra, i32 }) => {
    const d = extra >> 2;
    [i32[d + ROPE_DESC.cos], i32[d + ROPE_DESC.sin], i32[d + ROPE_DESC.T], i32[d + ROPE_DESC.H], i32[d + ROPE_DESC.hs]] = [pc!, ps!, T, H, hs];
    i32[d + ROPE_DESC.sign] = new Int32Array(new Float32Array([sign]).buffer)[0]!;
    return Array.from({ length: parts }, (_, p) => [OP.ropeFwd, py!, px!, extra, Math.floor((p * rows) / parts), Math.floor(((p + 1) * rows) / parts)]);
  });
}
