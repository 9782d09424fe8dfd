/**
 * @file Dropout as a module: active in training mode only, drawing its masks
 * from the generator it was given, so a seeded run drops the same units.
 */
import { defaultGenerator, dropout, type Generator, type Tensor } from "@kiln/tensor";
import { Module } from "./module.js";

/** Zeroes elements with probability `p` in training (scaling the rest by 1/(1 − p)); the identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5, private readonly generator: Generator = defaultGenerator) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
  }

  /** Same shape in and out. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
