/**
 * @file The host side of the WASM SIMD GEMM (`wasm/matmul-simd.ts`): operands are staged through
 * the runtime (zero-copy for arrays in the wasm heap) and the larger output dimension is split
 * over the worker pool in whole register tiles, so results do not depend on the thread count.
 */
import { checkGemmArgs, type GemmOptions } from "./matmul-js.js";
import { MR, NR } from "./wasm/matmul-simd.js";
import { OP } from "./wasm/module.js";
import { callWasm, partsFor, wasmThreads } from "../runtime/wasm.js";

/** Output rows (or columns) a GEMM task keeps at least when cut finer than one per thread: each task packs the whole other operand, so this bounds that repacking to under 1%. */
export const GEMM_TASK_MIN = 128;

/**
 * `out[M,N] (+)= op(a) · op(b)` in float32 with the WASM SIMD kernel on up to `threads` threads.
 * Operands outside the wasm heap are copied in (and `out` back out). Returns the number of
 * tasks the work was cut into (one while workers start up). Throws `HeapFullError`.
 */
export function gemmWasm(out: Float32Array, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, M: number, K: number, N: number, opts: GemmOptions = {}, threads = 1): number {
  const outOffset = opts.outOffset ?? 0;
  checkGemmArgs(out, a, aOffset, b, bOffset, M, K, N, outOffset);
  if (M === 0 || N === 0) return 0;
  if (K === 0) {
    if (!opts.accumulate) out.fill(0, outOffset, outOffset + M * N);
    return 0;
  }
  // element strides in bytes: A(i,k) at pa + i·aRs + k·aCs, B(k,j) at pb + k·bRs + j·bCs
  const aRs = opts.transA ? 4 : K * 4;
  const aCs = opts.transA ? M * 4 : 4;
  const bRs = opts.transB ? 4 : N * 4;
  const bCs = opts.transB ? K * 4 : 4;
  const acc = opts.accumulate ? 1 : 0;
  // Split the larger of M and N into runs of whole register tiles; each C element is computed by
  // the same instruction sequence whatever the split.
  const byRows = M >= N;
  const [len, tile] = byRows ? [M, MR] : [N, NR];
  const tiles = Math.ceil(len / tile);
  const t = wasmThreads(threads);
  const parts = Math.min(tiles, partsFor(t), Math.max(t, Math.floor(len / GEMM_TASK_MIN)));
  const operands = [
    { arr: a, lo: aOffset, hi: aOffset + M * K, input: true, output: false },
    { arr: b, lo: bOffset, hi: bOffset + K * N, input: true, output: false },
    { arr: out, lo: outOffset, hi: outOffset + M * N, input: acc === 1, output: true },
  ];
  callWasm(operands, 0, parts, ({ ptrs: [pa, pb, pc] }) => {
    const tasks: number[][] = [];
    for (let p = 0; p < parts; p++) {
      const s = Math.floor((p * tiles) / parts) * tile;
      const n = Math.min(len, Math.floor(((p + 1) * tiles) / parts) * tile) - s;
      if (byRows) tasks.push([OP.gemm, pc! + s * N * 4, N * 4, pa! + s * aRs, aRs, aCs, pb!, bRs, bCs, n, N, K, acc]);
      else tasks.push([OP.gemm, pc! + s * 4, N * 4, pa!, aRs, aCs, pb! + s * bCs, bRs, bCs, M, n, K, acc]);
    }
    return tasks;
  });
  return parts;
}
