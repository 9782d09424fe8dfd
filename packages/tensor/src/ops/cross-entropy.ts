/**
 * @file `crossEntropy`: fused log-softmax + NLL over the last dim with its own
 * backward (`softmax − onehot`, scaled), `ignoreIndex` and mean/sum/none
 * reductions, as `torch.nn.functional.cross_entropy` with class-index targets.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType } from "../dtype.js";
import { crossEntropyBackward, crossEntropyForward } from "../kernels/cross-entropy.js";
import { fmtShape, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { position } from "./fused-util.js";
import { checkTensor, contiguousData, empty } from "./util.js";

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Target value whose rows contribute nothing (default −100, as torch). */
  ignoreIndex?: number;
  /** `"mean"` over non-ignored targets (default; NaN when all are ignored, as torch), `"sum"`, or `"none"` (shape of targets). */
  reduction?: "mean" | "sum" | "none";
}

/**
 * `−log softmax(logits)[target]` for logits (N, V) or (B, T, V) and int32
 * targets of the leading shape, reduced by `reduction` over non-ignored targets.
 */
export function crossEntropy<D extends DType>(logits: Tensor<D>, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor<D> {
  const op = "crossEntropy";
  const { ignoreIndex = -100, reduction = "mean" } = opts;
  checkTensor(logits, op, "logits");
  checkTensor(targets, op, "targets");
  if (!isFloat(logits.dtype)) throw new TypeError(`${op}: logits must be float32 or float64, got ${logits.dtype}`);
  if (targets.dtype !== "int32") throw new TypeError(`${op}: targets must be int32 class indices, got ${targets.dtype}`);
  if (logits.ndim < 2 || !sameShape(targets.shape, logits.shape.slice(0, -1))) {
    throw new RangeError(`${op}: logits ${fmtShape(logits.shape)} need targets of shape ${fmtShape(logits.shape.slice(0, -1))}, got ${fmtShape(targets.shape)}`);
  }
  if (!["mean", "sum", "none"].includes(reduction)) throw new RangeError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  const V = logits.shape[logits.ndim - 1]!;
  const N = targets.numel;
  const t = (contiguousData(targets).data as Int32Array).slice(); // a copy: backward must see the ids of this call
  let count = 0;
  for (let i = 0; i < N; i++) {
    const c = t[i]!;
    if (c === ignoreIndex) continue;
    if (c < 0 || c >= V) throw new RangeError(`${op}: target ${c} at position ${position(i, targets.shape)} is out of range for ${V} classes`);
    count++;
  }
  const x = contiguousData(logits);
  const losses = new Float64Array(N);
  const lse = new Float64Array(N);
  crossEntropyForward(losses, lse, x.data, t, N, V, ignoreIndex);
  let y: Tensor<D>;
  if (reduction === "none") {
    y = empty(logits.dtype, targets.shape);
    y.data.set(losses);
  } else {
    y = empty(logits.dtype, []);
    const total = losses.reduce((a, b) => a + b, 0);
    y.data[0] = reduction === "sum" ? total : total / count;
  }
  return record(
    op,
    y,
    [logits],
    (g) => {
      const gs = contiguousData(g).data;
      // d loss_r / d logits_r = softmax − onehot, times the upstream gradient reaching row r
      const scale = reduction === "none" ? Float64Array.from(gs) : new Float64Array(N).fill(reduction === "sum" ? gs[0]! : gs[0]! / count);
      const dx = empty(logits.dtype, logits.shape);
      crossEntropyBackward(dx.data, x.data, t, lse, scale, N, V, ignoreIndex);
      return [dx];
    },
    [x],
  );
}
