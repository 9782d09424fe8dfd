/**
 * @file In-place updates (`add_`, `mul_`, `copy_`, `fill_`, `zero_`, ...)
 * for optimizers and initialisers. They are not recorded in the graph; each
 * bumps the storage version, so a backward that needs the old values fails
 * loudly instead of computing wrong gradients (PyTorch's version counter).
 */
import { isGradEnabled } from "../autograd/grad-mode.js";
import { elementwise } from "../kernels/elementwise.js";
import { broadcastShapes, fmtShape, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, toTensor, viewOf, type TensorLike } from "./util.js";

function guard(op: string, target: Tensor, other?: Tensor): void {
  checkTensor(target, op);
  if (isGradEnabled() && (target.requiresGrad || other?.requiresGrad)) {
    throw new Error(
      `${op}: in-place update of a tensor that requires grad (or from one) is not recorded by autograd; ` +
        "wrap it in noGrad(() => ...) (as optimizers do) or use the out-of-place op",
    );
  }
}

/** Writes `expr(x, v)` into `target` elementwise, `v` broadcast to `target`'s shape. */
function update<T extends Tensor>(op: string, target: T, expr: string, value: TensorLike, params: readonly number[] = []): T {
  const v = toTensor(value, target.dtype, op);
  guard(op, target, v);
  const shape = broadcastShapes(op, target.shape, v.shape);
  if (!sameShape(shape, target.shape)) {
    throw new RangeError(`${op}: value of shape ${fmtShape(v.shape)} cannot be broadcast to the target's shape ${fmtShape(target.shape)}`);
  }
  const stored = target.dtype === "bool" ? `(${expr}) !== 0 ? 1 : 0` : expr; // bool storage holds only 0/1
  elementwise(stored, ["x", "v"], viewOf(target), shape, [viewOf(target), viewOf(v, shape)], params);
  target.storage.version++;
  return target;
}

/** `target += alpha · value`, in place. */
export const add_ = <T extends Tensor>(target: T, value: TensorLike, alpha = 1) => update("add_", target, "x + p0 * v", value, [alpha]);
/** `target −= value`, in place. */
export const sub_ = <T extends Tensor>(target: T, value: TensorLike) => update("sub_", target, "x - v", value);
/** `target *= value`, in place. */
export const mul_ = <T extends Tensor>(target: T, value: TensorLike) => update("mul_", target, "x * v", value);
/** `target /= value`, in place. */
export const div_ = <T extends Tensor>(target: T, value: TensorLike) => update("div_", target, "x / v", value);
/** Copies `value` (broadcast) into `target`. */
export const copy_ = <T extends Tensor>(target: T, value: TensorLike) => update("copy_", target, "v", value);
/** Fills `target` with a scalar. */
export const fill_ = <T extends Tensor>(target: T, value: number) => update("fill_", target, "v", value);
/** Fills `target` with zeros. */
export const zero_ = <T extends Tensor>(target: T) => update("zero_", target, "v", 0);
/** Clamps `target` into `[min, max]` in place. */
export const clamp_ = <T extends Tensor>(target: T, min = -Infinity, max = Infinity) =>
  update("clamp_", target, "x < p0 ? p0 : x > p1 ? p1 : x", 0, [min, max]);
