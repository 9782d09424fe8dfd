/**
 * @file Attention module against an HF-style composite (explicit repeat_kv,
 * full T×T causal mask), KV-cached steps against full recomputation, the
 * cache's errors, and a float64 gradcheck with GQA.
 */
import { Generator, arange, cat, matmul, noGrad, ones, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, leaf, weighted } from "../test/helpers.js";
import { Attention, KVSlot, RotaryEmbedding } from "./index.js";

/** modeling_llama's LlamaAttention written with plain ops: the mask and the repeated kv heads are materialised. */
function reference(a: Attention, x: Tensor, rope: RotaryEmbedding): Tensor {
  const [B, T] = x.shape as [number, number];
  const { nHeads: nh, nKvHeads: nkv, headDim: hs } = a;
  const q = rope.forward(x.matmul(a.wq.weight.t()).reshape([B, T, nh, hs])).transpose(1, 2); // (B, nh, T, hs)
  const heads = arange(nh).div(nh / nkv).to("int32");
  const k = rope.forward(x.matmul(a.wk.weight.t()).reshape([B, T, nkv, hs])).transpose(1, 2).indexSelect(1, heads); // (B, nh, T, hs)
  const v = x.matmul(a.wv.weight.t()).reshape([B, T, nkv, hs]).transpose(1, 2).indexSelect(1, heads); // (B, nh, T, hs)
  const mask = ones([T, T], { dtype: "bool" }).triu(1);
  const att = q.matmul(k.transpose(2, 3)).div(Math.sqrt(hs)).maskedFill(mask, -Infinity).softmax(-1); // (B, nh, T, T)
  return matmul(att, v).transpose(1, 2).reshape([B, T, nh * hs]).matmul(a.wo.weight.t()); // (B, T, d)
}

describe("Attention", () => {
  const rope = new RotaryEmbedding(4, 32, 10000, { dtype: "float64" });

  it("grouped-query causal attention matches the materialised composite, forward and backward", () => {
    const a = new Attention(16, 4, 2, { dtype: "float64", generator: new Generator(1) });
    const x = leaf([2, 6, 16], 2);
    const y = a.forward(x, rope);
    expect(y).toBeAllclose(reference(a, x, rope), { atol: 1e-12, rtol: 0 });
    weighted(y).backward();
    const grads = [x, ...a.parameters()].map((t) => t.grad!);
    a.zeroGrad();
    x.grad = null;
    weighted(reference(a, x, rope)).backward();
    [x, ...a.parameters()].forEach((t, i) => expect(grads[i]!).toBeAllclose(t.grad!, { atol: 1e-12, rtol: 0 }));
  });

  it("KV-cached steps reproduce full recomputation", () => {
    const a = new Attention(8, 2, 1, { dtype: "float64", generator: new Generator(3) });
    const x = leaf([2, 7, 8], 4).detach();
    noGrad(() => {
      const full = a.forward(x, rope);
      const slot = new KVSlot(2, 1, 7, 4, "float64");
      const steps = [a.forward(x.narrow(1, 0, 4), rope, slot), a.forward(x.narrow(1, 4, 1), rope, slot), a.forward(x.narrow(1, 5, 2), rope, slot)];
      expect(slot.length).toBe(7);
      expect(cat(steps, 1)).toBeAllclose(full, { atol: 1e-12, rtol: 0 });
      expect(() => a.forward(x.narrow(1, 0, 1), rope, slot)).toThrow("KVCache: cannot append 1 position(s) to a cache holding 7 of 7");
    });
    const slot = new KVSlot(2, 1, 7, 4, "float64");
    expect(() => a.forward(x, rope, slot)).toThrow(/gradients do not flow through the cache; run cached decoding under noGrad/);
  });

  it("checks its head arithmetic", () => {
    expect(() => new Attention(10, 3)).toThrow("Attention: dim 10 is not divisible by nHeads 3");
    expect(() => new Attention(12, 4, 3)).toThrow("Attention: nHeads 4 is not divisible by nKvHeads 3");
    expect(new Attention(8, 4, 2).toString().split("\n")[1]).toBe("  n_heads=4, n_kv_heads=2, head_dim=2");
  });

  it("gradcheck (float64) of input and wq, wk, wv, wo with GQA", () => {
    const a = new Attention(8, 2, 1, { generator: new Generator(5) });
    const x = leaf([1, 3, 8], 6);
    expect(gradcheckModule(a, () => weighted(a.forward(x, rope)), [x])).toBe(true);
  });
});
