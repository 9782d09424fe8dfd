/**
 * @file Shared test helpers for @kiln/nn: float64 gradchecks of a module's
 * parameters (and inputs), closeness of tensors, seeded inputs.
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

/** max |a − b| over all elements (shapes must match). */
export function maxDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`maxDiff: shapes [${a.shape}] and [${b.shape}] differ`);
  const x = a.contiguous().to("float64").data;
  const y = b.contiguous().to("float64").data;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/** A fixed float64 weighting of `y`'s elements: a scalar loss with a non-uniform upstream gradient. */
export function weighted(y: Tensor, seed = 99): Tensor {
  return y.mul(randn(y.shape, { dtype: "float64", generator: new Generator(seed) })).sum();
}
