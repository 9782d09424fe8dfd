/**
 * @file Linear: `y = x Wᵀ + b` over the last dim. With a bias by default, as
 * PyTorch's `nn.Linear` (LLaMA's layers pass `bias: false`). Initialised like
 * PyTorch's: `U(−1/√in, 1/√in)` for both.
 */
import { defaultGenerator, zeros, type Tensor } from "@kiln/tensor";
import { uniform_ } from "./init.js";
import { Module, type ModuleOptions } from "./module.js";
import { Parameter } from "./parameter.js";

/** Options of {@link Linear}. */
export interface LinearOptions extends ModuleOptions {
  /** Add a learned bias (default true, as PyTorch's `nn.Linear`; LLaMA's layers pass false). */
  bias?: boolean;
}

/** A fully connected layer `y = x Wᵀ + b` with W of shape (out, in). */
export class Linear extends Module {
  /** (outFeatures, inFeatures) */
  weight: Parameter;
  /** (outFeatures) or null */
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, { bias = true, dtype = "float32", generator = defaultGenerator }: LinearOptions = {}) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter(uniform_(zeros([outFeatures, inFeatures], { dtype }), -bound, bound, generator));
    this.bias = bias ? new Parameter(uniform_(zeros([outFeatures], { dtype }), -bound, bound, generator)) : null;
  }

  /** (..., in) → (..., out) */
  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new RangeError(`Linear: input of shape [${x.shape.join(", ")}] must end in in_features ${this.inFeatures}`);
    }
    const y = x.reshape([-1, this.inFeatures]).matmul(this.weight.t()); // (N, out)
    return (this.bias === null ? y : y.add(this.bias)).reshape([...x.shape.slice(0, -1), this.outFeatures]); // (..., out)
  }

  protected override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
