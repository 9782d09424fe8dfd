/**
 * @file Embedding: a (V, D) table looked up by int32 ids, with the fused
 * `embedding` op (scatter-add backward, ids range-checked). Initialised
 * N(0, 1) like PyTorch's `nn.Embedding`.
 */
import { defaultGenerator, embedding, zeros, type Tensor } from "@kiln/tensor";
import { normal_ } from "./init.js";
import { Module, type ModuleOptions } from "./module.js";
import { Parameter } from "./parameter.js";

/** A lookup table of `numEmbeddings` vectors of size `dim`. */
export class Embedding extends Module {
  /** (numEmbeddings, dim) */
  weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly dim: number, { dtype = "float32", generator = defaultGenerator }: ModuleOptions = {}) {
    super();
    this.weight = new Parameter(normal_(zeros([numEmbeddings, dim], { dtype }), 0, 1, generator));
  }

  override get isEmbedding(): boolean {
    return true;
  }

  /** int32 ids of any shape → (...ids.shape, dim) */
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids);
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.dim}`;
  }
}
