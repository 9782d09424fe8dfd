/**
 * @file Planning an ablation without training: parameter matching through
 * intermediate_size, equal-token and equal-FLOPs budgets, paired seeds, the
 * errors that must come before any training (unknown keys name the variant
 * and key), `--variant` parsing, and the built-in study's spec.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planAblation } from "../src/ablate/plan.js";
import { loadAblationSpec, parseAblationSpec, parseCount, parseVariantArg } from "../src/ablate/spec.js";

const base = {
  model: { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 2 },
  data: { corpus: "unused", tokenizer: "bpe", vocabSize: 512, contextLength: 64 },
  train: { batchSize: 4, seed: 10 },
};
const spec = (over: Record<string, unknown> = {}) => parseAblationSpec({ name: "t", base, budget: { tokens: 25_600 }, ...over }, "test");

describe("planAblation", () => {
  it("matches a GELU MLP's parameters to SwiGLU's exactly (3·h_swiglu = 2·h_gelu) and pairs seeds", () => {
    const plan = planAblation(spec({ seeds: 3, variants: { swiglu: {}, gelu: { set: { "model.ffn": "gelu_mlp" }, match: "params" } } }));
    const [sw, ge] = plan.variants;
    expect(sw!.config.model.intermediate_size).toBeUndefined(); // swiglu keeps Meta's rule: 2/3·4·64 → 192
    expect(ge!.matched).toMatchObject({ knob: "model.intermediate_size", value: 288, residual: 0, target: sw!.params });
    expect(ge!.params).toBe(sw!.params);
    expect(plan.seeds).toEqual([10, 11, 12]);
    expect(plan.runs.map((r) => `${r.variant}@${r.seed}`)).toEqual(["swiglu@10", "gelu@10", "swiglu@11", "gelu@11", "swiglu@12", "gelu@12"]);
    expect(plan.runs.every((r) => r.config.train.seed === r.seed && r.config.train.steps === 100)).toBe(true);
    expect(plan.runs[0]!.config.sample.prompts).toEqual([]);
  });

  it("matches as closely as an integer knob allows, and reports the residual", () => {
    const plan = planAblation(spec({ variants: { rms: {}, ln: { set: { "model.norm": "layernorm" }, match: "non_embedding_params" } } }));
    const ln = plan.variants[1]!;
    const slope = 2 * 3 * 64; // two layers × three (dim × hidden) matrices
    expect(Math.abs(ln.matched!.residual)).toBeLessThanOrEqual(slope / 2);
    expect(ln.nonEmbeddingParams - plan.variants[0]!.nonEmbeddingParams).toBe(ln.matched!.residual);
  });

  it("equal tokens gives equal steps; equal FLOPs gives a bigger model fewer steps", () => {
    const variants = { small: {}, wide: { set: { "model.hidden_size": 96 } } };
    const tokens = planAblation(spec({ variants }));
    expect(tokens.variants.map((v) => v.steps)).toEqual([100, 100]);
    const flops = planAblation(spec({ variants, equal: "flops" }));
    const [s, w] = flops.variants;
    expect(w!.steps).toBeLessThan(s!.steps);
    expect(Math.abs(w!.flops - s!.flops) / s!.flops).toBeLessThan(w!.flopsPerToken * w!.tokensPerStep / s!.flops);
  });

  it("rejects a variant key that does not exist — naming variant and key — before any training", () => {
    expect(() => planAblation(spec({ variants: { a: {}, b: { set: { "model.nrom": "layernorm" } } } }))).toThrow(/variant "b": model: unknown field "nrom" \(did you mean "norm"\?\)/);
    expect(() => planAblation(spec({ variants: { a: {}, b: { set: { "optim.lrr": 1 } } } }))).toThrow(/variant "b": unknown config key "optim.lrr" \(did you mean "optim.lr"\?\)/);
    expect(() => planAblation(spec({ variants: { a: {}, b: { set: { "model.ffn": "relu" } } } }))).toThrow(/variant "b": model: ffn must be one of "swiglu", "gelu_mlp", got "relu"/);
    expect(() => planAblation(spec({ variants: { a: {}, b: { set: { "train.steps": 5 } } } }))).toThrow(/variant "b": train.steps is set by the ablation/);
    expect(() => spec({ variants: { a: {}, b: {} }, baseline: "c" })).toThrow(/baseline "c" is not one of the variants \(a, b\)/);
    expect(() => spec({ variants: { a: { sett: {} }, b: {} } })).toThrow(/unknown config key "variants.a.sett" \(did you mean "variants.a.set"\?\)/);
    expect(() => spec({ variants: { a: {} } })).toThrow(/at least two variants/);
    expect(() => spec({ variants: { a: {}, b: {} }, budget: { tokens: 5, steps: 5 } })).toThrow(/exactly one of "tokens" or "steps"/);
  });

  it("warns when a variant changes the data order", () => {
    const plan = planAblation(spec({ variants: { a: {}, long: { set: { "data.contextLength": 128 } } } }));
    expect(plan.warnings[0]).toMatch(/variant "long" sets data.contextLength: its batches differ/);
  });
});

describe("spec parsing", () => {
  it("--variant name:key=value,… with JSON values, lists and a bare name", () => {
    expect(parseVariantArg("gelu:model.ffn=gelu_mlp,model.intermediate_size=512")).toEqual({ name: "gelu", set: { "model.ffn": "gelu_mlp", "model.intermediate_size": 512 } });
    expect(parseVariantArg('p:sample.prompts=["a,b","c"],optim.lr=3e-4')).toEqual({ name: "p", set: { "sample.prompts": ["a,b", "c"], "optim.lr": 3e-4 } });
    expect(parseVariantArg("same:")).toEqual({ name: "same", set: {} });
    expect(() => parseVariantArg("1x:a=b")).toThrow(/NAME starting with a letter/);
    expect(() => parseVariantArg("x:novalue")).toThrow(/expected key=value/);
  });

  it("counts: 500k, 1.5M, 2e6", () => {
    expect(parseCount("500k", "--tokens")).toBe(500_000);
    expect(parseCount("1.5M", "--tokens")).toBe(1_500_000);
    expect(parseCount("2e6", "--tokens")).toBe(2_000_000);
    expect(() => parseCount("lots", "--tokens")).toThrow(/--tokens must be a positive count/);
  });

  it("the built-in study plans: ≥ 3 seeds, matched FFN parameters, equal tokens, every variant valid", () => {
    const s = loadAblationSpec(join(import.meta.dirname, "..", "..", "..", "configs", "ablations", "llama-components.json"));
    const plan = planAblation(s);
    expect(plan.seeds.length).toBeGreaterThanOrEqual(3);
    expect(new Set(plan.variants.map((v) => v.tokens)).size).toBe(1);
    const byName = Object.fromEntries(plan.variants.map((v) => [v.name, v]));
    expect(byName.gelu_mlp!.matched!.residual).toBe(0);
    expect(byName.gelu_mlp!.params).toBe(byName[s.baseline]!.params);
    expect(plan.variants.map((v) => v.name)).toEqual(expect.arrayContaining(["layernorm", "gelu_mlp", "learned_positions", "no_positions", "tied_embeddings"]));
  });
});
