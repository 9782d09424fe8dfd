/**
 * @file Causal self-attention: multi-head, or grouped-query when `nKvHeads <
 * nHeads` (Ainslie et al. 2023), on the fused `scaledDotProductAttention` op
 * (no T×T mask, no repeated kv heads), with rotary positions and an optional
 * KV cache for generation.
 */
import { cat, scaledDotProductAttention, zeros, type FloatDType, type Tensor } from "@kiln/tensor";
import type { KVSlot } from "./kv-cache.js";
import { Linear } from "./linear.js";
import { Module, type ModuleOptions } from "./module.js";
import type { RotaryEmbedding } from "./rotary.js";

/** Causal (grouped-query) self-attention with projections wq, wk, wv, wo (no biases). */
export class Attention extends Module {
  readonly headDim: number;
  wq: Linear;
  wk: Linear;
  wv: Linear;
  wo: Linear;

  constructor(readonly dim: number, readonly nHeads: number, readonly nKvHeads = nHeads, opts: ModuleOptions = {}) {
    super();
    if (dim % nHeads !== 0) throw new RangeError(`Attention: dim ${dim} is not divisible by nHeads ${nHeads}`);
    if (nHeads % nKvHeads !== 0) throw new RangeError(`Attention: nHeads ${nHeads} is not divisible by nKvHeads ${nKvHeads}`);
    this.headDim = dim / nHeads;
    const noBias = { ...opts, bias: false }; // LLaMA has no biases
    this.wq = new Linear(dim, nHeads * this.headDim, noBias);
    this.wk = new Linear(dim, nKvHeads * this.headDim, noBias);
    this.wv = new Linear(dim, nKvHeads * this.headDim, noBias);
    this.wo = new Linear(nHeads * this.headDim, dim, noBias);
  }

  /** x (B, T, dim) → (B, T, dim). With a cache, x holds the next T tokens after those cached. */
  forward(x: Tensor, rope: RotaryEmbedding | null = null, cache: KVSlot | null = null): Tensor {
    const [B, T] = x.shape as [number, number];
    const [nh, nkv, hs] = [this.nHeads, this.nKvHeads, this.headDim];
    const pos = cache?.length ?? 0;
    let q = this.wq.forward(x).view([B, T, nh, hs]); // (B, T, nh, hs)
    let k = this.wk.forward(x).view([B, T, nkv, hs]); // (B, T, nkv, hs)
    const v = this.wv.forward(x).view([B, T, nkv, hs]); // (B, T, nkv, hs)
    const ragged = cache !== null && cache.isRagged; // a left-padded batch: positions and keys per sequence
    if (rope !== null) {
      q = ragged ? rope.forwardRagged(q, pos, cache.starts) : rope.forward(q, pos);
      k = ragged ? rope.forwardRagged(k, pos, cache.starts) : rope.forward(k, pos);
    }
    let [kt, vt] = [k.transpose(1, 2), v.transpose(1, 2)]; // (B, nkv, T, hs) views
    if (cache !== null) [kt, vt] = cache.update(kt, vt); // (B, nkv, pos + T, hs)
    const qt = q.transpose(1, 2); // (B, nh, T, hs)
    const y = ragged ? raggedAttention(qt, kt, vt, pos, cache.starts) : scaledDotProductAttention(qt, kt, vt, { causal: true }); // (B, nh, T, hs)
    return this.wo.forward(y.transpose(1, 2).reshape([B, T, nh * hs])); // (B, T, dim)
  }

  protected override extraRepr(): string {
    return `n_heads=${this.nHeads}, n_kv_heads=${this.nKvHeads}, head_dim=${this.headDim}`;
  }
}

/**
 * Causal attention per sequence of a left-padded batch: queries of sequence `b`
 * see only its keys from slot `starts[b]` on — the same computation as running
 * that sequence alone. Outputs at pad slots are zero.
 */
function raggedAttention(q: Tensor, k: Tensor, v: Tensor, slot: number, starts: readonly number[]): Tensor {
  const [, nh, T, hs] = q.shape as [number, number, number, number];
  const L = k.shape[2]!;
  const rows = starts.map((start, b) => {
    const skip = Math.min(T, Math.max(0, start - slot)); // queries at pad slots
    const kb = k.narrow(0, b, 1).narrow(2, start, L - start); // (1, nkv, L − start, hs)
    const vb = v.narrow(0, b, 1).narrow(2, start, L - start);
    const y = skip === T ? null : scaledDotProductAttention(q.narrow(0, b, 1).narrow(2, skip, T - skip), kb, vb, { causal: true }); // (1, nh, T − skip, hs)
    if (skip === 0) return y!;
    const pad = zeros([1, nh, skip, hs], { dtype: q.dtype as FloatDType });
    return y === null ? pad : cat([pad, y], 2);
  });
  return cat(rows, 0); // (B, nh, T, hs)
}
