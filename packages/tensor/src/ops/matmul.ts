/**
 * @file Matrix product for 1-D, 2-D and batched N-D tensors with batch
 * broadcasting (`torch.matmul` semantics). Transposed operands are passed to
 * the GEMM kernel as flags, so backward (`g·Bᵀ`, `Aᵀ·g`) never copies a transpose.
 */
import { record } from "../autograd/node.js";
import { isFloat } from "../dtype.js";
import { gemm } from "../kernels/matmul.js";
import { broadcastShapes, broadcastStrides, fmtShape, numelOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { sumTo } from "./reduce.js";
import { checkTensor, copyOf, uninit } from "./util.js";

type FloatArray = Float32Array | Float64Array;

/** How a matrix (the last two dims) sits in memory: row-major, column-major (a transpose), or neither. */
function layout(t: Tensor): "N" | "T" | null {
  const r = t.ndim;
  const rows = t.shape[r - 2]!;
  const cols = t.shape[r - 1]!;
  const rs = t.strides[r - 2]!;
  const cs = t.strides[r - 1]!;
  if ((cols === 1 || cs === 1) && (rows === 1 || rs === cols)) return "N";
  if ((rows === 1 || rs === 1) && (cols === 1 || cs === rows)) return "T";
  return null;
}

/** `t` with its matrices in a layout the kernel reads, copying only when needed. */
function readable(t: Tensor): [Tensor, boolean] {
  const l = layout(t);
  if (l !== null) return [t, l === "T"];
  return [copyOf(t), false];
}

/** Batched `a @ b` for operands of rank ≥ 2. */
function matmulNd(a: Tensor, b: Tensor, shownA: Tensor, shownB: Tensor): Tensor {
  const r = a.ndim;
  const M = a.shape[r - 2]!;
  const K = a.shape[r - 1]!;
  const N = b.shape[b.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== K) {
    throw new RangeError(
      `matmul: cannot multiply ${fmtShape(shownA.shape)} by ${fmtShape(shownB.shape)} (inner dims ${K} ≠ ${b.shape[b.ndim - 2]})`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes("matmul", batchA, batchB);
  const y = uninit(a.dtype, [...batch, M, N]); // every GEMM below writes its whole block
  const [A, transA] = readable(a);
  const [B, transB] = readable(b);
  const yd = y.storage.data as FloatArray;
  const ad = A.storage.data as FloatArray;
  const bd = B.storage.data as FloatArray;
  if (batchB.length === 0 && !transA && A.isContiguous) {
    // fold the batch into rows: one [batch·M, K] × [K, N] product
    gemm(yd, ad, A.offset, bd, B.offset, numelOf(batch) * M, K, N, { transB });
  } else {
    const sa = broadcastStrides(batchA, A.strides.slice(0, -2), batch);
    const sb = broadcastStrides(batchB, B.strides.slice(0, -2), batch);
    const count = numelOf(batch);
    const idx = new Array<number>(batch.length).fill(0);
    let oa = A.offset;
    let ob = B.offset;
    for (let i = 0; i < count; i++) {
      gemm(yd, ad, oa, bd, ob, M, K, N, { transA, transB, outOffset: i * M * N });
      for (let d = batch.length - 1; d >= 0; d--) {
        idx[d]!++;
        oa += sa[d]!;
        ob += sb[d]!;
        if (idx[d]! < batch[d]!) break;
        oa -= sa[d]! * batch[d]!;
        ob -= sb[d]! * batch[d]!;
        idx[d] = 0;
      }
    }
  }
  return record(
    "matmul",
    y,
    [a, b],
    (g) => {
      const bt = b.transpose(-1, -2);
      const da = a.requiresGrad ? sumTo(matmulNd(g, bt, g, bt), a.shape) : null;
      let db: Tensor | null = null;
      if (b.requiresGrad) {
        if (b.ndim === 2 && layout(b) === "T") {
          // b is a transposed view (a Linear's weight.t()): compute dBᵀ = gᵀ·A in the layout b's
          // storage has, so the gradient the view passes back to its base is contiguous
          const a2 = a.reshape([-1, K]);
          const gt = g.reshape([-1, N]).transpose(0, 1);
          db = matmulNd(gt, a2, gt, a2).transpose(0, 1);
        } else if (b.ndim === 2 && a.ndim > 2) {
          // dB = Σ_batch Aᵀ·g = (A as [batch·M, K])ᵀ · (g as [batch·M, N])
          const af = a.reshape([-1, K]).transpose(0, 1);
          db = matmulNd(af, g.reshape([-1, N]), af, g);
        } else {
          const at = a.transpose(-1, -2);
          db = sumTo(matmulNd(at, g, at, g), b.shape);
        }
      }
      return [da, db];
    },
    [a, b],
  );
}

/** Matrix product with `torch.matmul` semantics: 1-D operands are promoted to matrices and the extra dim removed. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "matmul");
  checkTensor(b, "matmul", "other");
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`matmul: both arguments need at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  if (!isFloat(a.dtype) || a.dtype !== b.dtype) {
    throw new TypeError(`matmul: expected two float tensors of the same dtype, got ${a.dtype} and ${b.dtype}`);
  }
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(-1) : b;
  let y = matmulNd(a2, b2, a, b);
  if (b.ndim === 1) y = y.squeeze(-1);
  if (a.ndim === 1) y = y.squeeze(a.ndim === 1 && b.ndim === 1 ? -1 : -2);
  return y;
}
