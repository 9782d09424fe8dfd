/**
 * @file Integer indexing: `indexSelect`, `gather`, `scatterAdd`. Indices are
 * int32 tensors and are checked against the indexed dim before any work,
 * so a bad token id fails with its position rather than reading garbage.
 */
import { record } from "../autograd/node.js";
import type { DType } from "../dtype.js";
import { fmtShape, normalizeDim, numelOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, contiguousData, copyOf, empty } from "./util.js";

function checkIndex(op: string, index: Tensor, size: number, dim: number): Int32Array {
  checkTensor(index, op, "index");
  if (index.dtype !== "int32") throw new TypeError(`${op}: index must be int32, got ${index.dtype}`);
  const ids = contiguousData(index).data as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= size) throw new RangeError(`${op}: index ${v} at position ${i} is out of range for dim ${dim} of size ${size}`);
  }
  return ids;
}

/** outer × size × inner decomposition of a contiguous shape around `dim`. */
function split3(shape: readonly number[], dim: number): [number, number, number] {
  return [numelOf(shape.slice(0, dim)), shape[dim]!, numelOf(shape.slice(dim + 1))];
}

/** Rows of `x` along `dim` picked by the 1-D int32 `index` (`torch.index_select`). */
export function indexSelect<D extends DType>(x: Tensor<D>, dim: number, index: Tensor): Tensor<D> {
  checkTensor(x, "indexSelect");
  if (x.ndim === 0) {
    // torch treats a 0-d input as one element along dim 0 and keeps the result 0-d
    normalizeDim(dim, 0, "indexSelect");
    return indexSelect(x.reshape([1]), 0, index).reshape(index.ndim === 0 ? [] : [-1]);
  }
  const d = normalizeDim(dim, x.ndim, "indexSelect");
  if (index.ndim > 1) throw new RangeError(`indexSelect: index must be 1-D, got shape ${fmtShape(index.shape)}`);
  const ids = checkIndex("indexSelect", index, x.shape[d]!, d);
  const src = contiguousData(x);
  const [outer, size, inner] = split3(x.shape, d);
  const y = empty(x.dtype, x.shape.map((s, i) => (i === d ? ids.length : s)));
  const xs = src.storage.data;
  const ys = y.storage.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < ids.length; i++) {
      const from = src.offset + (o * size + ids[i]!) * inner;
      ys.set(xs.subarray(from, from + inner), (o * ids.length + i) * inner);
    }
  }
  return record("indexSelect", y, [x], (g) => {
    // d x[idx[i]] += g[i]: repeated indices accumulate
    const dx = empty(x.dtype, x.shape);
    const gs = contiguousData(g);
    const gd = gs.storage.data;
    const dd = dx.storage.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < ids.length; i++) {
        const to = (o * size + ids[i]!) * inner;
        const from = gs.offset + (o * ids.length + i) * inner;
        for (let j = 0; j < inner; j++) dd[to + j]! += gd[from + j]!;
      }
    }
    return [dx];
  });
}

/** Walks every position of `index` (contiguous), yielding its flat offset in a tensor of `shape` with `dim` replaced by the index value. */
function forEachIndexed(shape: readonly number[], indexShape: readonly number[], ids: Int32Array, dim: number, fn: (pos: number, at: number) => void): void {
  const r = indexShape.length;
  const coord = new Array<number>(r).fill(0);
  const strides = shape.map((_, i) => numelOf(shape.slice(i + 1)));
  for (let pos = 0; pos < ids.length; pos++) {
    let at = 0;
    for (let k = 0; k < r; k++) at += (k === dim ? ids[pos]! : coord[k]!) * strides[k]!;
    fn(pos, at);
    for (let k = r - 1; k >= 0; k--) {
      if (++coord[k]! < indexShape[k]!) break;
      coord[k] = 0;
    }
  }
}

function checkGatherShapes(op: string, x: Tensor, index: Tensor, d: number): void {
  if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== d && s > x.shape[i]!)) {
    throw new RangeError(`${op}: index of shape ${fmtShape(index.shape)} does not fit input of shape ${fmtShape(x.shape)} along dim ${d}`);
  }
}

/** `y[i][j] = x[i][index[i][j]]` along `dim` (`torch.gather`). */
export function gather<D extends DType>(x: Tensor<D>, dim: number, index: Tensor): Tensor<D> {
  checkTensor(x, "gather");
  const d = normalizeDim(dim, x.ndim, "gather");
  checkGatherShapes("gather", x, index, d);
  const ids = checkIndex("gather", index, x.shape[d]!, d);
  const src = contiguousData(x);
  const y = empty(x.dtype, index.shape);
  const xs = src.storage.data;
  const ys = y.storage.data;
  forEachIndexed(x.shape, index.shape, ids, d, (pos, at) => (ys[pos] = xs[src.offset + at]!));
  return record("gather", y, [x], (g) => [scatterAdd(empty(x.dtype, x.shape), d, index, g)]);
}

/** `x` with `src` added at the positions `index` names along `dim` (`torch.scatter_add`). */
export function scatterAdd<D extends DType>(x: Tensor<D>, dim: number, index: Tensor, src: Tensor): Tensor<D> {
  checkTensor(x, "scatterAdd");
  checkTensor(src, "scatterAdd", "src");
  const d = normalizeDim(dim, x.ndim, "scatterAdd");
  checkGatherShapes("scatterAdd", x, index, d);
  if (src.dtype !== x.dtype) throw new TypeError(`scatterAdd: src dtype ${src.dtype} differs from input dtype ${x.dtype}`);
  if (src.ndim !== index.ndim || index.shape.some((s, i) => s !== src.shape[i])) {
    throw new RangeError(`scatterAdd: src of shape ${fmtShape(src.shape)} must have the index's shape ${fmtShape(index.shape)}`);
  }
  const ids = checkIndex("scatterAdd", index, x.shape[d]!, d);
  const y = copyOf(x);
  const s = contiguousData(src);
  const ys = y.storage.data;
  const ss = s.storage.data;
  forEachIndexed(x.shape, index.shape, ids, d, (pos, at) => (ys[at]! += ss[s.offset + pos]!));
  return record("scatterAdd", y, [x, src], (g) => [g, src.requiresGrad ? gather(g, d, index) : null]);
}
