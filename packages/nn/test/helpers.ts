/**
 * @file Shared test helpers for @kiln/nn: float64 gradchecks of a module's
 * parameters (and inputs), seeded inputs (closeness: `toBeAllclose`).
 */
import { Generator, gradcheck, randn, type Tensor } from "@kiln/tensor";
import type { Module } from "../src/index.js";

/** A float64 N(0, 1) leaf that requires grad. */
export function leaf(shape: number[], g: Generator | number = 0): Tensor {
  return randn(shape, { dtype: "float64", generator: typeof g === "number" ? new Generator(g) : g, requiresGrad: true });
}

/**
 * Finite-difference check of `loss()`'s gradient w.r.t. every parameter of
 * `m` (converted to float64) and the given inputs. Use a scalar loss that weighs
 * outputs unevenly (e.g. `y.mul(w).sum()`), so one backward covers everything.
 */
export function gradcheckModule(m: Module, loss: () => Tensor, inputs: Tensor[] = []): boolean {
  m.to("float64");
  return gradcheck(loss, [...inputs, ...m.parameters()], { atol: 1e-6, rtol: 1e-4 });
}

/** A fixed float64 weighting of `y`'s elements: a scalar loss with a non-uniform upstream gradient. */
export function weighted(y: Tensor, seed = 99): Tensor {
  return y.mul(randn(y.shape, { dtype: "float64", generator: new Generator(seed) })).sum();
}
