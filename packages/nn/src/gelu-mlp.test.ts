/**
 * @file GeluMLP against `w2(gelu(w3 x))` (exact GELU) and a gradcheck.
 */
import { Generator, matmul } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, leaf, weighted } from "../test/helpers.js";
import { GeluMLP } from "./index.js";

describe("GeluMLP", () => {
  it("computes w2(gelu(w3 x)) with no gate", () => {
    const f = new GeluMLP(4, 8, { dtype: "float64", generator: new Generator(1) });
    const x = leaf([3, 4], 2);
    expect(f.forward(x)).toBeAllclose(matmul(x.matmul(f.w3.weight.t()).gelu(), f.w2.weight.t()), { atol: 1e-14, rtol: 0 });
    expect(f.numParameters()).toBe(2 * 4 * 8);
  });

  it("gradcheck (float64) of input and both projections", () => {
    const f = new GeluMLP(3, 4, { generator: new Generator(3) });
    const x = leaf([2, 3], 4);
    expect(gradcheckModule(f, () => weighted(f.forward(x)), [x])).toBe(true);
  });
});
