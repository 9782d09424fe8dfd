/**
 * @file LayerNorm with learned scale and (optional) bias (Ba et al. 2016), on
 * the fused `layerNorm` op: the norm of the `norm: "layernorm"` ablation.
 */
import { layerNorm, ones, zeros, type FloatDType, type Tensor } from "@kiln/tensor";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** `(x − mean) / √(var + eps) · weight + bias` over the last dim. */
export class LayerNorm extends Module {
  /** (dim), initialised to ones */
  weight: Parameter;
  /** (dim), initialised to zeros, or null */
  bias: Parameter | null;

  constructor(readonly dim: number, readonly eps = 1e-5, { dtype = "float32", bias = true }: { dtype?: FloatDType; bias?: boolean } = {}) {
    super();
    this.weight = new Parameter(ones([dim], { dtype }));
    this.bias = bias ? new Parameter(zeros([dim], { dtype })) : null;
  }

  /** (..., dim) → (..., dim) */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }

  protected override extraRepr(): string {
    return `(${this.dim},), eps=${this.eps}, bias=${this.bias !== null}`;
  }
}
