/**
 * @file The GEMM dispatcher the tensor ops call: float32 goes to the WASM SIMD kernel (on the
 * worker pool when the product is large enough to repay the dispatch), float64 and tiny products
 * to the pure-JS kernel. `KILN_BACKEND=js` forces JS; `KILN_THREADS` sets the thread count.
 */
import { type FloatArray, type GemmOptions, gemmJs } from "./matmul-js.js";
import { defaultThreads, ENV } from "../env.js";
import { gemmWasm } from "./matmul-wasm.js";
import { HeapFullError, wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";

export type { FloatArray, GemmOptions } from "./matmul-js.js";

/** A GEMM implementation. */
export type Backend = "js" | "wasm";

/** Below this many FLOPs (2·M·N·K) float32 stays in JS: copying into the wasm heap costs more. */
export const WASM_MIN_FLOPS = 2 * 16 * 16 * 16;
/**
 * Below this many FLOPs a GEMM runs on one thread. A threaded call costs ~25–40 µs more than its
 * share of the arithmetic (waking a worker, B packed twice); measured on 2 cores, 2 threads lose
 * below ~6 MFLOP, break even at 8 (160³) and win 1.3× at 14 (192³) and 1.8× from 512³.
 */
export const THREAD_MIN_FLOPS = 8_000_000;

let backend: Backend = ENV.backend;
let threads: number | undefined;

/** Selects the float32 backend (`"wasm"` falls back to JS where WebAssembly SIMD is missing). */
export function setBackend(b: Backend): void {
  if (b !== "js" && b !== "wasm") throw new RangeError(`setBackend: expected "js" or "wasm", got "${String(b)}"`);
  backend = b;
}

/** The float32 backend in effect. */
export function getBackend(): Backend {
  return backend === "wasm" && wasmAvailable() ? "wasm" : "js";
}

/** Sets how many threads large GEMMs may use (1 = main thread only). */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setThreads: expected a positive integer, got ${n}`);
  threads = n;
}

/** How many threads large GEMMs may use: `setThreads`, else `KILN_THREADS`, else the core count. */
export function getThreads(): number {
  return (threads ??= defaultThreads());
}

/** Starts the runtime's worker pool now and waits until it is ready (else the first large calls run on fewer threads). */
export function warmUpThreads(timeoutMs = 10_000): boolean {
  return getBackend() !== "wasm" || wasmThreadsReady(getThreads(), timeoutMs);
}

/**
 * `out[M,N] (+)= op(a)[M,K] · op(b)[K,N]`, all row-major: `a` is [M,K] ([K,M] with `transA`), `b`
 * is [K,N] ([N,K] with `transB`) and `out` is contiguous from `opts.outOffset`; `out` must not
 * overlap `a` or `b`. Results do not depend on the thread count.
 */
export function gemm<T extends FloatArray>(out: T, a: T, aOffset: number, b: T, bOffset: number, M: number, K: number, N: number, opts: GemmOptions = {}): void {
  const f32 = out instanceof Float32Array;
  if (f32 !== a instanceof Float32Array || f32 !== b instanceof Float32Array) {
    const names = [out, a, b].map((x) => x.constructor.name).join(", ");
    throw new TypeError(`gemm: out, a and b must share one float dtype, got ${names}`);
  }
  const flops = 2 * M * N * K;
  if (f32 && flops >= WASM_MIN_FLOPS && getBackend() === "wasm") {
    const n = flops >= THREAD_MIN_FLOPS ? getThreads() : 1;
    try {
      gemmWasm(out as Float32Array, a as Float32Array, aOffset, b as Float32Array, bOffset, M, K, N, opts, n);
      return;
    } catch (err) {
      // a full wasm heap (2 GiB) cannot stage the operands: fall back to JS rather than fail
      if (!(err instanceof HeapFullError)) throw err;
    }
  }
  gemmJs(out, a, aOffset, b, bOffset, M, K, N, opts);
}
