/**
 * @file Views: ops that reinterpret a tensor's storage with a new shape,
 * strides and offset, copying nothing (`reshape` copies only when the input is
 * a non-contiguous view). Each backward maps the gradient back to the
 * input's geometry.
 */
import { record } from "../autograd/node.js";
import type { DType } from "../dtype.js";
import { elementwise } from "../kernels/elementwise.js";
import { contiguousStrides, existingDim, fmtShape, inferShape, normalizeDim, sameShape, type Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { sumTo } from "./reduce.js";
import { asStrided, checkTensor, copyOf, empty, viewOf } from "./util.js";

/** The tensor with a new shape (one dim may be -1); a view when `x` is contiguous, else a copy. */
export function reshape<D extends DType>(x: Tensor<D>, shape: readonly number[], op = "reshape"): Tensor<D> {
  checkTensor(x, op);
  const target = inferShape(op, x.shape, shape);
  if (sameShape(target, x.shape)) return x;
  const src = x.isContiguous ? x : copyOf(x);
  const y = asStrided(src, target, contiguousStrides(target));
  return record("reshape", y, [x], (g) => [g.reshape(x.shape)]);
}

/** Like {@link reshape} but never copies: throws for a non-contiguous input. */
export function view<D extends DType>(x: Tensor<D>, shape: readonly number[]): Tensor<D> {
  checkTensor(x, "view");
  if (!x.isContiguous) {
    throw new Error(`view: tensor of shape ${fmtShape(x.shape)} is not contiguous; use reshape() (which copies) or contiguous() first`);
  }
  return reshape(x, shape, "view");
}

/** Merges dims `start..end` (inclusive) into one. */
export function flatten<D extends DType>(x: Tensor<D>, start = 0, end = -1): Tensor<D> {
  checkTensor(x, "flatten");
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(start, x.ndim, "flatten");
  const e = normalizeDim(end, x.ndim, "flatten");
  if (s > e) throw new RangeError(`flatten: start dim ${start} comes after end dim ${end}`);
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Reorders dims: output dim `i` is input dim `dims[i]`. */
export function permute<D extends DType>(x: Tensor<D>, dims: readonly number[]): Tensor<D> {
  checkTensor(x, "permute");
  const order = dims.map((d) => normalizeDim(d, x.ndim, "permute"));
  if (order.length !== x.ndim || new Set(order).size !== order.length) {
    throw new RangeError(`permute: dims ${JSON.stringify(dims)} are not a permutation of the ${x.ndim} dims of ${fmtShape(x.shape)}`);
  }
  const y = asStrided(x, order.map((d) => x.shape[d]!), order.map((d) => x.strides[d]!));
  const inverse = order.map((_, i) => order.indexOf(i));
  return record("permute", y, [x], (g) => [g.permute(inverse)]);
}

/** Swaps two dims. */
export function transpose<D extends DType>(x: Tensor<D>, dim0: number, dim1: number): Tensor<D> {
  checkTensor(x, "transpose");
  const order = x.shape.map((_, i) => i);
  const a = normalizeDim(dim0, x.ndim, "transpose");
  const b = normalizeDim(dim1, x.ndim, "transpose");
  if (x.ndim === 0) return x;
  [order[a], order[b]] = [order[b]!, order[a]!];
  return permute(x, order);
}

/** Broadcasts size-1 dims (and new leading dims) to `shape` without copying; -1 keeps a dim. */
export function expand<D extends DType>(x: Tensor<D>, shape: readonly number[]): Tensor<D> {
  checkTensor(x, "expand");
  const lead = shape.length - x.ndim;
  const bad = () => new RangeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  if (lead < 0) throw bad();
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  const strides = target.map((d, i) => {
    if (i < lead) return 0;
    const s = x.shape[i - lead]!;
    if (s === d) return x.strides[i - lead]!;
    if (s === 1 && d >= 0) return 0;
    throw bad();
  });
  if (target.some((d) => d < 0)) throw bad();
  const y = asStrided(x, target, strides);
  return record("expand", y, [x], (g) => [sumTo(g, x.shape)]);
}

/** Scatters `g` into zeros shaped like `x` through the same view geometry (backward of slice/select). */
function embed(g: Tensor, x: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const dx = empty(g.dtype, x.shape);
  const region = asStrided(dx, shape, strides, offset);
  elementwise("x", ["x"], viewOf(region), shape, [viewOf(g)]);
  return dx;
}

/** Elements `start, start+step, …` (< end) along `dim`, Python-style negatives allowed; a view. */
export function slice<D extends DType>(x: Tensor<D>, dim: number, start = 0, end?: number, step = 1): Tensor<D> {
  checkTensor(x, "slice");
  const d = existingDim(dim, x.ndim, "slice");
  const n = x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const clampIndex = (i: number) => Math.min(n, Math.max(0, i < 0 ? i + n : i));
  const s = clampIndex(start);
  const e = Math.max(s, clampIndex(end ?? n));
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.map((v, i) => (i === d ? len : v));
  const strides = x.strides.map((v, i) => (i === d ? v * step : v));
  const offset = x.offset + s * x.strides[d]!;
  const y = asStrided(x, shape, strides, offset);
  const c = contiguousStrides(x.shape);
  return record("slice", y, [x], (g) => [embed(g, x, shape, c.map((v, i) => (i === d ? v * step : v)), s * c[d]!)]);
}

/** `length` elements from `start` along `dim` (`torch.narrow`); a view. */
export function narrow<D extends DType>(x: Tensor<D>, dim: number, start: number, length: number): Tensor<D> {
  checkTensor(x, "narrow");
  const d = existingDim(dim, x.ndim, "narrow");
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new RangeError(`narrow: start ${start} and length ${length} do not fit in dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

/** The sub-tensor at `index` along `dim`, which is removed; a view. */
export function select<D extends DType>(x: Tensor<D>, dim: number, index: number): Tensor<D> {
  checkTensor(x, "select");
  const d = existingDim(dim, x.ndim, "select");
  const n = x.shape[d]!;
  const i = index < 0 ? index + n : index;
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new RangeError(`select: index ${index} is out of range for dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const shape = x.shape.filter((_, k) => k !== d);
  const y = asStrided(x, shape, x.strides.filter((_, k) => k !== d), x.offset + i * x.strides[d]!);
  const c = contiguousStrides(x.shape);
  return record("select", y, [x], (g) => [embed(g, x, shape, c.filter((_, k) => k !== d), i * c[d]!)]);
}

/** Inserts a size-1 dim at `dim` (`-1` appends); a view. */
export function unsqueeze<D extends DType>(x: Tensor<D>, dim: number): Tensor<D> {
  checkTensor(x, "unsqueeze");
  const d = normalizeDim(dim, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape.slice(0, d), 1, ...x.shape.slice(d)];
  const inner = d < x.ndim ? x.strides[d]! * x.shape[d]! : 1;
  const y = asStrided(x, shape, [...x.strides.slice(0, d), inner, ...x.strides.slice(d)]);
  return record("unsqueeze", y, [x], (g) => [g.reshape(x.shape)]);
}

/** Removes size-1 dims (all of them, or just `dim`); a view. */
export function squeeze<D extends DType>(x: Tensor<D>, dim?: number | readonly number[]): Tensor<D> {
  checkTensor(x, "squeeze");
  const given = dim === undefined ? null : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim(d, x.ndim, "squeeze"));
  const drop = (i: number) => x.shape[i] === 1 && (given === null || given.includes(i));
  const keep = x.shape.map((_, i) => i).filter((i) => !drop(i));
  if (keep.length === x.ndim) return x;
  const y = asStrided(x, keep.map((i) => x.shape[i]!), keep.map((i) => x.strides[i]!));
  return record("squeeze", y, [x], (g) => [g.reshape(x.shape)]);
}

/** `x` itself when contiguous, else a contiguous copy. */
export function contiguous<D extends DType>(x: Tensor<D>): Tensor<D> {
  checkTensor(x, "contiguous");
  if (x.isContiguous) return x;
  return record("contiguous", copyOf(x), [x], (g) => [g]);
}
