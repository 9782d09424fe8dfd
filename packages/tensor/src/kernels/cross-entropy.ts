/**
 * @file Fused log-softmax + negative log-likelihood over rows of `V` logits:
 * `loss = logsumexp(x) − x[target]`, stable (the row max is subtracted), with
 * the gradient `scale · (softmax(x) − onehot(target))` written in the same pass —
 * the probabilities are never stored apart. The float32 path runs on WASM SIMD
 * (`wasm/cross-entropy-simd.ts`), split by rows over the worker pool; the loops
 * here are the float64 kernel, the `KILN_BACKEND=js` fallback and the test oracle.
 */
import type { TypedArray } from "../dtype.js";
import { OP } from "./wasm/module.js";
import { callWasm, wasmParts } from "../runtime/wasm.js";

/** Below this many logits the WASM path runs on one thread. */
export const CE_THREAD_MIN = 1 << 15;

/**
 * Per-row loss into `loss` (0 where the target is `ignoreIndex`) and, when `dx` is given,
 * `dx[r] = scale · (exp(x[r] − lse[r]) − onehot(target[r]))` (zeros on ignored rows).
 */
export function crossEntropyForward(
  loss: Float32Array | Float64Array, dx: TypedArray | null, x: TypedArray, targets: Int32Array, N: number, V: number, ignoreIndex: number, scale: number,
): void {
  for (let r = 0, b = 0; r < N; r++, b += V) {
    let m = -Infinity;
    for (let j = 0; j < V; j++) if (x[b + j]! > m) m = x[b + j]!;
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(x[b + j]! - m);
    const l = m + Math.log(s);
    const t = targets[r]!;
    loss[r] = t === ignoreIndex ? 0 : l - x[b + t]!;
    if (dx === null) continue;
    if (t === ignoreIndex) {
      dx.fill(0, b, b + V);
      continue;
    }
    for (let j = 0; j < V; j++) dx[b + j] = scale * Math.exp(x[b + j]! - l);
    dx[b + t] = dx[b + t]! - scale;
  }
}

/**
 * {@link crossEntropyForward} of float32 logits on WASM SIMD, rows split over up to `threads`
 * threads (each row is computed whole by one thread, so results do not depend on the split).
 * `targets` are class indices with ignored rows already set to −1.
 */
export function crossEntropyForwardWasm(loss: Float32Array, dx: Float32Array | null, x: Float32Array, targets: Int32Array, N: number, V: number, scale: number, threads = 1): void {
  if (N === 0) return;
  const parts = Math.min(N, N * V >= CE_THREAD_MIN ? wasmParts(threads) : 1);
  const tgt = new Float32Array(targets.buffer, targets.byteOffset, N); // staged bit for bit
  const ops = [
    { arr: x, lo: 0, hi: N * V, input: true, output: false },
    { arr: tgt, lo: 0, hi: N, input: true, output: false },
    { arr: loss, lo: 0, hi: N, input: false, output: true },
  ];
  if (dx !== null) ops.push({ arr: dx, lo: 0, hi: N * V, input: false, output: true });
  const bits = new Int32Array(new Float32Array([scale]).buffer)[0]!;
  callWasm(ops, 0, parts, ({ ptrs }) => {
    const [px, pt, pl, pd] = ptrs as [number, number, number, number | undefined];
    const tasks: number[][] = [];
    for (let p = 0; p < parts; p++) {
      const [s, e] = [Math.floor((p * N) / parts), Math.floor(((p + 1) * N) / parts)];
      tasks.push([OP.ceFwd, px + s * V * 4, pt + s * 4, pd === undefined ? 0 : pd + s * V * 4, pl + s * 4, e - s, V, bits]);
    }
    return tasks;
  });
}
