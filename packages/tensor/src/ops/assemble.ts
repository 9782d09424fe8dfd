/**
 * @file Assembling and splitting: `cat`, `stack`, `split`, `chunk`, and the
 * triangle masks `tril`/`triu`. Splits are views (`slice`), so their
 * backward comes for free.
 */
import { record } from "../autograd/node.js";
import { promoteTypes, type DType } from "../dtype.js";
import { elementwise } from "../kernels/elementwise.js";
import { existingDim, fmtShape, normalizeDim } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { asStrided, checkTensor, empty, viewOf } from "./util.js";

/** Concatenates tensors along an existing `dim`; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("cat: expected a non-empty list of tensors");
  tensors.forEach((t, i) => checkTensor(t, "cat", `tensors[${i}]`));
  const first = tensors[0]!;
  const d = existingDim(dim, first.ndim, "cat");
  for (const [i, t] of tensors.entries()) {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => k !== d && s !== first.shape[k])) {
      throw new RangeError(
        `cat: tensors[${i}] has shape ${fmtShape(t.shape)}, which does not match ${fmtShape(first.shape)} outside dim ${d}`,
      );
    }
  }
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const total = tensors.reduce((s, t) => s + t.shape[d]!, 0);
  const y = empty(dtype, first.shape.map((s, k) => (k === d ? total : s)));
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    const region = asStrided(y, t.shape, y.strides, at * y.strides[d]!);
    elementwise("x", ["x"], viewOf(region), t.shape, [viewOf(t)]);
    at += t.shape[d]!;
  }
  return record("cat", y, tensors, (g) => tensors.map((t, i) => (t.requiresGrad ? g.narrow(d, starts[i]!, t.shape[d]!).to(t.dtype) : null)));
}

/** Stacks same-shaped tensors along a new `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("stack: expected a non-empty list of tensors");
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    checkTensor(t, "stack", `tensors[${i}]`);
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new RangeError(`stack: tensors[${i}] has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape)}`);
    }
  });
  const d = normalizeDim(dim, first.ndim + 1, "stack");
  return cat(tensors.map((t) => t.unsqueeze(d)), d);
}

/** Splits along `dim` into pieces of `size` (the last may be smaller) or of the given sizes; views. */
export function split<D extends DType>(x: Tensor<D>, sizes: number | readonly number[], dim = 0): Tensor<D>[] {
  checkTensor(x, "split");
  const d = existingDim(dim, x.ndim, "split");
  const n = x.shape[d]!;
  let list: number[];
  if (typeof sizes === "number") {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new RangeError(`split: size must be a positive integer, got ${sizes}`);
    list = Array.from({ length: Math.max(1, Math.ceil(n / sizes)) }, (_, i) => Math.min(sizes, n - i * sizes));
  } else {
    list = [...sizes];
    const total = list.reduce((a, b) => a + b, 0);
    if (total !== n) throw new RangeError(`split: sizes ${JSON.stringify(sizes)} sum to ${total}, but dim ${dim} has size ${n}`);
  }
  let at = 0;
  return list.map((len) => {
    const piece = x.narrow(d, at, len);
    at += len;
    return piece;
  });
}

/** Splits along `dim` into `chunks` nearly equal pieces (`torch.chunk`); views. */
export function chunk<D extends DType>(x: Tensor<D>, chunks: number, dim = 0): Tensor<D>[] {
  checkTensor(x, "chunk");
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const n = x.shape[existingDim(dim, x.ndim, "chunk")]!;
  return split(x, Math.max(1, Math.ceil(n / chunks)), dim);
}

function triangle<D extends DType>(op: "tril" | "triu", x: Tensor<D>, diagonal: number): Tensor<D> {
  checkTensor(x, op);
  if (x.ndim < 2) throw new RangeError(`${op}: input must have at least 2 dims, got ${fmtShape(x.shape)}`);
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  // keep (i, j) where j − i ≤ k (tril) or j − i ≥ k (triu)
  const keep = empty("bool", [rows, cols]);
  const kd = keep.storage.data;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) kd[i * cols + j] = (op === "tril" ? j - i <= diagonal : j - i >= diagonal) ? 1 : 0;
  }
  const apply = (t: Tensor): Tensor => {
    const y = empty(t.dtype, t.shape);
    elementwise("m ? x : 0", ["m", "x"], viewOf(y), t.shape, [viewOf(keep, t.shape), viewOf(t)]);
    return y;
  };
  return record(op, apply(x), [x], (g) => [apply(g)]) as Tensor<D>;
}

/** Lower triangle of the last two dims (elements with `j − i ≤ diagonal`); the rest zero. */
export function tril<D extends DType>(x: Tensor<D>, diagonal = 0): Tensor<D> {
  return triangle("tril", x, diagonal);
}

/** Upper triangle of the last two dims (elements with `j − i ≥ diagonal`); the rest zero. */
export function triu<D extends DType>(x: Tensor<D>, diagonal = 0): Tensor<D> {
  return triangle("triu", x, diagonal);
}
