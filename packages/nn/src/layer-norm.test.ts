/**
 * @file LayerNorm module against the mean/variance composite and a
 * gradcheck of input, scale and bias.
 */
import { Generator, randn } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, leaf, weighted } from "../test/helpers.js";
import { LayerNorm, Parameter } from "./index.js";

describe("LayerNorm", () => {
  it("matches (x − mean) / √(var + eps) · w + b; bias optional", () => {
    const n = new LayerNorm(5, 1e-5, { dtype: "float64" });
    n.weight = new Parameter(randn([5], { dtype: "float64", generator: new Generator(1) }));
    n.bias = new Parameter(randn([5], { dtype: "float64", generator: new Generator(2) }));
    const x = leaf([2, 3, 5], 3);
    const ref = x.sub(x.mean(-1, { keepdim: true })).div(x.var(-1, { keepdim: true, correction: 0 }).add(1e-5).sqrt()).mul(n.weight).add(n.bias);
    expect(n.forward(x)).toBeAllclose(ref, { atol: 1e-13, rtol: 0 });
    expect(new LayerNorm(5, 1e-5, { bias: false }).parameters().length).toBe(1);
  });

  it("gradcheck (float64) of input, scale and bias", () => {
    const n = new LayerNorm(4);
    n.bias = new Parameter(randn([4], { generator: new Generator(4) }));
    const x = leaf([3, 4], 5);
    expect(gradcheckModule(n, () => weighted(n.forward(x)), [x])).toBe(true);
  });
});
