/**
 * @file Tests that give bool tensors: `isnan`, `isinf`, `isfinite` per element,
 * and the reductions `any` / `all` over dims. None is differentiable.
 */
import { normalizeDims } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { elementwise } from "../kernels/elementwise.js";
import { sum, type Dims, type ReduceOptions } from "./reduce.js";
import { checkTensor, uninit, viewOf } from "./util.js";

function test(op: string, expr: string, x: Tensor): Tensor<"bool"> {
  checkTensor(x, op);
  const y = uninit("bool", x.shape);
  elementwise(expr, ["x"], viewOf(y), x.shape, [viewOf(x)]);
  return y;
}

/** Where `x` is NaN. */
export const isnan = (x: Tensor) => test("isnan", "x !== x ? 1 : 0", x);
/** Where `x` is +∞ or −∞. */
export const isinf = (x: Tensor) => test("isinf", "x === Infinity || x === -Infinity ? 1 : 0", x);
/** Where `x` is neither NaN nor ±∞. */
export const isfinite = (x: Tensor) => test("isfinite", "x - x === 0 ? 1 : 0", x);

/** Whether any element over `dims` (all when omitted) is non-zero. */
export function any(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor<"bool"> {
  const nonZero = test("any", "x !== 0 ? 1 : 0", x);
  return sum(nonZero, normalizeDims(dims, x.ndim, "any"), opts).gt(0);
}

/** Whether every element over `dims` (all when omitted) is non-zero (NaN counts as non-zero). */
export function all(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor<"bool"> {
  const zero = test("all", "x === 0 ? 1 : 0", x);
  return sum(zero, normalizeDims(dims, x.ndim, "all"), opts).eq(0);
}
