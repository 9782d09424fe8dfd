/**
 * @file RMSNorm module against `x / √(mean(x²) + eps) · w` (eps inside the
 * sqrt) and a gradcheck of input and scale.
 */
import { Generator, randn } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, leaf, weighted } from "../test/helpers.js";
import { Parameter, RMSNorm } from "./index.js";

describe("RMSNorm", () => {
  it("matches the composite with eps inside the square root; weight starts at ones", () => {
    const n = new RMSNorm(6, 0.25, { dtype: "float64" });
    expect(Array.from(n.weight.data)).toEqual([1, 1, 1, 1, 1, 1]);
    n.weight = new Parameter(randn([6], { dtype: "float64", generator: new Generator(1) }));
    const x = leaf([3, 6], 2).mul(0.1); // small x: eps matters
    const ref = x.div(x.square().mean(-1, { keepdim: true }).add(0.25).sqrt()).mul(n.weight);
    expect(n.forward(x)).toBeAllclose(ref, { atol: 1e-14, rtol: 0 });
    expect(n.toString()).toBe("RMSNorm((6,), eps=0.25)");
  });

  it("gradcheck (float64) of input and scale", () => {
    const n = new RMSNorm(4, 1e-5);
    n.weight = new Parameter(randn([4], { generator: new Generator(3) }));
    const x = leaf([2, 3, 4], 4);
    expect(gradcheckModule(n, () => weighted(n.forward(x)), [x])).toBe(true);
  });
});
