/**
 * @file `scaledDotProductAttention`: fused causal / grouped-query attention
 * with its own backward. Memory per call is O(B·H·T) beyond q, k, v and the
 * output: no T×T mask or probability tensor is built; backward recomputes the
 * probabilities from each row's saved logsumexp (FlashAttention style).
 * float32 runs on WASM SIMD128 (kernels/attention-wasm.ts), float64 on the JS kernel.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType, type TypedArray } from "../dtype.js";
import { attentionBackward, attentionForward, type AttentionGeometry } from "../kernels/attention.js";
import { attentionBackwardWasm, attentionForwardWasm, wasmAttentionSupports } from "../kernels/attention-wasm.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator } from "./fused-util.js";
import { asStrided, checkTensor, contiguousData, copyOf, uninit } from "./util.js";

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Mask future keys (default false, as torch): query i sees keys j ≤ i + Tk − Tq. */
  causal?: boolean;
  /** Score scale (default `1/√hs`). */
  scale?: number;
}

/** `t` as a view the kernel reads (unit stride on the head dim), copying only when needed. */
function readable<D extends DType>(t: Tensor<D>): Tensor<D> {
  return t.strides[3] === 1 || t.shape[3] === 1 ? t : copyOf(t);
}

const strides = (t: Tensor) => [t.offset, t.strides[0]!, t.strides[1]!, t.strides[2]!] as const;

/**
 * A fresh (B, n, T, hs) tensor laid out like `like`: (B, T, n, hs) in memory when `like` is a
 * `transpose(1, 2)` view of such storage (as nn.Attention passes q, k, v), so the caller's
 * `transpose(1, 2)` back is free, else contiguous. (FlashAttention keeps this layout too.)
 */
function outputLike<D extends DType>(like: Tensor<D>): Tensor<D> {
  const [B, n, T, hs] = like.shape as [number, number, number, number];
  if (n === 1 || T === 1 || like.strides[1]! >= like.strides[2]!) return uninit(like.dtype, like.shape);
  return asStrided(uninit(like.dtype, [B, T, n, hs]), like.shape, [T * n * hs, hs, n * hs, 1], 0);
}

/**
 * `softmax(q kᵀ · scale + mask) v` for q (B, H, Tq, hs) and k, v (B, Hkv, Tk, hs);
 * grouped-query when Hkv divides H (query head h uses kv head ⌊h·Hkv/H⌋, as
 * HF's `repeat_kv`, without materialising the repeat). With `causal`, the mask is
 * aligned bottom-right, so Tq < Tk (a KV-cached step) attends to the whole cache
 * — unlike `torch`'s `is_causal`, which aligns top-left. Returns (B, H, Tq, hs): contiguous, or
 * on the float32 WASM path laid out as (B, Tq, H, hs) when q is such a `transpose(1, 2)` view.
 */
export function scaledDotProductAttention<D extends DType>(q: Tensor<D>, k: Tensor<D>, v: Tensor<D>, opts: AttentionOptions = {}): Tensor<D> {
  const op = "scaledDotProductAttention";
  checkTensor(q, op, "q");
  checkTensor(k, op, "k");
  checkTensor(v, op, "v");
  const shapes = `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`;
  if (q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4) throw new RangeError(`${op}: expects 4-D q (B, H, Tq, hs) and k, v (B, Hkv, Tk, hs), got ${shapes}`);
  if (!isFloat(q.dtype) || k.dtype !== q.dtype || v.dtype !== q.dtype) {
    throw new TypeError(`${op}: q, k, v must share one float dtype, got ${q.dtype}, ${k.dtype}, ${v.dtype}`);
  }
  const [B, H, Tq, hs] = q.shape as [number, number, number, number];
  const [, Hkv, Tk] = k.shape as [number, number, number, number];
  if (k.shape[0] !== B || k.shape[3] !== hs || v.shape.some((s, i) => s !== k.shape[i])) {
    throw new RangeError(`${op}: k and v must be (B, Hkv, Tk, hs) with q's B and hs, got ${shapes}`);
  }
  if (Hkv === 0 || H % Hkv !== 0) throw new RangeError(`${op}: kv heads ${Hkv} must divide query heads ${H} (${shapes})`);
  const causal = opts.causal ?? false;
  if (causal && Tq > Tk) throw new RangeError(`${op}: causal attention needs Tq ≤ Tk, got Tq ${Tq} > Tk ${Tk} (${shapes})`);
  const scale = opts.scale ?? 1 / Math.sqrt(hs);
  const [qr, kr, vr] = [readable(q), readable(k), readable(v)];
  const geom: AttentionGeometry = { B, H, Hkv, Tq, Tk, hs, scale, causal, q: strides(qr), k: strides(kr), v: strides(vr) };
  const [qd, kd, vd] = [qr.storage.data, kr.storage.data, vr.storage.data];
  // float32 runs on the WASM SIMD kernels; float64 (gradcheck) and KILN_BACKEND=js on the JS kernel
  let wasm = q.dtype === "float32" && getBackend() === "wasm" && wasmAvailable() && wasmAttentionSupports(geom);
  const f32 = (t: Tensor) => t.storage.data as Float32Array;
  let y = wasm ? outputLike(qr) : uninit(q.dtype, [B, H, Tq, hs]); // every kernel writes all of y, dq, dk and dv
  let lse: Float32Array | Float64Array = new Float32Array(B * H * Tq); // log2 units on the WASM path
  wasm &&= tryWasm(() => attentionForwardWasm(f32(y), lse as Float32Array, f32(qr), f32(kr), f32(vr), geom, getThreads(), { o: strides(y) }));
  if (!wasm) {
    y = y.isContiguous ? y : uninit(q.dtype, [B, H, Tq, hs]);
    lse = new Float64Array(B * H * Tq);
    attentionForward(y.data, lse, qd, kd, vd, geom);
  }
  const jsBackward = (g: Tensor, yd: TypedArray, lse64: Float64Array) => {
    const dq = uninit(q.dtype, q.shape);
    const [dk, dv] = [new Float64Array(k.numel), new Float64Array(v.numel)];
    attentionBackward(dq.data, dk, dv, contiguousData(g).data, yd, lse64, qd, kd, vd, geom);
    return [
      q.requiresGrad ? dq : null,
      k.requiresGrad ? fromAccumulator(dk, k.dtype, k.shape) : null,
      v.requiresGrad ? fromAccumulator(dv, v.dtype, v.shape) : null,
    ];
  };
  return record(
    op,
    y,
    [q, k, v],
    (g) => {
      if (wasm) {
        const go = readable(g);
        const [dq, dk, dv] = [outputLike(qr), outputLike(kr), outputLike(vr)];
        const layout = { o: strides(y), go: strides(go), dq: strides(dq), dk: strides(dk), dv: strides(dv) };
        const done = tryWasm(() =>
          attentionBackwardWasm(f32(dq), f32(dk), f32(dv), f32(go), f32(y), lse as Float32Array, f32(qr), f32(kr), f32(vr), geom, getThreads(), layout),
        );
        if (done) return [q.requiresGrad ? dq : null, k.requiresGrad ? dk : null, v.requiresGrad ? dv : null];
        // the wasm heap is full: the JS kernel, on a contiguous y and the natural logsumexp
        return jsBackward(g, contiguousData(y).data, Float64Array.from(lse, (x) => x * Math.LN2));
      }
      return jsBackward(g, y.data, lse as Float64Array);
    },
    [qr, kr, vr, y],
  );
}
