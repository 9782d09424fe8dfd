/**
 * @file RMSNorm row kernels (Zhang & Sennrich 2019; llama2.c's `rmsnorm`):
 * `y = x / √(mean(x²) + eps) · w` over contiguous rows of `n`, and the fused
 * backward for x and w. Sums accumulate in float64 here (the float64 kernel, the
 * `KILN_BACKEND=js` fallback and the test oracle); float32 rows of a multiple of 4 run on
 * WASM SIMD (`wasm/rms-norm-simd.ts`), split over the worker pool by rows (dw by columns).
 */
import type { TypedArray } from "../dtype.js";
import { OP } from "./wasm/module.js";
import { callWasm, wasmParts } from "../runtime/wasm.js";
import { cut, f32Bits, input, output } from "./wasm-host.js";

/** Below this many elements the WASM RMSNorm runs on one thread. */
export const RMS_THREAD_MIN = 1 << 16;

/** `y = x · rstd · w` per row of `n`; writes each row's `rstd = 1/√(mean(x²) + eps)`. `w` null means no scale. */
export function rmsNormForward(y: TypedArray, rstd: Float32Array | Float64Array, x: TypedArray, w: TypedArray | null, rows: number, n: number, eps: number): void {
  for (let r = 0, b = 0; r < rows; r++, b += n) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[b + i]! * x[b + i]!;
    const s = 1 / Math.sqrt(ss / n + eps);
    rstd[r] = s;
    if (w === null) for (let i = 0; i < n; i++) y[b + i] = x[b + i]! * s;
    else for (let i = 0; i < n; i++) y[b + i] = x[b + i]! * s * w[i]!;
  }
}

/**
 * Backward of {@link rmsNormForward}: `dx = r·g⊙w − x·r³·Σ(g⊙w⊙x)/n` (since
 * `∂r/∂xⱼ = −r³xⱼ/n`), and `dw += Σ_rows g⊙x·r` into the float64 `dw` when given.
 */
export function rmsNormBackward(
  dx: TypedArray | null, dw: Float64Array | null, g: TypedArray, x: TypedArray, w: TypedArray | null, rstd: Float32Array | Float64Array, rows: number, n: number,
): void {
  for (let r = 0, b = 0; r < rows; r++, b += n) {
    const s = rstd[r]!;
    if (dw !== null) for (let i = 0; i < n; i++) dw[i]! += g[b + i]! * x[b + i]! * s;
    if (dx === null) continue;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += g[b + i]! * (w === null ? 1 : w[i]!) * x[b + i]!;
    const c = (dot * s * s * s) / n;
    for (let i = 0; i < n; i++) dx[b + i] = s * g[b + i]! * (w === null ? 1 : w[i]!) - x[b + i]! * c;
  }
}


function partsFor(rows: number, n: number, threads: number): number {
  return Math.min(rows, rows * n >= RMS_THREAD_MIN ? wasmParts(threads) : 1);
}

/** {@link rmsNormForward} of float32 on WASM SIMD (`n` a multiple of 4), rows split over up to `threads` threads. */
export function rmsNormForwardWasm(y: Float32Array, rstd: Float32Array, x: Float32Array, w: Float32Array | null, rows: number, n: number, eps: number, threads = 1): void {
  if (rows === 0) return;
  const parts = partsFor(rows, n, threads);
  const ops = [output(y, rows * n), output(rstd, rows), input(x, rows * n)];
  if (w !== null) ops.push(input(w, n));
  callWasm(ops, 0, parts, ({ ptrs: [py, pr, px, pw] }) =>
    Array.from({ length: parts }, (_, p) => {
      const [s, e] = cut(rows, parts, p);
      return [OP.rmsFwd, py! + s * n * 4, pr! + s * 4, px! + s * n * 4, pw ?? 0, e - s, n, f32Bits(eps)];
    }),
  );
}

/**
 * {@link rmsNormBackward} of float32 on WASM SIMD (`n` a multiple of 4): `dx` split by rows, `dw`
 * (float64, overwritten rather than accumulated) by columns, over up to `threads` threads.
 */
export function rmsNormBackwardWasm(
  dx: Float32Array | null, dw: Float64Array | null, g: Float32Array, x: Float32Array, w: Float32Array | null, rstd: Float32Array, rows: number, n: number, threads = 1,
): void {
  if (rows === 0) return;
  const parts = partsFor(rows, n, threads);
  if (dx !== null) {
    const ops = [output(dx, rows * n), input(g, rows * n), input(x, rows * n), input(rstd, rows)];
    if (w !== null) ops.push(input(w, n));
    callWasm(ops, 0, parts, ({ ptrs: [pd, pg, px, pr, pw] }) =>
      Array.from({ length: parts }, (_, p) => {
        const [s, e] = cut(rows, parts, p);
        return [OP.rmsBwd, pd! + s * n * 4, pg! + s * n * 4, px! + s * n * 4, pw ?? 0, pr! + s * 4, e - s, n];
      }),
    );
  }
  if (dw !== null) {
    const cols = Math.min(parts, n / 4);
    const dw32 = new Float32Array(dw.buffer, dw.byteOffset, 2 * n); // f64 bits staged as pairs of f32
    callWasm([output(dw32, 2 * n), input(g, rows * n), input(x, rows * n), input(rstd, rows)], 0, cols, ({ ptrs: [pw, pg, px, pr] }) =>
      Array.from({ length: cols }, (_, p) => {
        const [s, e] = cut(n, cols, p, 4);
        return [OP.rmsDw, pw! + s * 8, pg! + s * 4, px! + s * 4, pr!, rows, n, e - s];
      }),
    );
  }
}
