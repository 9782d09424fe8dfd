/**
 * @file RMSNorm with a learned scale, eps inside the square root (Zhang &
 * Sennrich 2019; LLaMA's pre-norm), on the fused `rmsNorm` op.
 */
import { ones, rmsNorm, type FloatDType, type Tensor } from "@kiln/tensor";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** `x / √(mean(x², −1) + eps) · weight` over the last dim. */
export class RMSNorm extends Module {
  /** (dim), initialised to ones */
  weight: Parameter;

  constructor(readonly dim: number, readonly eps = 1e-6, { dtype = "float32" }: { dtype?: FloatDType } = {}) {
    super();
    this.weight = new Parameter(ones([dim], { dtype }));
  }

  /** (..., dim) → (..., dim) */
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }

  protected override extraRepr(): string {
    return `(${this.dim},), eps=${this.eps}`;
  }
}
