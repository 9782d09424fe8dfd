/**
 * @file Small helpers every op file shares: reading a tensor as a (broadcast)
 * strided view, turning scalars into tensors, and the shared shape checks.
 */
import { isFloat, type DType } from "../dtype.js";
import { elementwise, type StridedView } from "../kernels/elementwise.js";
import { broadcastStrides, contiguousStrides, numelOf, type Shape } from "../shape.js";
import { Storage } from "../storage.js";
import { Tensor } from "../tensor.js";

const COPY = ["x"];
const ZERO_STRIDES: number[][] = [];
const SCALAR: Shape = [];
let lastShape: Shape = SCALAR;
let lastStrides: readonly number[] = SCALAR;

/** Row-major strides of `shape`, shared between tensors of the same shape array (strides are never mutated). */
function stridesOf(shape: Shape): readonly number[] {
  if (shape !== lastShape) {
    lastShape = shape;
    lastStrides = contiguousStrides(shape);
  }
  return lastStrides;
}

/** A tensor or a plain number where ops accept scalars. */
export type TensorLike = Tensor | number | boolean;

/** `t` as a strided view, broadcast to `shape` when given. */
export function viewOf(t: Tensor, shape?: Shape): StridedView {
  let strides = t.strides;
  if (shape !== undefined && shape !== t.shape) {
    strides = t.ndim === 0 ? (ZERO_STRIDES[shape.length] ??= new Array<number>(shape.length).fill(0)) : broadcastStrides(t.shape, t.strides, shape);
  }
  return { data: t.storage.data, offset: t.offset, strides };
}

const scalars = new Map<string, Tensor>();

/**
 * A 0-d tensor holding `value`, with the dtype a scalar takes next to a `like`-typed tensor.
 * NOTE: tensors are cached and shared (an op reads them and never hands them out), so never write to one.
 */
export function scalarTensor(value: number | boolean, like: DType): Tensor {
  let dtype: DType;
  if (typeof value === "boolean") dtype = "bool";
  else if (isFloat(like)) dtype = like;
  else if (Number.isInteger(value)) dtype = like === "bool" ? "int32" : like;
  else dtype = "float32";
  const key = Object.is(value, -0) ? `${dtype}-0` : `${dtype}${Number(value)}`;
  let t = scalars.get(key);
  if (t === undefined) {
    if (scalars.size >= 1024) scalars.clear();
    t = new Tensor(Storage.zeros(dtype, 1), SCALAR);
    t.storage.data[0] = Number(value);
    scalars.set(key, t);
  }
  return t;
}

/** Tensors pass through; scalars become 0-d tensors typed to sit beside `like`. */
export function toTensor(x: TensorLike, like: DType, op: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number" || typeof x === "boolean") return scalarTensor(x, like);
  throw new TypeError(`${op}: expected a Tensor or a number, got ${typeof x}`);
}

/** Throws naming `op` unless `t` is a Tensor. */
export function checkTensor(t: unknown, op: string, arg = "input"): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${arg} must be a Tensor, got ${t === null ? "null" : typeof t}`);
}

/** A fresh contiguous tensor of `dtype` and `shape`, zero-filled. */
export function empty<D extends DType>(dtype: D, shape: Shape): Tensor<D> {
  return new Tensor(Storage.zeros(dtype, numelOf(shape)), shape, stridesOf(shape));
}

/** A fresh contiguous tensor of `dtype` and `shape` with unspecified contents, for outputs a kernel overwrites completely. */
export function uninit<D extends DType>(dtype: D, shape: Shape): Tensor<D> {
  return new Tensor(Storage.uninit(dtype, numelOf(shape)), shape, stridesOf(shape));
}

/** A view of `t`'s storage with new geometry, not recorded in the graph. */
export function asStrided<D extends DType>(t: Tensor<D>, shape: Shape, strides: readonly number[], offset = t.offset): Tensor<D> {
  return new Tensor(t.storage, shape, strides, offset);
}

/** `t` itself if contiguous, else a contiguous copy (not recorded in the graph). */
export function contiguousData<D extends DType>(t: Tensor<D>): Tensor<D> {
  if (t.isContiguous) return t;
  return copyOf(t);
}

/** A fresh contiguous copy of `t`, optionally broadcast to `shape` (not recorded). */
export function copyOf<D extends DType>(t: Tensor<D>, shape: Shape = t.shape): Tensor<D> {
  const out = uninit(t.dtype, shape);
  elementwise("x", COPY, viewOf(out), shape, [viewOf(t, shape)]);
  return out;
}
