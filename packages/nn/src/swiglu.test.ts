/**
 * @file SwiGLU against `w2(silu(w1 x) ⊙ w3 x)`, Meta's hidden-size rule on
 * the published LLaMA sizes, and a gradcheck.
 */
import { Generator, matmul } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, leaf, weighted } from "../test/helpers.js";
import { SwiGLU, swigluHiddenSize } from "./index.js";

describe("SwiGLU", () => {
  it("hidden size follows Meta's rule: LLaMA 7B/13B/65B and Llama-2 70B", () => {
    expect(swigluHiddenSize(4096)).toBe(11008);
    expect(swigluHiddenSize(5120)).toBe(13824);
    expect(swigluHiddenSize(8192)).toBe(22016);
    expect(swigluHiddenSize(8192, 4096, 1.3)).toBe(28672);
    expect(swigluHiddenSize(288, 32)).toBe(768); // llama2.c's 15M model
  });

  it("computes w2(silu(w1 x) ⊙ w3 x)", () => {
    const f = new SwiGLU(4, 6, { dtype: "float64", generator: new Generator(1) });
    const x = leaf([2, 3, 4], 2);
    const ref = matmul(x.matmul(f.w1.weight.t()).silu().mul(x.matmul(f.w3.weight.t())), f.w2.weight.t());
    expect(f.forward(x)).toBeAllclose(ref, { atol: 1e-14, rtol: 0 });
  });

  it("gradcheck (float64) of input and all three projections", () => {
    const f = new SwiGLU(3, 4, { generator: new Generator(3) });
    const x = leaf([2, 3], 4);
    expect(gradcheckModule(f, () => weighted(f.forward(x)), [x])).toBe(true);
  });
});
