/**
 * @file The key/value cache for generation: per layer, preallocated
 * (B, Hkv, maxLen, hs) buffers that each decoding step appends to, read back
 * as views (no copy, no concatenation). Inference only: it runs under `noGrad`.
 * A left-padded batch (prompts of different lengths) records where each
 * sequence starts; attention skips the slots before it and positions count from it.
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
  /** Per sequence, the first slot that holds a real token (the rest before it is left padding). */
  starts: readonly number[];

  constructor(readonly batch: number, readonly nKvHeads: number, readonly maxLen: number, readonly headDim: number, dtype: FloatDType = "float32") {
    this.k = zeros([batch, nKvHeads, maxLen, headDim], { dtype });
    this.v = zeros([batch, nKvHeads, maxLen, headDim], { dtype });
    this.starts = new Array<number>(batch).fill(0);
  }

  /** Whether some sequence starts after slot 0 (attention then runs per sequence). */
  get isRagged(): boolean {
    return this.starts.some((s) => s > 0);
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

  /** Per sequence, the first slot that holds a real token. */
  get starts(): readonly number[] {
    return this.layers[0]?.starts ?? [];
  }

  /**
   * Declares a left-padded batch before the first step: sequence `b`'s tokens
   * start at slot `starts[b]`; the pad slots before it are never attended to,
   * and its positions count from there.
   */
  padLeft(starts: readonly number[]): this {
    const batch = this.layers[0]?.batch ?? 0;
    if (starts.length !== batch || starts.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new RangeError(`KVCache: padLeft needs one non-negative integer per sequence (${batch}), got ${JSON.stringify(starts)}`);
    }
    if (this.length > 0) throw new Error("KVCache: padLeft must come before the first step (reset() the cache first)");
    for (const s of this.layers) s.starts = [...starts];
    return this;
  }

  /** Empties the cache for a new sequence (buffers are reused; no padding). */
  reset(): void {
    for (const s of this.layers) {
      s.length = 0;
      s.starts = new Array<number>(s.batch).fill(0);
    }
  }
}
