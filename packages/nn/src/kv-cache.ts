/**
 * @file The key/value cache for generation: per layer, preallocated
 * (B, Hkv, maxLen, hs) buffers that each decoding step appends to, read back
 * as views (no copy, no concatenation). Inference only: it runs under `noGrad`.
 */
import { isGradEnabled, noGrad, zeros, type FloatDType, type Tensor } from "@kiln/tensor";

/** One attention layer's cached keys and values. */
export class KVSlot {
  /** (B, Hkv, maxLen, hs) */
  readonly k: Tensor;
  /** (B, Hkv, maxLen, hs) */
  readonly v: Tensor;
  /** Positions filled so far. */
  length = 0;

  constructor(readonly batch: number, readonly nKvHeads: number, readonly maxLen: number, readonly headDim: number, dtype: FloatDType = "float32") {
    this.k = zeros([batch, nKvHeads, maxLen, headDim], { dtype });
    this.v = zeros([batch, nKvHeads, maxLen, headDim], { dtype });
  }

  /** Appends k, v (B, Hkv, T, hs) and returns every cached position as views (B, Hkv, length, hs). */
  update(k: Tensor, v: Tensor): [Tensor, Tensor] {
    if (isGradEnabled() && (k.requiresGrad || v.requiresGrad)) {
      throw new Error("KVCache: gradients do not flow through the cache; run cached decoding under noGrad (generate does)");
    }
    const [B, H, T, hs] = k.shape as [number, number, number, number];
    if (B !== this.batch || H !== this.nKvHeads || hs !== this.headDim) {
      throw new RangeError(`KVCache: keys of shape [${k.shape.join(", ")}] do not fit a cache of [${this.k.shape.join(", ")}]`);
    }
    if (this.length + T > this.maxLen) {
      throw new RangeError(`KVCache: cannot append ${T} position(s) to a cache holding ${this.length} of ${this.maxLen}`);
    }
    noGrad(() => {
      this.k.narrow(2, this.length, T).copy_(k);
      this.v.narrow(2, this.length, T).copy_(v);
    });
    this.length += T;
    return [this.k.narrow(2, 0, this.length), this.v.narrow(2, 0, this.length)]; // (B, Hkv, length, hs)
  }
}

/** A model's KV cache: one {@link KVSlot} per layer, all at the same length. */
export class KVCache {
  readonly layers: KVSlot[];

  constructor(nLayers: number, batch: number, nKvHeads: number, maxLen: number, headDim: number, dtype: FloatDType = "float32") {
    this.layers = Array.from({ length: nLayers }, () => new KVSlot(batch, nKvHeads, maxLen, headDim, dtype));
  }

  /** Positions cached so far (the position of the next token). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  /** Empties the cache for a new sequence (buffers are reused). */
  reset(): void {
    for (const s of this.layers) s.length = 0;
  }
}
