/**
 * @file Boolean masks: `maskedFill` (`where(mask, value, x)` with the mask's
 * shape checked) and `maskedSelect` (`indexSelect` of the selected positions);
 * both composites, so their gradients come from `where` and `indexSelect`.
 */
import { broadcastShapes, fmtShape, sameShape } from "../shape.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { tensor, zeros } from "../creation.js";
import { where } from "./binary.js";
import { checkTensor, copyOf } from "./util.js";

/** `x` with `value` wherever the bool `mask` (broadcastable to `x`) is true. */
export function maskedFill<D extends DType>(x: Tensor<D>, mask: Tensor, value: number): Tensor<D> {
  checkTensor(x, "maskedFill");
  checkTensor(mask, "maskedFill", "mask");
  if (mask.dtype !== "bool") throw new TypeError(`maskedFill: mask must be bool, got ${mask.dtype}`);
  if (!sameShape(broadcastShapes("maskedFill", x.shape, mask.shape), x.shape)) {
    throw new RangeError(`maskedFill: mask of shape ${fmtShape(mask.shape)} does not broadcast to input shape ${fmtShape(x.shape)}`);
  }
  const fill = zeros([], { dtype: x.dtype }).fill_(value); // the fill value takes x's dtype, so the result keeps it
  return where(mask, fill, x) as Tensor<D>;
}

/**
 * The elements of `x` where the bool `mask` (broadcastable to `x`) is true, as a
 * 1-D copy in row-major order (`torch.masked_select`, NumPy's `x[mask]`). Its
 * length depends on the data, so it cannot be a strided view: it is
 * `indexSelect` of the flattened input, and its gradient is indexSelect's.
 */
export function maskedSelect<D extends DType>(x: Tensor<D>, mask: Tensor): Tensor<D> {
  checkTensor(x, "maskedSelect");
  checkTensor(mask, "maskedSelect", "mask");
  if (mask.dtype !== "bool") throw new TypeError(`maskedSelect: mask must be bool, got ${mask.dtype}`);
  const shape = broadcastShapes("maskedSelect", x.shape, mask.shape);
  const m = copyOf(mask, shape).storage.data;
  const positions: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) positions.push(i);
  const full = sameShape(shape, x.shape) ? x : x.expand(shape);
  return full.reshape([-1]).indexSelect(0, tensor(positions, { dtype: "int32" }));
}
