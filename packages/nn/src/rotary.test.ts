/**
 * @file RoPE properties: q·k depends only on the position difference
 * (fast-check), the Hugging Face and Meta conventions agree after the q/k
 * weight permutation (GQA-aware), offsets equal slicing, and a gradcheck.
 */
import { Generator, gradcheck, matmul, randn, scaledDotProductAttention, stack, type Tensor } from "@kiln/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leaf, weighted } from "../test/helpers.js";
import { RotaryEmbedding, permuteHfToMeta, permuteMetaToHf } from "./index.js";

/** Meta's reference RoPE (llama/model.py, `apply_rotary_emb`): pairs (2i, 2i+1) rotated as complex numbers. */
function metaRope(x: Tensor, r: RotaryEmbedding, offset = 0): Tensor {
  const [B, T, H, hs] = x.shape as [number, number, number, number];
  const xr = x.reshape([B, T, H, hs / 2, 2]); // (B, T, H, hs/2, 2)
  const [x0, x1] = [xr.select(-1, 0), xr.select(-1, 1)]; // (B, T, H, hs/2)
  const [c, s] = [r.cos, r.sin].map((t) => t.narrow(0, offset, T).unsqueeze(1)) as [Tensor, Tensor]; // (T, 1, hs/2)
  return stack([x0.mul(c).sub(x1.mul(s)), x0.mul(s).add(x1.mul(c))], -1).reshape([B, T, H, hs]); // (B, T, H, hs)
}

describe("RotaryEmbedding", () => {
  const rot = new RotaryEmbedding(8, 128, 10000, { dtype: "float64" });

  it("q·k depends only on the position difference (relative-position invariance)", () => {
    const at = (v: Tensor, pos: number) => rot.forward(v, pos);
    fc.assert(
      fc.property(fc.nat(60), fc.nat(60), fc.nat(60), fc.nat(1000), (m, n, shift, seed) => {
        const g = new Generator(seed);
        const [q, k] = [randn([1, 1, 1, 8], { dtype: "float64", generator: g }), randn([1, 1, 1, 8], { dtype: "float64", generator: g })];
        const dot = (a: Tensor, b: Tensor) => a.mul(b).sum().item();
        return Math.abs(dot(at(q, m), at(k, n)) - dot(at(q, m + shift), at(k, n + shift))) < 1e-10;
      }),
      { numRuns: 100 },
    );
  });

  it("an offset equals slicing the longer sequence (KV-cached decoding)", () => {
    const x = leaf([2, 7, 3, 8], 1);
    expect(rot.forward(x.narrow(1, 4, 3), 4)).toBeAllclose(rot.forward(x).narrow(1, 4, 3), { atol: 0, rtol: 0 });
    expect(() => rot.forward(x, 125)).toThrow("RotaryEmbedding: positions 125…131 exceed max_position_embeddings 128");
  });

  it("HF (rotate_half) and Meta (interleaved) agree after permuting wq and wk, with GQA", () => {
    const [B, T, d, nh, nkv, hs] = [2, 5, 16, 4, 2, 4];
    const r = new RotaryEmbedding(hs, 16, 500, { dtype: "float64" });
    const g = new Generator(2);
    const x = randn([B, T, d], { dtype: "float64", generator: g });
    const wqMeta = randn([nh * hs, d], { dtype: "float64", generator: g });
    const wkMeta = randn([nkv * hs, d], { dtype: "float64", generator: g });
    const v = randn([B, nkv, T, hs], { dtype: "float64", generator: g });
    const attend = (wq: Tensor, wk: Tensor, rope: (t: Tensor) => Tensor) => {
      const q = rope(matmul(x, wq.t()).reshape([B, T, nh, hs])).transpose(1, 2); // (B, nh, T, hs)
      const k = rope(matmul(x, wk.t()).reshape([B, T, nkv, hs])).transpose(1, 2); // (B, nkv, T, hs)
      return scaledDotProductAttention(q, k, v, { causal: true });
    };
    const meta = attend(wqMeta, wkMeta, (t) => metaRope(t, r, 3));
    const hf = attend(permuteMetaToHf(wqMeta, nh), permuteMetaToHf(wkMeta, nkv), (t) => r.forward(t, 3));
    expect(hf).toBeAllclose(meta, { atol: 1e-12, rtol: 0 });
    expect(permuteHfToMeta(permuteMetaToHf(wkMeta, nkv), nkv)).toBeAllclose(wkMeta, { atol: 0, rtol: 0 });
    // row c·hs/2 + r of an HF head is Meta row 2r + c
    expect(permuteMetaToHf(wqMeta, nh).select(0, 1).toArray()).toEqual(wqMeta.select(0, 2).toArray());
    expect(() => permuteMetaToHf(wkMeta, 3)).toThrow(/does not split into 3 heads of even size/);
  });

  it("gradcheck (float64): backward is the inverse rotation", () => {
    const x = leaf([1, 3, 2, 8], 3);
    expect(gradcheck(() => weighted(rot.forward(x, 5)), [x])).toBe(true);
  });
});
