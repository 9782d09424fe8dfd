/**
 * @file `maskedFill`: `where(mask, value, x)` with the mask's shape checked
 * against the input's (a composite: its gradient comes from `where`).
 */
import { broadcastShapes, fmtShape, sameShape } from "../shape.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { zeros } from "../creation.js";
import { where } from "./binary.js";
import { checkTensor } from "./util.js";

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
