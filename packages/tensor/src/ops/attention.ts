/**
 * @file `scaledDotProductAttention`: fused causal / grouped-query attention
 * with its own backward. Memory per call is O(B·H·T) beyond q, k, v and the
 * output: no T×T mask or probability tensor is built; backward recomputes the
 * probabilities from each row's saved logsumexp (FlashAttention style).
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType } from "../dtype.js";
import { attentionBackward, attentionForward, type AttentionGeometry } from "../kernels/attention.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { fromAccumulator } from "./fused-util.js";
import { checkTensor, contiguousData, copyOf, empty } from "./util.js";

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Mask future keys (default false, as torch): query i sees keys j ≤ i + Tk − Tq. */
  causal?: boolean;
  /** Score scale (default `1/√hs`). */
  scale?: number;
}

/** `t` as a view the kernel reads (unit stride on the head dim), copying only when needed. */
function readable(t: Tensor): Tensor {
  return t.strides[3] === 1 || t.shape[3] === 1 ? t : copyOf(t);
}

const strides = (t: Tensor) => [t.offset, t.strides[0]!, t.strides[1]!, t.strides[2]!] as const;

/**
 * `softmax(q kᵀ · scale + mask) v` for q (B, H, Tq, hs) and k, v (B, Hkv, Tk, hs);
 * grouped-query when Hkv divides H (query head h uses kv head ⌊h·Hkv/H⌋, as
 * HF's `repeat_kv`, without materialising the repeat). With `causal`, the mask is
 * aligned bottom-right, so Tq < Tk (a KV-cached step) attends to the whole cache
 * — unlike `torch`'s `is_causal`, which aligns top-left. Returns (B, H, Tq, hs), contiguous.
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
  const lse = new Float64Array(B * H * Tq);
  const y = empty(q.dtype, [B, H, Tq, hs]);
  attentionForward(y.data, lse, qr.storage.data, kr.storage.data, vr.storage.data, geom);
  return record(
    op,
    y,
    [q, k, v],
    (g) => {
      const dq = empty(q.dtype, q.shape);
      const dk = new Float64Array(k.numel);
      const dv = new Float64Array(v.numel);
      attentionBackward(dq.data, dk, dv, contiguousData(g).data, y.data, lse, qr.storage.data, kr.storage.data, vr.storage.data, geom);
      return [
        q.requiresGrad ? dq : null,
        k.requiresGrad ? fromAccumulator(dk, k.dtype, k.shape) : null,
        v.requiresGrad ? fromAccumulator(dv, v.dtype, v.shape) : null,
      ];
    },
    [qr, kr, vr, y],
  );
}
