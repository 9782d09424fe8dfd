/**
 * @file weightDecayGroups on a tiny LLaMA's named parameters (tied output, frozen tensor).
 */
import { ones, zeros, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { AdamW } from "./adam.js";
import { weightDecayGroups } from "./param-groups.js";

/** A tiny LLaMA's parameters, Hugging Face names, output tied to the embedding. */
function llamaParams(): [string, Tensor][] {
  const p = (shape: number[]) => zeros(shape).requiresGrad_();
  const embed = p([32, 8]);
  return [
    ["model.embed_tokens.weight", embed],
    ["model.layers.0.input_layernorm.weight", p([8])],
    ["model.layers.0.self_attn.q_proj.weight", p([8, 8])],
    ["model.layers.0.mlp.gate_proj.weight", p([16, 8])],
    ["model.layers.0.mlp.bias", p([16])],
    ["model.norm.weight", p([8])],
    ["lm_head.weight", embed],
    ["frozen.weight", ones([4, 4])],
  ];
}

describe("weightDecayGroups", () => {
  it("decays matrices, not norms or biases, counts each tied tensor once and skips frozen ones", () => {
    const r = weightDecayGroups(llamaParams(), { weightDecay: 0.1 });
    expect(r.decay).toEqual({ names: ["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.gate_proj.weight"], tensors: 3, numel: 256 + 64 + 128 });
    expect(r.noDecay).toEqual({ names: ["model.layers.0.input_layernorm.weight", "model.layers.0.mlp.bias", "model.norm.weight"], tensors: 3, numel: 32 });
    expect(r.skipped).toEqual(["lm_head.weight", "frozen.weight"]);
    expect(r.summary).toBe("decay: 3 tensors, 448 params | no decay: 3 tensors, 32 params | skipped 2 (frozen or tied)");
    expect(r.groups.map((g) => [g.name, g.weightDecay, g.params.length])).toEqual([["decay", 0.1, 3], ["no_decay", 0, 3]]);
  });

  it("can leave embeddings undecayed", () => {
    const r = weightDecayGroups(new Map(llamaParams()), { weightDecay: 0.1, decayEmbeddings: false });
    expect(r.decay.tensors).toBe(2);
    expect(r.noDecay.names[0]).toBe("model.embed_tokens.weight");
  });

  it("feeds an optimizer directly", () => {
    const { groups } = weightDecayGroups(Object.fromEntries(llamaParams()), { weightDecay: 0.1 });
    const opt = new AdamW(groups, { lr: 1e-3 });
    expect(opt.paramGroups.map((g) => [g.name, g.weightDecay])).toEqual([["decay", 0.1], ["no_decay", 0]]);
  });
});
