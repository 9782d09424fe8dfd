/**
 * @file LlamaConfig: the model's hyperparameters under Hugging Face
 * `LlamaConfig` names (so `config.json` round-trips with transformers), plus
 * kiln's architecture switches for experiments. `llamaConfig()` fills
 * defaults and validates, naming the field in every error.
 */
import { swigluHiddenSize } from "./swiglu.js";
import { closest } from "./did-you-mean.js";

/** A LLaMA's hyperparameters. Snake_case fields are Hugging Face's; the kiln extras are marked. */
export interface LlamaConfig {
  /** Tokens in the vocabulary (rows of the embedding and the output head). */
  vocab_size: number;
  /** Model width d. */
  hidden_size: number;
  /** Feed-forward hidden width (default: Meta's SwiGLU rule from `multiple_of`, or 4·d for `gelu_mlp`). */
  intermediate_size: number;
  /** Transformer blocks. */
  num_hidden_layers: number;
  /** Query heads; head dim = hidden_size / num_attention_heads. */
  num_attention_heads: number;
  /** Key/value heads (grouped-query attention when fewer than query heads; default = num_attention_heads). */
  num_key_value_heads: number;
  /** eps inside the norm's square root (used by LayerNorm too when `norm` is "layernorm"; default 1e-6). */
  rms_norm_eps: number;
  /** RoPE base θ (default 10000). */
  rope_theta: number;
  /** Longest sequence: size of the RoPE tables / learned position table and of the KV cache (default 2048). */
  max_position_embeddings: number;
  /** Share the output head with the token embedding (default false). */
  tie_word_embeddings: boolean;
  /** std of the normal initialisation (default 0.02). */
  initializer_range: number;
  /** Beginning-of-sequence id, or null. */
  bos_token_id: number | null;
  /** End-of-sequence id where `generate` stops, or null. */
  eos_token_id: number | null;
  /** kiln: normalisation, `"rmsnorm"` (LLaMA, default) or `"layernorm"` (GPT-2 style, with bias). */
  norm: "rmsnorm" | "layernorm";
  /** kiln: feed-forward, `"swiglu"` (LLaMA, default) or `"gelu_mlp"` (`w2(gelu(w3 x))`). */
  ffn: "swiglu" | "gelu_mlp";
  /** kiln: positions, `"rope"` (LLaMA, default), `"learned"` (absolute, GPT-2 style) or `"none"` (NoPE). */
  positions: "rope" | "learned" | "none";
  /** kiln (Meta's `multiple_of`): SwiGLU hidden size rounds up to a multiple of this when intermediate_size is not given (default 32). */
  multiple_of: number;
  /** kiln (Meta's `ffn_dim_multiplier`): scales the SwiGLU hidden size, or null. */
  ffn_dim_multiplier: number | null;
  /** kiln: dropout on embeddings and on each residual branch in training (default 0; attention probabilities are not dropped). */
  dropout: number;
  /** kiln: initialise residual output projections (wo, w2) with std / √(2·layers), as GPT-2 (default false). */
  scaled_residual_init: boolean;
}

/** The fields `llamaConfig` requires; every other field has a default. */
export type LlamaConfigInput = Partial<LlamaConfig> & Pick<LlamaConfig, "vocab_size" | "hidden_size" | "num_hidden_layers" | "num_attention_heads">;

const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const idOrNull = (v: unknown) => v === null || (Number.isInteger(v) && (v as number) >= 0);
const oneOf = (...xs: string[]) => [(v: unknown) => xs.includes(v as string), `one of ${xs.map((x) => `"${x}"`).join(", ")}`] as const;

/** Each field's check and what it must be. */
const RULES: Record<keyof LlamaConfig, readonly [(v: unknown) => boolean, string]> = {
  vocab_size: [posInt, "a positive integer"],
  hidden_size: [posInt, "a positive integer"],
  intermediate_size: [posInt, "a positive integer"],
  num_hidden_layers: [posInt, "a positive integer"],
  num_attention_heads: [posInt, "a positive integer"],
  num_key_value_heads: [posInt, "a positive integer"],
  rms_norm_eps: [(v) => typeof v === "number" && v >= 0, "a number ≥ 0"],
  rope_theta: [(v) => typeof v === "number" && v > 0, "a number > 0"],
  max_position_embeddings: [posInt, "a positive integer"],
  tie_word_embeddings: [(v) => typeof v === "boolean", "true or false"],
  initializer_range: [(v) => typeof v === "number" && v >= 0, "a number ≥ 0"],
  bos_token_id: [idOrNull, "a token id or null"],
  eos_token_id: [idOrNull, "a token id or null"],
  norm: oneOf("rmsnorm", "layernorm"),
  ffn: oneOf("swiglu", "gelu_mlp"),
  positions: oneOf("rope", "learned", "none"),
  multiple_of: [posInt, "a positive integer"],
  ffn_dim_multiplier: [(v) => v === null || (typeof v === "number" && v > 0), "a number > 0 or null"],
  dropout: [(v) => typeof v === "number" && v >= 0 && v < 1, "a number in [0, 1)"],
  scaled_residual_init: [(v) => typeof v === "boolean", "true or false"],
};

/** Keys of HF config.json files that kiln accepts: ignored, or checked to match what kiln implements. */
const HF_KEYS: Record<string, (v: unknown) => boolean> = {
  architectures: () => true, model_type: (v) => v === "llama" || v === KILN_MODEL_TYPE, torch_dtype: () => true, dtype: () => true, transformers_version: () => true,
  use_cache: () => true, pretraining_tp: () => true, pad_token_id: () => true, hidden_act: (v) => v === "silu",
  attention_bias: (v) => v === false, mlp_bias: (v) => v === false, rope_scaling: (v) => v === null, attention_dropout: (v) => v === 0,
};

/** A complete, validated config from `input` (a partial config or a parsed HF config.json). */
export function llamaConfig(input: LlamaConfigInput | Record<string, unknown>): LlamaConfig {
  const fail = (msg: string): never => {
    throw new RangeError(`LlamaConfig: ${msg}`);
  };
  if (typeof input !== "object" || input === null) fail(`expected an object, got ${input === null ? "null" : typeof input}`);
  const raw = input as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    if (key in RULES) continue;
    const hf = HF_KEYS[key];
    if (hf === undefined) {
      const near = closest(key, Object.keys(RULES));
      fail(`unknown field "${key}"${near ? ` (did you mean "${near}"?)` : ""}`);
    } else if (!hf(value)) fail(`${key} ${JSON.stringify(value)} is not supported by kiln's Llama`);
  }
  for (const k of ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads"]) if (raw[k] === undefined) fail(`${k} is required`);
  const c = {
    rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 2048, tie_word_embeddings: false, initializer_range: 0.02,
    bos_token_id: null, eos_token_id: null, norm: "rmsnorm", ffn: "swiglu", positions: "rope",
    multiple_of: 32, ffn_dim_multiplier: null, dropout: 0, scaled_residual_init: false,
    ...Object.fromEntries(Object.entries(raw).filter(([k]) => k in RULES)),
  } as LlamaConfig;
  c.num_key_value_heads ??= c.num_attention_heads;
  for (const [key, [check, want]] of Object.entries(RULES)) {
    if (key === "intermediate_size" && c.intermediate_size === undefined) continue;
    const v = (c as unknown as Record<string, unknown>)[key];
    if (!check(v)) fail(`${key} must be ${want}, got ${JSON.stringify(v)}`);
  }
  c.intermediate_size ??= c.ffn === "swiglu" ? swigluHiddenSize(c.hidden_size, c.multiple_of, c.ffn_dim_multiplier) : 4 * c.hidden_size;
  const { hidden_size: d, num_attention_heads: nh, num_key_value_heads: nkv } = c;
  if (d % nh !== 0) fail(`hidden_size ${d} is not divisible by num_attention_heads ${nh}`);
  if (nh % nkv !== 0) fail(`num_attention_heads ${nh} is not divisible by num_key_value_heads ${nkv}`);
  if (c.positions === "rope" && (d / nh) % 2 !== 0) fail(`head dim ${d / nh} (hidden_size / num_attention_heads) must be even for rope positions`);
  for (const k of ["bos_token_id", "eos_token_id"] as const) {
    const id = c[k];
    if (id !== null && id >= c.vocab_size) fail(`${k} ${id} is out of range for vocab_size ${c.vocab_size}`);
  }
  return c;
}

/** `model_type` of a checkpoint whose architecture transformers has no class for (an ablation variant). */
export const KILN_MODEL_TYPE = "kiln_llama";

/** Whether `c` is LLaMA itself (rmsnorm, swiglu, rope), i.e. a model transformers' `LlamaForCausalLM` computes exactly. */
export function isHfLlama(c: LlamaConfig): boolean {
  return c.norm === "rmsnorm" && c.ffn === "swiglu" && c.positions === "rope";
}

/**
 * The config as a Hugging Face `config.json` object, kiln extras included
 * (transformers keeps unknown keys). LLaMA itself declares `LlamaForCausalLM`;
 * an ablation variant (layernorm, gelu_mlp, learned or no positions) declares
 * `KilnLlamaForCausalLM` / `kiln_llama`, which transformers refuses instead of
 * silently loading a different model.
 */
export function toHfConfig(c: LlamaConfig): Record<string, unknown> {
  const [architecture, modelType] = isHfLlama(c) ? ["LlamaForCausalLM", "llama"] : ["KilnLlamaForCausalLM", KILN_MODEL_TYPE];
  return { architectures: [architecture], model_type: modelType, hidden_act: "silu", ...c };
}
