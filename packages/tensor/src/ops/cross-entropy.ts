/**
 * @file `crossEntropy`: fused log-softmax + NLL over the last dim with its own
 * backward (`softmax − onehot`, scaled), `ignoreIndex` and mean/sum/none
 * reductions, as `torch.nn.functional.cross_entropy` with class-index targets.
 */
import { record } from "../autograd/node.js";
import { isFloat, type DType } from "../dtype.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { crossEntropyForward, crossEntropyForwardWasm } from "../kernels/cross-entropy.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import { recordStorage } from "../memory/recycler.js";
import { mul } from "./binary.js";
import { fmtShape, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { position } from "./fused-util.js";
import { checkTensor, contiguousData, empty, uninit } from "./util.js";

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
  const needGrad = isGradEnabled() && logits.requiresGrad;
  // the gradient of the reduced loss w.r.t. each row, for an upstream gradient of 1
  const scale = reduction === "mean" ? 1 / count : 1;
  const losses = new Float64Array(N);
  const made = (): Tensor<D> | null => {
    const dx = needGrad ? uninit(logits.dtype, logits.shape) : null;
    const wasm = logits.dtype === "float32" && getBackend() === "wasm" && wasmAvailable();
    const ran = wasm && tryWasm(() => {
      const l32 = new Float32Array(N);
      const tk = t.map((c) => (c === ignoreIndex ? -1 : c));
      crossEntropyForwardWasm(l32, (dx?.data ?? null) as Float32Array | null, x.data as Float32Array, tk, N, V, scale, getThreads());
      losses.set(l32);
    });
    if (!ran) crossEntropyForward(losses, dx?.data ?? null, x.data, t, N, V, ignoreIndex, scale);
    return dx;
  };
  let dx = made();
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
      // d loss_r / d logits_r = softmax − onehot (made in the forward pass), times the upstream gradient reaching row r
      const unit = dx ?? made()!;
      if (dx !== null) recordStorage(dx.storage); // backward owns it now: freed once used
      dx = null; // a second backward (retainGraph) recomputes it
      const gs = contiguousData(g).data;
      if (gs.every((v) => v === 1)) return [unit];
      return [mul(unit, reduction === "none" ? g.reshape([...g.shape, 1]) : g)];
    },
    [x],
  );
}
