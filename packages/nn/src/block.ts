/**
 * @file The pre-norm transformer block (LLaMA; GPT-2's arrangement):
 * `h = x + attention(norm(x))`, `out = h + feedForward(norm(h))`, with the
 * norm and feed-forward chosen by the config's architecture switches.
 */
import type { FloatDType, Tensor } from "@kiln/tensor";
import { Attention } from "./attention.js";
import type { LlamaConfig } from "./config.js";
import { Dropout } from "./dropout.js";
import { GeluMLP } from "./gelu-mlp.js";
import type { KVSlot } from "./kv-cache.js";
import { LayerNorm } from "./layer-norm.js";
import { Module, type ModuleOptions } from "./module.js";
import { RMSNorm } from "./rms-norm.js";
import type { RotaryEmbedding } from "./rotary.js";
import { SwiGLU } from "./swiglu.js";

/** The config's norm (`RMSNorm`, or `LayerNorm` with bias) over `hidden_size`. */
export function makeNorm(c: LlamaConfig, dtype: FloatDType = "float32"): RMSNorm | LayerNorm {
  return c.norm === "rmsnorm" ? new RMSNorm(c.hidden_size, c.rms_norm_eps, { dtype }) : new LayerNorm(c.hidden_size, c.rms_norm_eps, { dtype });
}

/** One pre-norm residual block: attention then feed-forward, each behind its own norm. */
export class TransformerBlock extends Module {
  attentionNorm: RMSNorm | LayerNorm;
  attention: Attention;
  ffnNorm: RMSNorm | LayerNorm;
  feedForward: SwiGLU | GeluMLP;
  /** Residual dropout (null when the config's dropout is 0). */
  drop: Dropout | null;

  constructor(c: LlamaConfig, opts: ModuleOptions = {}) {
    super();
    this.attentionNorm = makeNorm(c, opts.dtype);
    this.attention = new Attention(c.hidden_size, c.num_attention_heads, c.num_key_value_heads, opts);
    this.ffnNorm = makeNorm(c, opts.dtype);
    const Ffn = c.ffn === "swiglu" ? SwiGLU : GeluMLP;
    this.feedForward = new Ffn(c.hidden_size, c.intermediate_size, opts);
    this.drop = c.dropout > 0 ? new Dropout(c.dropout, opts.generator) : null;
  }

  /** x (B, T, d) → (B, T, d) */
  forward(x: Tensor, rope: RotaryEmbedding | null = null, cache: KVSlot | null = null): Tensor {
    const branch = (y: Tensor) => (this.drop === null ? y : this.drop.forward(y));
    const h = x.add(branch(this.attention.forward(this.attentionNorm.forward(x), rope, cache)));
    return h.add(branch(this.feedForward.forward(this.ffnNorm.forward(h))));
  }
}
