/**
 * @file Rotary position embeddings (Su et al. 2021) with cached cos/sin
 * tables, in the Hugging Face `rotate_half` convention: element i of a head
 * is rotated together with element i + hs/2. Meta's reference pairs (2i, 2i+1)
 * instead; `permuteMetaToHf` converts q/k projection weights between the two
 * (the permutation of HF's convert_llama_weights_to_hf.py).
 */
import { cat, rope, rotaryTables, type FloatDType, type Tensor } from "@kiln/tensor";
import { Module } from "./module.js";

/** RoPE for q or k laid out (B, T, nh, hs); tables cover positions 0 … maxPositions − 1. */
export class RotaryEmbedding extends Module {
  /** (maxPositions, hs/2) buffer: `cos(p · θ^(−2i/hs))` */
  cos: Tensor;
  /** (maxPositions, hs/2) buffer */
  sin: Tensor;

  constructor(readonly headDim: number, readonly maxPositions: number, readonly theta = 10000, { dtype = "float32" }: { dtype?: FloatDType } = {}) {
    super();
    ({ cos: this.cos, sin: this.sin } = rotaryTables(headDim, maxPositions, theta, dtype));
  }

  /** Rotates x (B, T, nh, hs) as if its first position were `offset` (tokens already in the KV cache). */
  forward(x: Tensor, offset = 0): Tensor {
    if (offset + x.shape[1]! > this.maxPositions) {
      throw new RangeError(`RotaryEmbedding: positions ${offset}…${offset + x.shape[1]! - 1} exceed max_position_embeddings ${this.maxPositions}`);
    }
    return rope(x, this.cos, this.sin, offset);
  }

  /**
   * Rotates x (B, T, nh, hs) whose slots start at `slot`, each sequence `b`
   * counting positions from its own first slot `starts[b]` (a left-padded batch);
   * pad slots before it are left as they are.
   */
  forwardRagged(x: Tensor, slot: number, starts: readonly number[]): Tensor {
    const T = x.shape[1]!;
    const rows = starts.map((start, b) => {
      const row = x.narrow(0, b, 1); // (1, T, nh, hs)
      const skip = Math.min(T, Math.max(0, start - slot)); // pad slots in this chunk
      if (skip === T) return row;
      const rotated = this.forward(row.narrow(1, skip, T - skip), slot + skip - start);
      return skip === 0 ? rotated : cat([row.narrow(1, 0, skip), rotated], 1);
    });
    return cat(rows, 0); // (B, T, nh, hs)
  }

  protected override extraRepr(): string {
    return `head_dim=${this.headDim}, max_positions=${this.maxPositions}, theta=${this.theta}`;
  }
}

function permuteRows(w: Tensor, nHeads: number, fromHf: boolean): Tensor {
  const [out, inp] = w.shape as [number, number];
  const hs = out / nHeads;
  if (w.ndim !== 2 || !Number.isInteger(hs) || hs % 2 !== 0) {
    throw new RangeError(`permute: weight of shape [${w.shape.join(", ")}] does not split into ${nHeads} heads of even size`);
  }
  const grouped = fromHf ? [nHeads, 2, hs / 2, inp] : [nHeads, hs / 2, 2, inp];
  return w.reshape(grouped).transpose(1, 2).reshape([out, inp]); // (nHeads·hs, in)
}

/**
 * Reorders the rows of a Meta-convention (interleaved pairs) q or k projection
 * weight (nHeads·hs, dim) into the HF `rotate_half` convention: HF row
 * `c·hs/2 + r` of each head is Meta row `2r + c`. Pass `nKvHeads` for wk (GQA).
 */
export function permuteMetaToHf(w: Tensor, nHeads: number): Tensor {
  return permuteRows(w, nHeads, false);
}

/** The inverse of {@link permuteMetaToHf}: HF `rotate_half` rows back to Meta's interleaved order. */
export function permuteHfToMeta(w: Tensor, nHeads: number): Tensor {
  return permuteRows(w, nHeads, true);
}
