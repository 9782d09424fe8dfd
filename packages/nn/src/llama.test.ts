/**
 * @file Llama: shapes and the loss at init, ignoreIndex, every architecture
 * switch (with float64 gradchecks), tied heads, Hugging Face state-dict names,
 * parameter/FLOP accounting, seeded and scaled initialisation, dropout.
 */
import { Generator, crossEntropy, noGrad, randint, tensor, zeros } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule } from "../test/helpers.js";
import { GeluMLP, LayerNorm, Llama, fromHfName, toHfName, type LlamaConfigInput } from "./index.js";

const tiny: LlamaConfigInput = { vocab_size: 8, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 8, max_position_embeddings: 16 };
const small: LlamaConfigInput = { vocab_size: 64, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 32 };
const batch = (V: number, B = 2, T = 6, seed = 1) => {
  const g = new Generator(seed);
  return [randint(0, V, [B, T], { generator: g }), randint(0, V, [B, T], { generator: g })] as const;
};

describe("Llama", () => {
  it("returns (B, T, V) logits and a loss near ln V at init", () => {
    const m = new Llama(small, { generator: new Generator(0) });
    const [x, y] = batch(64, 4, 16);
    const { logits, loss } = m.forward(x, y);
    expect(logits.shape).toEqual([4, 16, 64]);
    expect(Math.abs(loss!.item() - Math.log(64))).toBeLessThan(0.05);
    expect(m.forward(x).loss).toBeNull();
  });

  it("ignoreIndex targets contribute nothing to the mean", () => {
    const m = new Llama(tiny, { generator: new Generator(1) });
    const [x] = batch(8);
    const t = tensor([[1, 2, -1, 3, -1, 0], [-1, -1, 5, 6, 7, 1]], { dtype: "int32" });
    const { logits, loss } = m.forward(x, t, { ignoreIndex: -1 });
    expect(loss!.item()).toBeCloseTo(crossEntropy(logits, t, { ignoreIndex: -1, reduction: "sum" }).item() / 8, 5);
  });

  it("architecture switches build the right modules; defaults are LLaMA", () => {
    const base = new Llama(tiny);
    expect([base.rope !== null, base.posEmbeddings, base.norm.constructor.name, base.layers[0]!.feedForward.constructor.name]).toEqual([true, null, "RMSNorm", "SwiGLU"]);
    const ab = new Llama({ ...tiny, norm: "layernorm", ffn: "gelu_mlp", positions: "learned", tie_word_embeddings: true });
    expect(ab.norm).toBeInstanceOf(LayerNorm);
    expect(ab.layers[1]!.feedForward).toBeInstanceOf(GeluMLP);
    expect([ab.rope, ab.posEmbeddings!.weight.shape]).toEqual([null, [16, 8]]);
    expect(ab.output.weight).toBe(ab.tokEmbeddings.weight);
    const nope = new Llama({ ...tiny, positions: "none" });
    expect([nope.rope, nope.posEmbeddings]).toEqual([null, null]);
    const [x, y] = batch(8);
    for (const m of [ab, nope]) expect(Number.isFinite(m.forward(x, y).loss!.item())).toBe(true);
  });

  it("gradcheck (float64) of every parameter: LLaMA, and all ablation switches at once", () => {
    const [x, y] = batch(8, 1, 4, 2);
    for (const extra of [{}, { norm: "layernorm", ffn: "gelu_mlp", positions: "learned", tie_word_embeddings: true } as const]) {
      const m = new Llama({ ...tiny, num_hidden_layers: 1, ...extra }, { generator: new Generator(3) });
      expect(gradcheckModule(m, () => m.forward(x, y).loss!)).toBe(true);
    }
  });

  it("stateDict uses Hugging Face LlamaForCausalLM names through one table; a tied head is saved once", () => {
    const m = new Llama({ ...tiny, num_hidden_layers: 1 });
    expect(Object.keys(m.stateDict()).sort()).toEqual([
      "lm_head.weight", "model.embed_tokens.weight", "model.layers.0.input_layernorm.weight", "model.layers.0.mlp.down_proj.weight",
      "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight", "model.layers.0.post_attention_layernorm.weight",
      "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.o_proj.weight", "model.layers.0.self_attn.q_proj.weight",
      "model.layers.0.self_attn.v_proj.weight", "model.norm.weight",
    ]);
    for (const [name] of m.namedParameters()) expect(fromHfName(toHfName(name))).toBe(name);
    const tied = new Llama({ ...tiny, tie_word_embeddings: true });
    expect(Object.keys(tied.stateDict())).not.toContain("lm_head.weight");
    const sd = { ...tied.stateDict(), "lm_head.weight": zeros([8, 8]) }; // some HF checkpoints carry the tied copy
    expect(() => new Llama({ ...tiny, tie_word_embeddings: true }).loadStateDict(sd)).not.toThrow();
    expect(() => m.loadStateDict({ ...m.stateDict(), "model.norm.weight": zeros([4]) })).toThrow(
      'size mismatch for "model.norm.weight": checkpoint has [4], the model has [8]',
    );
  });

  it("loading a state dict reproduces the model exactly; the same seed builds the same model", () => {
    const a = new Llama(tiny, { generator: new Generator(5) });
    const b = new Llama(tiny, { generator: new Generator(6) });
    const [x] = batch(8);
    expect(a.forward(x).logits).not.toBeAllclose(b.forward(x).logits, { atol: 0, rtol: 0 });
    b.loadStateDict(a.stateDict());
    expect(a.forward(x).logits).toBeAllclose(b.forward(x).logits, { atol: 0, rtol: 0 });
    expect(new Llama(tiny, { generator: new Generator(5) }).forward(x).logits).toBeAllclose(a.forward(x).logits, { atol: 0, rtol: 0 });
  });

  it("counts parameters and FLOPs (6N + 12·L·d·T) and prints them", () => {
    const m = new Llama(small);
    const [V, d, L, hid, kv] = [64, 32, 2, 96, 16]; // hidden: 32 · ⌈⌊2/3 · 4 · 32⌋ / 32⌉ = 96
    const block = d + 2 * d * d + 2 * kv * d + 3 * hid * d + d;
    expect(m.numParameters({ excludeEmbeddings: true })).toBe(L * block + d + V * d);
    expect(m.numParameters()).toBe(L * block + d + 2 * V * d);
    expect(m.flopsPerToken(32)).toBe(6 * (L * block + d + V * d) + 12 * L * d * 32);
    const tied = new Llama({ ...small, tie_word_embeddings: true });
    expect(tied.numParameters()).toBe(L * block + d + V * d);
    expect(tied.flopsPerToken(32)).toBe(m.flopsPerToken(32));
    expect(m.toString()).toMatch(/\(layers\): ModuleList\(\n {4}\(0-1\): 2 x TransformerBlock\(/);
    expect(m.toString().split("\n").at(-1)).toBe(m.summary());
    expect(m.summary()).toMatch(/^[\d,]+ parameters \([\d,]+ non-embedding\), [\d,]+ training FLOPs\/token at T = 32$/);
  });

  it("initialises N(0, 0.02), with wo and w2 scaled by 1/√(2L) when asked", () => {
    const cfg = { ...small, hidden_size: 64, intermediate_size: 64, scaled_residual_init: true };
    const m = new Llama(cfg, { generator: new Generator(7) });
    const std = (d: Float32Array) => Math.sqrt(d.reduce((a, v) => a + v * v, 0) / d.length);
    const block = m.layers[0]!;
    expect(Math.abs(std(block.attention.wq.weight.data as Float32Array) - 0.02)).toBeLessThan(0.001);
    expect(Math.abs(std(block.attention.wo.weight.data as Float32Array) - 0.01)).toBeLessThan(0.0005);
    expect(Math.abs(std(block.feedForward.w2.weight.data as Float32Array) - 0.01)).toBeLessThan(0.0005);
    expect(Array.from(block.ffnNorm.weight.data).every((v) => v === 1)).toBe(true);
  });

  it("dropout acts in training only", () => {
    const m = new Llama({ ...tiny, dropout: 0.5 }, { generator: new Generator(8) });
    const [x] = batch(8);
    expect(m.forward(x).logits).not.toBeAllclose(m.forward(x).logits, { atol: 0, rtol: 0 });
    m.eval();
    noGrad(() => expect(m.forward(x).logits).toBeAllclose(m.forward(x).logits, { atol: 0, rtol: 0 }));
  });

  it("rejects bad tokens and over-long sequences with clear errors", () => {
    const m = new Llama(tiny);
    expect(() => m.forward(tensor([[1, 2]]))).toThrow("Llama: tokens must be int32 of shape (B, T), got float32 [1, 2]");
    expect(() => m.forward(zeros([1, 17], { dtype: "int32" }))).toThrow("Llama: sequence of 17 tokens exceeds max_position_embeddings 16");
    expect(() => m.forward(tensor([[1, 8]], { dtype: "int32" }))).toThrow("embedding: id 8 at position [0, 1] is out of range for a vocabulary of 8");
  });
});
