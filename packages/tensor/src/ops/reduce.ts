/**
 * @file Reductions over one or several dims (`sum`, `max`, `min`, `argmax`,
 * `argmin`, `logsumexp`), `sumTo` for broadcasting's backward, and the
 * composites `mean` and `var`.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/node.js";
import { floatOf, type Arith, type DType, type FloatOf } from "../dtype.js";
import { elementwise } from "../kernels/elementwise.js";
import { reduceRows, sumLeading, type ReduceKind } from "../kernels/reduce.js";
import { contiguousStrides, fmtShape, normalizeDims, numelOf, type Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { asStrided, checkTensor, copyOf, empty, viewOf } from "./util.js";

/** Options shared by reductions. */
export interface ReduceOptions {
  /** Keep reduced dims as size 1 (default false). */
  keepdim?: boolean;
}

/** Dims to reduce: one, several, or all when omitted. */
export type Dims = number | readonly number[] | undefined;

function keptShape(shape: Shape, dims: readonly number[]): number[] {
  return shape.map((d, i) => (dims.includes(i) ? 1 : d));
}

/** Runs a reduction kernel; returns the result in keepdim shape. */
function runReduce(kind: ReduceKind, x: Tensor, dims: readonly number[], dtype: DType): Tensor {
  const keep = keptShape(x.shape, dims);
  const out = empty(dtype, keep);
  const n = dims.reduce((p, d) => p * x.shape[d]!, 1);
  const rows = out.numel;
  if (n === 0 && kind !== "sum") {
    if (kind === "logsumexp") out.storage.data.fill(-Infinity);
    else if (rows > 0) throw new RangeError(`${kind}: cannot reduce over an empty dim of shape ${fmtShape(x.shape)}`);
    return out;
  }
  const r = x.ndim;
  const isSuffix = dims.every((d) => d >= r - dims.length);
  const isPrefix = dims.every((d) => d < dims.length);
  if (x.isContiguous && isSuffix) {
    reduceRows(kind, out.storage.data, x.storage.data, x.offset, rows, n);
  } else if (x.isContiguous && isPrefix && kind === "sum") {
    sumLeading(out.storage.data, x.storage.data, x.offset, n, rows);
  } else {
    // move reduced dims last, copy to contiguous rows, reduce each row
    const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
    const order = [...kept, ...dims];
    const permuted = asStrided(x, order.map((i) => x.shape[i]!), order.map((i) => x.strides[i]!));
    const rowsData = copyOf(permuted);
    reduceRows(kind, out.storage.data, rowsData.storage.data, 0, rows, n);
  }
  return out;
}

function finish<T extends Tensor>(keepShaped: T, x: Tensor, dims: readonly number[], keepdim: boolean): T {
  if (keepdim) return keepShaped;
  const shape = x.shape.filter((_, i) => !dims.includes(i));
  return asStrided(keepShaped, shape, keepShaped.strides.filter((_, i) => !dims.includes(i))) as T;
}

/** `g` broadcast from `keep` shape to `shape`, as a fresh contiguous tensor. */
function expandGrad(g: Tensor, keep: Shape, shape: Shape): Tensor {
  return copyOf(asStrided(g, keep, g.isContiguous ? contiguousStrides(keep) : g.strides), shape);
}

/** Sum over `dims` (all when omitted). bool sums count in int32. */
export function sum<D extends DType>(x: Tensor<D>, dims?: Dims, { keepdim = false }: ReduceOptions = {}): Tensor<Arith<D>> {
  checkTensor(x, "sum");
  const ds = normalizeDims(dims, x.ndim, "sum");
  const dtype = x.dtype === "bool" ? "int32" : x.dtype;
  const y = runReduce("sum", x, ds, dtype);
  const keep = y.shape;
  // d(Σx) = g broadcast back over the reduced dims
  return record("sum", finish(y, x, ds, keepdim), [x], (g) => [expandGrad(g.contiguous(), keep, x.shape)]) as unknown as Tensor<Arith<D>>;
}

function extremum<D extends DType>(kind: "max" | "min", x: Tensor<D>, dims: Dims, keepdim: boolean): Tensor<D> {
  checkTensor(x, kind);
  const ds = normalizeDims(dims, x.ndim, kind);
  const y = runReduce(kind, x, ds, x.dtype) as Tensor<D>;
  // the gradient is shared equally among tied extrema (torch's amax/amin rule)
  return record(
    kind,
    finish(y, x, ds, keepdim),
    [x],
    (g) => {
      const isExt = empty("float64", x.shape);
      elementwise("x === y ? 1 : 0", ["x", "y"], viewOf(isExt), x.shape, [viewOf(x), viewOf(y, x.shape)]);
      const count = runReduce("sum", isExt, ds, "float64");
      const dx = empty(x.dtype, x.shape);
      const gk = asStrided(g.contiguous(), y.shape, contiguousStrides(y.shape));
      elementwise("m === 1 ? g / c : 0", ["m", "g", "c"], viewOf(dx), x.shape, [viewOf(isExt), viewOf(gk, x.shape), viewOf(count, x.shape)]);
      return [dx];
    },
    [x, y],
  );
}

/** Maximum over `dims` (all when omitted); NaN propagates (torch's `amax`). */
export function max<D extends DType>(x: Tensor<D>, dims?: Dims, { keepdim = false }: ReduceOptions = {}): Tensor<D> {
  return extremum("max", x, dims, keepdim);
}

/** Minimum over `dims` (all when omitted); NaN propagates (torch's `amin`). */
export function min<D extends DType>(x: Tensor<D>, dims?: Dims, { keepdim = false }: ReduceOptions = {}): Tensor<D> {
  return extremum("min", x, dims, keepdim);
}

function argExtremum(kind: "argmax" | "argmin", x: Tensor, dim: number | undefined, keepdim: boolean): Tensor<"int32"> {
  checkTensor(x, kind);
  if (dim === undefined) return argExtremum(kind, x.reshape([-1]), 0, false);
  const ds = normalizeDims(dim, x.ndim, kind);
  return finish(runReduce(kind, x, ds, "int32"), x, ds, keepdim) as Tensor<"int32">;
}

/** Index of the first maximum along `dim` (of the flattened tensor when omitted). */
export function argmax(x: Tensor, dim?: number, { keepdim = false }: ReduceOptions = {}): Tensor<"int32"> {
  return argExtremum("argmax", x, dim, keepdim);
}

/** Index of the first minimum along `dim` (of the flattened tensor when omitted). */
export function argmin(x: Tensor, dim?: number, { keepdim = false }: ReduceOptions = {}): Tensor<"int32"> {
  return argExtremum("argmin", x, dim, keepdim);
}

/** `log Σ exp(x)` over `dims`, computed stably (the max is factored out). */
export function logsumexp<D extends DType>(x: Tensor<D>, dims?: Dims, { keepdim = false }: ReduceOptions = {}): Tensor<FloatOf<D>> {
  checkTensor(x, "logsumexp");
  const ds = normalizeDims(dims, x.ndim, "logsumexp");
  const y = runReduce("logsumexp", x, ds, floatOf(x.dtype));
  // d lse = g · exp(x − lse) = g · softmax(x)
  return recordReduction("logsumexp", x, y, ds, keepdim, "g * Math.exp(x - y)") as Tensor<FloatOf<D>>;
}

/**
 * Records `y` (the reduction of `x` over `ds`, in keepdim shape) with the backward
 * `dx = expr(g, x, y)`, `g` and `y` broadcast back over the reduced dims.
 */
function recordReduction(name: "logsumexp" | "norm", x: Tensor, y: Tensor, ds: readonly number[], keepdim: boolean, expr: string): Tensor {
  const gradient = (g: Tensor) => {
    const dx = empty(x.dtype, x.shape);
    const gk = asStrided(g.contiguous(), y.shape, contiguousStrides(y.shape));
    elementwise(expr, ["g", "x", "y"], viewOf(dx), x.shape, [viewOf(gk, x.shape), viewOf(x), viewOf(y, x.shape)]);
    return [dx];
  };
  return record(name, finish(y, x, ds, keepdim), [x], gradient, [x, y]);
}

/** Mean over `dims` (all when omitted): `sum / count`. */
export function mean<D extends DType>(x: Tensor<D>, dims?: Dims, opts: ReduceOptions = {}): Tensor<FloatOf<D>> {
  checkTensor(x, "mean");
  const ds = normalizeDims(dims, x.ndim, "mean");
  const n = ds.reduce((p, d) => p * x.shape[d]!, 1);
  const s: Tensor = sum(x.dtype === "float64" || x.dtype === "float32" ? (x as Tensor) : x.to("float32"), ds, opts);
  return s.mul(1 / n) as unknown as Tensor<FloatOf<D>>;
}

/** Options of {@link variance}. */
export interface VarOptions extends ReduceOptions {
  /** Subtracted from the count in the denominator: 1 = unbiased (default, as torch), 0 = population. */
  correction?: number;
}

/** Variance over `dims`: `Σ(x − mean)² / (n − correction)`. */
export function variance<D extends DType>(x: Tensor<D>, dims?: Dims, { keepdim = false, correction = 1 }: VarOptions = {}): Tensor<FloatOf<D>> {
  checkTensor(x, "var");
  const ds = normalizeDims(dims, x.ndim, "var");
  const n = ds.reduce((p, d) => p * x.shape[d]!, 1);
  const centered = x.sub(mean(x, ds, { keepdim: true }));
  return sum(centered.square(), ds, { keepdim }).div(Math.max(0, n - correction)) as unknown as Tensor<FloatOf<D>>;
}

/** Standard deviation over `dims`: `√var` (unbiased by default, as torch). */
export function std<D extends DType>(x: Tensor<D>, dims?: Dims, opts: VarOptions = {}): Tensor<FloatOf<D>> {
  checkTensor(x, "std");
  return variance(x, dims, opts).sqrt() as Tensor<FloatOf<D>>;
}

/** Options of {@link norm}. */
export interface NormOptions extends ReduceOptions {
  /** Which norm: 1 (`Σ|x|`), 2 (`√Σx²`, the default) or `Infinity` (`max|x|`). */
  p?: 1 | 2 | typeof Infinity;
}

/**
 * The vector p-norm over `dims` (all elements when omitted; `torch.linalg.vector_norm`).
 * The 1- and ∞-norms are composites (`Σ|x|`, `max|x|`); the 2-norm has its own
 * backward so that its gradient at ‖x‖ = 0 is 0, as torch's, not 0/0.
 */
export function norm<D extends DType>(x: Tensor<D>, dims?: Dims, { p = 2, keepdim = false }: NormOptions = {}): Tensor<FloatOf<D>> {
  checkTensor(x, "norm");
  if (p !== 1 && p !== 2 && p !== Infinity) throw new RangeError(`norm: p must be 1, 2 or Infinity, got ${String(p)}`);
  const ds = normalizeDims(dims, x.ndim, "norm");
  const f = x.dtype === "float64" ? (x as Tensor) : x.to("float32");
  if (p === 1) return sum(f.abs(), ds, { keepdim }) as Tensor<FloatOf<D>>;
  if (p === Infinity) return max(f.abs(), ds, { keepdim }) as Tensor<FloatOf<D>>;
  const yk = noGrad(() => sum(f.square(), ds, { keepdim: true }).sqrt()); // keepdim shape
  // d‖x‖ = g · x / ‖x‖, and 0 where ‖x‖ = 0 (torch's choice of subgradient)
  return recordReduction("norm", f, yk, ds, keepdim, "y === 0 ? 0 : g * x / y") as Tensor<FloatOf<D>>;
}

/** Sums `x` down to `shape` (the inverse of broadcasting; used by backward rules). */
export function sumTo<D extends DType>(x: Tensor<D>, shape: Shape): Tensor<D> {
  const lead = x.ndim - shape.length;
  if (lead < 0) throw new RangeError(`sumTo: cannot sum ${fmtShape(x.shape)} to the larger rank ${fmtShape(shape)}`);
  const dims: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) dims.push(i);
  }
  if (dims.length === 0) return x;
  const s = sum(x, dims, { keepdim: true });
  return (numelOf(shape) === s.numel ? s.reshape(shape) : s) as Tensor<D>;
}
