/**
 * @file TransformerBlock: the pre-norm residual equation, the norm and
 * feed-forward switches, and float64 gradchecks of both variants.
 */
import { Generator } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, leaf, weighted } from "../test/helpers.js";
import { GeluMLP, LayerNorm, RMSNorm, RotaryEmbedding, SwiGLU, TransformerBlock, llamaConfig } from "./index.js";

const config = (extra = {}) =>
  llamaConfig({ vocab_size: 8, hidden_size: 4, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 6, ...extra });

describe("TransformerBlock", () => {
  const rope = new RotaryEmbedding(2, 16, 10000, { dtype: "float64" });

  it("computes h = x + attn(norm(x)); out = h + ffn(norm(h))", () => {
    const b = new TransformerBlock(config(), { dtype: "float64", generator: new Generator(1) });
    expect(b.attentionNorm).toBeInstanceOf(RMSNorm);
    expect(b.feedForward).toBeInstanceOf(SwiGLU);
    const x = leaf([2, 3, 4], 2);
    const h = x.add(b.attention.forward(b.attentionNorm.forward(x), rope));
    expect(b.forward(x, rope)).toBeAllclose(h.add(b.feedForward.forward(b.ffnNorm.forward(h))), { atol: 0, rtol: 0 });
  });

  it("switches to LayerNorm and the GELU MLP", () => {
    const b = new TransformerBlock(config({ norm: "layernorm", ffn: "gelu_mlp" }));
    expect(b.attentionNorm).toBeInstanceOf(LayerNorm);
    expect(b.ffnNorm).toBeInstanceOf(LayerNorm);
    expect(b.feedForward).toBeInstanceOf(GeluMLP);
  });

  it("gradcheck (float64), LLaMA block and the layernorm + gelu_mlp block", () => {
    for (const extra of [{}, { norm: "layernorm", ffn: "gelu_mlp" }]) {
      const b = new TransformerBlock(config(extra), { generator: new Generator(3) });
      const x = leaf([1, 3, 4], 4);
      expect(gradcheckModule(b, () => weighted(b.forward(x, rope)), [x])).toBe(true);
    }
  });
});
