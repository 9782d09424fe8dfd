/**
 * @file The LLaMA model (Touvron et al. 2023), read top to bottom like
 * nanoGPT's model.py: token embedding (+ learned positions in that ablation)
 * → pre-norm blocks with rotary attention → final norm → output head
 * (optionally tied). `forward(tokens, targets?)` gives logits and the mean
 * cross-entropy; `stateDict()` speaks Hugging Face `LlamaForCausalLM` names.
 */
import { arange, crossEntropy, defaultGenerator, freeWithGraph, tensor, type FloatDType, type Generator, type Tensor } from "@kiln/tensor";
import { TransformerBlock, makeNorm } from "./block.js";
import { llamaConfig, type LlamaConfig, type LlamaConfigInput } from "./config.js";
import { Dropout } from "./dropout.js";
import { Embedding } from "./embedding.js";
import { toHfName } from "./hf-names.js";
import { normal_, zeros_ } from "./init.js";
import { KVCache } from "./kv-cache.js";
import type { LayerNorm } from "./layer-norm.js";
import { Linear } from "./linear.js";
import { Module, type LoadStateDictOptions, type LoadStateDictResult } from "./module.js";
import type { RMSNorm } from "./rms-norm.js";
import { RotaryEmbedding } from "./rotary.js";

/** Options of the {@link Llama} constructor. */
export interface LlamaOptions {
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
  /** Source of the initial weights and of dropout masks (default: the global generator). */
  generator?: Generator;
}

/** Options of {@link Llama.forward}. */
export interface LlamaForwardOptions {
  /** KV cache from `newKVCache()`: `tokens` continue the cached sequence (inference, under `noGrad`). */
  cache?: KVCache | null;
  /** Target id that contributes no loss (default −100). */
  ignoreIndex?: number;
}

/** What {@link Llama.forward} returns. */
export interface LlamaOutput {
  /** (B, T, vocab_size) */
  logits: Tensor;
  /** Mean cross-entropy over non-ignored targets, or null without targets. */
  loss: Tensor | null;
}

/** A decoder-only LLaMA transformer with kiln's architecture switches. */
export class Llama extends Module {
  readonly config: LlamaConfig;
  tokEmbeddings: Embedding;
  /** Absolute position table (`positions: "learned"` only). */
  posEmbeddings: Embedding | null;
  /** cos/sin tables shared by every layer (`positions: "rope"` only). */
  rope: RotaryEmbedding | null;
  /** Embedding dropout (null when the config's dropout is 0). */
  drop: Dropout | null;
  layers: TransformerBlock[];
  norm: RMSNorm | LayerNorm;
  /** The output head; its weight is `tokEmbeddings.weight` when tied. */
  output: Linear;

  constructor(config: LlamaConfigInput | LlamaConfig, { dtype = "float32", generator = defaultGenerator }: LlamaOptions = {}) {
    super();
    const c = (this.config = llamaConfig(config));
    const opts = { dtype, generator };
    const headDim = c.hidden_size / c.num_attention_heads;
    this.tokEmbeddings = new Embedding(c.vocab_size, c.hidden_size, opts);
    this.posEmbeddings = c.positions === "learned" ? new Embedding(c.max_position_embeddings, c.hidden_size, opts) : null;
    this.rope = c.positions === "rope" ? new RotaryEmbedding(headDim, c.max_position_embeddings, c.rope_theta, { dtype }) : null;
    this.drop = c.dropout > 0 ? new Dropout(c.dropout, generator) : null;
    this.layers = Array.from({ length: c.num_hidden_layers }, () => new TransformerBlock(c, opts));
    this.norm = makeNorm(c, dtype);
    this.output = new Linear(c.hidden_size, c.vocab_size, { ...opts, bias: false }); // lm_head has no bias
    this.initWeights(generator);
    if (c.tie_word_embeddings) this.output.weight = this.tokEmbeddings.weight;
  }

  /** N(0, initializer_range) for every linear and embedding weight; wo and w2 scaled by 1/√(2·layers) when `scaled_residual_init`. */
  private initWeights(generator: Generator): void {
    const std = this.config.initializer_range;
    const residualStd = this.config.scaled_residual_init ? std / Math.sqrt(2 * this.config.num_hidden_layers) : std;
    for (const [name, m] of this.namedModules()) {
      if (m instanceof Linear) {
        normal_(m.weight, 0, /\.(wo|w2)$/.test(name) ? residualStd : std, generator);
        if (m.bias !== null) zeros_(m.bias);
      } else if (m instanceof Embedding) normal_(m.weight, 0, std, generator);
    }
  }

  /** tokens (B, T) int32 → logits (B, T, V); with targets (B, T) int32, also the mean cross-entropy. */
  forward(tokens: Tensor, targets: Tensor | null = null, { cache = null, ignoreIndex = -100 }: LlamaForwardOptions = {}): LlamaOutput {
    if (tokens.ndim !== 2 || tokens.dtype !== "int32") {
      throw new TypeError(`Llama: tokens must be int32 of shape (B, T), got ${tokens.dtype} [${tokens.shape.join(", ")}]`);
    }
    const T = tokens.shape[1]!;
    const pos = cache?.length ?? 0; // tokens already in the cache
    const maxT = this.config.max_position_embeddings;
    if (pos + T > maxT) throw new RangeError(`Llama: sequence of ${pos + T} tokens exceeds max_position_embeddings ${maxT}`);
    // The activations go back to the memory pool when backward frees the graph: callers only get logits and loss.
    return freeWithGraph(() => {
      let x = this.tokEmbeddings.forward(tokens); // (B, T, d)
      if (this.posEmbeddings !== null) x = x.add(this.posEmbeddings.forward(this.positionIds(pos, T, cache))); // (B, T, d) + ((B,) T, d)
      if (this.drop !== null) x = this.drop.forward(x);
      this.layers.forEach((layer, i) => (x = layer.forward(x, this.rope, cache?.layers[i] ?? null))); // (B, T, d)
      const logits = this.output.forward(this.norm.forward(x)); // (B, T, V)
      const loss = targets === null ? null : crossEntropy(logits, targets, { ignoreIndex });
      return { logits, loss };
    }, (out) => [out.logits, out.loss]);
  }

  /** Position ids of `T` tokens from slot `pos`: (T), or (B, T) counted from each sequence's start in a left-padded cache (pad slots get 0). */
  private positionIds(pos: number, T: number, cache: KVCache | null): Tensor {
    if (cache === null || !cache.starts.some((s) => s > 0)) return arange(pos, pos + T); // (T)
    return tensor(cache.starts.map((start) => Array.from({ length: T }, (_, t) => Math.max(0, pos + t - start))), { dtype: "int32" }); // (B, T)
  }

  /** An empty KV cache for `batch` sequences of up to `maxLen` tokens (default max_position_embeddings). */
  newKVCache(batch = 1, maxLen = this.config.max_position_embeddings): KVCache {
    const c = this.config;
    const dtype = this.tokEmbeddings.weight.dtype as FloatDType;
    return new KVCache(c.num_hidden_layers, batch, c.num_key_value_heads, maxLen, c.hidden_size / c.num_attention_heads, dtype);
  }

  /** State-dict keys are Hugging Face `LlamaForCausalLM` names (see `HF_NAMES`). */
  protected override stateDictKey(name: string): string {
    return toHfName(name);
  }

  /** Loads an HF-named state dict; with a tied head, a redundant `lm_head.weight` is ignored (as transformers does). */
  override loadStateDict(sd: Record<string, Tensor>, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    if (!this.config.tie_word_embeddings || !("lm_head.weight" in sd)) return super.loadStateDict(sd, opts);
    const { ["lm_head.weight"]: _, ...rest } = sd;
    return super.loadStateDict(rest, opts);
  }

  /**
   * Training FLOPs per token at context `seqLen`: `6N + 12·L·d·T` (PaLM,
   * Chowdhery et al. 2022, App. B), N = weights a token is multiplied by
   * (non-embedding parameters, plus the head when tied to the embedding).
   */
  flopsPerToken(seqLen = this.config.max_position_embeddings): number {
    const c = this.config;
    const tiedHead = c.tie_word_embeddings ? c.vocab_size * c.hidden_size : 0;
    const n = this.numParameters({ excludeEmbeddings: true }) + tiedHead;
    return 6 * n + 12 * c.num_hidden_layers * c.hidden_size * seqLen;
  }

  /** One line: parameter counts and training FLOPs per token at `seqLen`. */
  summary(seqLen = this.config.max_position_embeddings): string {
    const f = (n: number) => n.toLocaleString("en-US");
    return `${f(this.numParameters())} parameters (${f(this.numParameters({ excludeEmbeddings: true }))} non-embedding), ` +
      `${f(this.flopsPerToken(seqLen))} training FLOPs/token at T = ${seqLen}`;
  }

  /** The module tree followed by {@link summary}. */
  override toString(): string {
    return `${super.toString()}\n${this.summary()}`;
  }

  protected override extraRepr(): string {
    const c = this.config;
    return c.norm === "rmsnorm" && c.ffn === "swiglu" && c.positions === "rope" ? "" : `norm=${c.norm}, ffn=${c.ffn}, positions=${c.positions}`;
  }
}
