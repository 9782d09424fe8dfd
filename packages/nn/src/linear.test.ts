/**
 * @file Linear against `x Wᵀ + b`, default init bounds, a bias by default (as PyTorch),
 * shape errors, and a float64 gradcheck of inputs and parameters.
 */
import { Generator } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, leaf, weighted } from "../test/helpers.js";
import { Linear } from "./index.js";

describe("Linear", () => {
  it("computes x Wᵀ + b over the last dim of any rank", () => {
    const lin = new Linear(4, 3, { bias: true, dtype: "float64", generator: new Generator(1) });
    const x = leaf([2, 5, 4], 2);
    expect(lin.forward(x)).toBeAllclose(x.matmul(lin.weight.t()).add(lin.bias!), { atol: 1e-14, rtol: 0 });
    expect(lin.forward(x).shape).toEqual([2, 5, 3]);
  });

  it("has a bias by default, as PyTorch, and PyTorch's U(−1/√in, 1/√in) init for both", () => {
    const lin = new Linear(16, 8, { generator: new Generator(3) });
    expect(lin.bias?.shape).toEqual([8]);
    expect(lin.parameters().length).toBe(2);
    expect(Math.max(...Array.from(lin.weight.data, Math.abs), ...Array.from(lin.bias!.data, Math.abs))).toBeLessThanOrEqual(0.25);
    const bare = new Linear(16, 8, { bias: false });
    expect([bare.bias, bare.parameters().length, String(bare)]).toEqual([null, 1, "Linear(in_features=16, out_features=8, bias=false)"]);
    expect(() => lin.forward(leaf([2, 5]))).toThrow("Linear: input of shape [2, 5] must end in in_features 16");
  });

  it("gradcheck (float64) of input, weight and bias", () => {
    const lin = new Linear(3, 2, { bias: true, generator: new Generator(4) });
    const x = leaf([2, 2, 3], 5);
    expect(gradcheckModule(lin, () => weighted(lin.forward(x)), [x])).toBe(true);
  });
});
