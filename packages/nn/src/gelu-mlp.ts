/**
 * @file The classic transformer MLP `w2(gelu(w3 x))` (exact GELU; Hendrycks
 * & Gimpel 2016) for the `ffn: "gelu_mlp"` ablation. Its layers are named like
 * SwiGLU's without the gate (`w3` up, `w2` down), so checkpoints map to
 * `mlp.up_proj` / `mlp.down_proj`.
 */
import type { Tensor } from "@kiln/tensor";
import { Linear } from "./linear.js";
import { Module, type ModuleOptions } from "./module.js";

/** `w2(gelu(w3 x))`: up `w3` is (hidden, dim), down `w2` is (dim, hidden). */
export class GeluMLP extends Module {
  w3: Linear;
  w2: Linear;

  constructor(readonly dim: number, readonly hidden: number, opts: ModuleOptions = {}) {
    super();
    const noBias = { ...opts, bias: false }; // bias-free like the rest of the LLaMA family, so the ablation changes one thing
    this.w3 = new Linear(dim, hidden, noBias);
    this.w2 = new Linear(hidden, dim, noBias);
  }

  /** (..., dim) → (..., dim) */
  forward(x: Tensor): Tensor {
    return this.w2.forward(this.w3.forward(x).gelu());
  }
}
