/**
 * @file Ordering: `argsort`, and the composites `sort` and `topk`, whose values
 * are `gather(x, dim, indices)` — so their gradient is gather's (the upstream
 * gradient scattered back to where each value came from). The order is stable:
 * equal elements keep their input order; NaN sorts as the largest value.
 */
import type { DType } from "../dtype.js";
import { argsortRows } from "../kernels/sort.js";
import { fmtShape, normalizeDim } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { gather } from "./index-ops.js";
import { asStrided, checkTensor, copyOf, empty } from "./util.js";

/** Options of {@link sort} and {@link argsort}. */
export interface SortOptions {
  /** Largest first (default false). */
  descending?: boolean;
}

/** Options of {@link topk}. */
export interface TopkOptions {
  /** Dim to pick along (default −1). */
  dim?: number;
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
}

/** Values with the positions along the dim they came from. */
export interface ValuesIndices<D extends DType> {
  values: Tensor<D>;
  /** int32 positions along the dim. */
  indices: Tensor<"int32">;
}

/** Indices that sort `x` along `dim` (stable; `torch.argsort(stable=True)`). Not differentiable. */
export function argsort(x: Tensor, dim = -1, { descending = false }: SortOptions = {}): Tensor<"int32"> {
  checkTensor(x, "argsort");
  if (x.dtype === "bool") throw new TypeError("argsort: cannot sort a bool tensor; convert it with .to(\"int32\") first");
  if (x.ndim === 0) return empty("int32", []);
  const d = normalizeDim(dim, x.ndim, "argsort");
  // move `dim` last, sort each contiguous row, move it back
  const order = [...x.shape.keys()].filter((i) => i !== d).concat(d);
  const rows = copyOf(asStrided(x, order.map((i) => x.shape[i]!), order.map((i) => x.strides[i]!)));
  const idx = empty("int32", rows.shape);
  const n = x.shape[d]!;
  argsortRows(idx.storage.data, rows.storage.data, 0, n === 0 ? 0 : rows.numel / n, n, descending);
  const inverse = order.map((_, i) => order.indexOf(i));
  return copyOf(asStrided(idx, inverse.map((i) => idx.shape[i]!), inverse.map((i) => idx.strides[i]!)));
}

/** `x` sorted along `dim`, with the indices it came from (`torch.sort(stable=True)`). */
export function sort<D extends DType>(x: Tensor<D>, dim = -1, opts: SortOptions = {}): ValuesIndices<D> {
  const indices = argsort(x, dim, opts);
  return { values: x.ndim === 0 ? x : gather(x, dim, indices), indices };
}

/** The `k` largest (or smallest) elements along `dim`, in order, with their indices (`torch.topk`). */
export function topk<D extends DType>(x: Tensor<D>, k: number, { dim = -1, largest = true }: TopkOptions = {}): ValuesIndices<D> {
  checkTensor(x, "topk");
  const n = x.ndim === 0 ? 1 : x.shape[normalizeDim(dim, x.ndim, "topk")]!;
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`topk: k = ${k} is out of range for dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const all = argsort(x, dim, { descending: largest });
  const indices = x.ndim === 0 ? all : all.narrow(dim, 0, k).contiguous();
  return { values: x.ndim === 0 ? x : gather(x, dim, indices), indices };
}
