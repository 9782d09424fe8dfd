/**
 * @file LlamaConfig: defaults, derived sizes, validation messages that name
 * the field, unknown-key suggestions, and Hugging Face config.json round trips.
 */
import { describe, expect, it } from "vitest";
import { llamaConfig, toHfConfig } from "./index.js";

const tiny = { vocab_size: 32, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4 };

describe("llamaConfig", () => {
  it("fills LLaMA defaults and derives sizes", () => {
    const c = llamaConfig(tiny);
    expect(c).toMatchObject({
      num_key_value_heads: 4, intermediate_size: 64, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: false,
      norm: "rmsnorm", ffn: "swiglu", positions: "rope", initializer_range: 0.02, dropout: 0, scaled_residual_init: false,
    });
    expect(llamaConfig({ ...tiny, ffn: "gelu_mlp" }).intermediate_size).toBe(64);
    expect(llamaConfig({ ...tiny, hidden_size: 4096, num_attention_heads: 32, multiple_of: 256 }).intermediate_size).toBe(11008);
    expect(llamaConfig({ ...tiny, intermediate_size: 40 }).intermediate_size).toBe(40);
  });

  it("names the field in every error", () => {
    expect(() => llamaConfig({ ...tiny, hidden_size: 100, num_attention_heads: 3 })).toThrow("LlamaConfig: hidden_size 100 is not divisible by num_attention_heads 3");
    expect(() => llamaConfig({ ...tiny, num_key_value_heads: 3 })).toThrow("LlamaConfig: num_attention_heads 4 is not divisible by num_key_value_heads 3");
    expect(() => llamaConfig({ ...tiny, vocab_size: 0 })).toThrow("LlamaConfig: vocab_size must be a positive integer, got 0");
    expect(() => llamaConfig({ ...tiny, norm: "batchnorm" as "rmsnorm" })).toThrow('LlamaConfig: norm must be one of "rmsnorm", "layernorm", got "batchnorm"');
    expect(() => llamaConfig({ ...tiny, hidden_size: 12 })).toThrow("LlamaConfig: head dim 3 (hidden_size / num_attention_heads) must be even for rope positions");
    expect(llamaConfig({ ...tiny, hidden_size: 12, positions: "learned" }).hidden_size).toBe(12);
    expect(() => llamaConfig({ ...tiny, eos_token_id: 32 })).toThrow("LlamaConfig: eos_token_id 32 is out of range for vocab_size 32");
    expect(() => llamaConfig({ ...tiny, hiden_size: 8 })).toThrow('LlamaConfig: unknown field "hiden_size" (did you mean "hidden_size"?)');
    expect(() => llamaConfig({ vocab_size: 32 })).toThrow("LlamaConfig: hidden_size is required");
    expect(() => llamaConfig({ ...tiny, dropout: 1 })).toThrow("LlamaConfig: dropout must be a number in [0, 1), got 1");
  });

  it("reads a Hugging Face config.json and writes one back", () => {
    const hf = {
      architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_act: "silu", torch_dtype: "bfloat16", use_cache: true,
      vocab_size: 32000, hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22, num_attention_heads: 32,
      num_key_value_heads: 4, rms_norm_eps: 1e-5, rope_theta: 10000, max_position_embeddings: 2048, tie_word_embeddings: false,
      bos_token_id: 1, eos_token_id: 2, rope_scaling: null, attention_bias: false, pretraining_tp: 1, transformers_version: "4.35.0",
    }; // TinyLlama-1.1B's config.json
    const c = llamaConfig(hf);
    expect(c.num_key_value_heads).toBe(4);
    expect(llamaConfig(toHfConfig(c))).toEqual(c);
    expect(toHfConfig(c).architectures).toEqual(["LlamaForCausalLM"]);
    expect(() => llamaConfig({ ...hf, rope_scaling: { type: "linear", factor: 2 } })).toThrow('LlamaConfig: rope_scaling {"type":"linear","factor":2} is not supported');
  });

  it("an ablation variant declares a kiln architecture, so transformers cannot load it as LLaMA", () => {
    const tiny = { vocab_size: 32, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2 };
    for (const variant of [{ norm: "layernorm" }, { ffn: "gelu_mlp" }, { positions: "learned" }, { positions: "none" }] as const) {
      const hf = toHfConfig(llamaConfig({ ...tiny, ...variant }));
      expect([hf.architectures, hf.model_type]).toEqual([["KilnLlamaForCausalLM"], "kiln_llama"]);
      expect(llamaConfig(hf)).toEqual(llamaConfig({ ...tiny, ...variant }));
    }
    expect(toHfConfig(llamaConfig(tiny)).model_type).toBe("llama");
  });
});
