/**
 * @file `to(dtype)`: casting. Float → int truncates toward zero (as torch);
 * anything → bool is `x ≠ 0`. Differentiable between float dtypes.
 */
import { record } from "../autograd/node.js";
import { checkDType, isFloat, type DType } from "../dtype.js";
import { elementwise } from "../kernels/elementwise.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, empty, viewOf } from "./util.js";

/** A copy of `x` converted to `dtype` (`x` itself when it already has that dtype). */
export function to<E extends DType>(x: Tensor, dtype: E): Tensor<E> {
  checkTensor(x, "to");
  checkDType(dtype, "to");
  if (x.dtype === dtype) return x as unknown as Tensor<E>;
  const y = empty(dtype, x.shape);
  const expr = dtype === "bool" ? "x !== 0 ? 1 : 0" : dtype === "int32" ? "Math.trunc(x)" : "x";
  elementwise(expr, ["x"], viewOf(y), x.shape, [viewOf(x)]);
  if (!isFloat(dtype)) return y;
  return record("to", y, [x], (g) => [to(g, x.dtype)]);
}
