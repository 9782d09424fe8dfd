/**
 * @file SwiGLU feed-forward (Shazeer 2020, "GLU Variants Improve
 * Transformer"; LLaMA): `w2(silu(w1 x) ⊙ w3 x)`, and the hidden-size rule of
 * Meta's reference implementation. The gate runs as one fused op (`siluMul`).
 */
import { siluMul, type Tensor } from "@kiln/tensor";
import { Linear } from "./linear.js";
import { Module, type ModuleOptions } from "./module.js";

/**
 * Meta's hidden size: `multipleOf · ⌈h / multipleOf⌉` with
 * `h = ⌊ffnDimMultiplier · ⌊2/3 · 4 · dim⌋⌋` (llama/model.py, truncating as it does): 4096 → 11008.
 */
export function swigluHiddenSize(dim: number, multipleOf = 256, ffnDimMultiplier: number | null = null): number {
  let hidden = Math.floor((2 * 4 * dim) / 3);
  if (ffnDimMultiplier !== null) hidden = Math.floor(ffnDimMultiplier * hidden);
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/** `w2(silu(w1 x) ⊙ w3 x)`: gate `w1` and up `w3` are (hidden, dim), down `w2` is (dim, hidden). */
export class SwiGLU extends Module {
  w1: Linear;
  w2: Linear;
  w3: Linear;

  constructor(readonly dim: number, readonly hidden: number, opts: ModuleOptions = {}) {
    super();
    const noBias = { ...opts, bias: false }; // LLaMA has no biases
    this.w1 = new Linear(dim, hidden, noBias);
    this.w2 = new Linear(hidden, dim, noBias);
    this.w3 = new Linear(dim, hidden, noBias);
  }

  /** (..., dim) → (..., dim) */
  forward(x: Tensor): Tensor {
    return this.w2.forward(siluMul(this.w1.forward(x), this.w3.forward(x))); // fused silu(w1 x) ⊙ w3 x
  }
}
