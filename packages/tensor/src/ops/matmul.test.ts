/**
 * @file matmul against a plain-JS reference: 1-D/2-D/batched operands,
 * batch broadcasting, transposed operands passed as kernel flags
 * (`x.matmul(w.t())`), non-contiguous operands that must be copied, empty
 * sizes, NaN, dtypes, error messages, and gradients through each path.
 */
import { describe, expect, it } from "vitest";
import { Generator, matmul, randn, tensor, zeros, type Tensor } from "../index.js";

type M = number[][];
const gen = new Generator(1234);
const rnd = (shape: number[], dtype: "float32" | "float64" = "float64") => randn(shape, { dtype, generator: gen });

/** Reference product of two matrices. */
function mm(a: M, b: M): M {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}
const T = (a: M): M => a[0]!.map((_, j) => a.map((row) => row[j]!));
/** Tolerance of float64 products against the reference: rounding only. */
const f64 = { atol: 1e-12, rtol: 1e-12 };

describe("matmul: ranks", () => {
  it("2-D × 2-D by hand", () => {
    const y = tensor([[1, 2], [3, 4]]).matmul(tensor([[5, 6], [7, 8]]));
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([[19, 22], [43, 50]]);
    expect(matmul(tensor([[1, 2, 3]]), tensor([[1], [1], [1]])).toArray()).toEqual([[6]]);
  });
  it("1-D × 1-D is a 0-d dot product", () => {
    const y = tensor([1, 2, 3]).matmul(tensor([4, 5, 6]));
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(32);
  });
  it("1-D × 2-D and 2-D × 1-D drop the promoted dim", () => {
    const m = tensor([[1, 2], [3, 4], [5, 6]]);
    const v = tensor([1, -1, 2]);
    const vm = v.matmul(m);
    expect(vm.shape).toEqual([2]);
    expect(vm.toArray()).toEqual([8, 10]);
    const mv = m.matmul(tensor([1, 1]));
    expect(mv.shape).toEqual([3]);
    expect(mv.toArray()).toEqual([3, 7, 11]);
  });
  it("larger 2-D products match the reference (float64 and float32)", () => {
    for (const [m, k, n] of [[17, 33, 9], [1, 300, 5], [64, 1, 3], [5, 7, 130]] as const) {
      const a = rnd([m, k]);
      const b = rnd([k, n]);
      expect(a.matmul(b)).toBeAllclose(mm(a.toArray() as M, b.toArray() as M), f64);
      const a32 = a.to("float32");
      const b32 = b.to("float32");
      const y32 = a32.matmul(b32);
      expect(y32.dtype).toBe("float32");
      expect(y32).toBeAllclose(mm(a32.toArray() as M, b32.toArray() as M), { atol: 1e-5, rtol: 1e-5 });
    }
  });
  it("batched 3-D × 3-D", () => {
    const a = rnd([4, 3, 5]);
    const b = rnd([4, 5, 2]);
    const y = a.matmul(b);
    expect(y.shape).toEqual([4, 3, 2]);
    const A = a.toArray() as M[];
    const B = b.toArray() as M[];
    expect(y).toBeAllclose(A.map((ai, i) => mm(ai, B[i]!)), f64);
  });
  it("3-D × 2-D folds the batch (and 4-D × 2-D)", () => {
    const a = rnd([2, 3, 4]);
    const w = rnd([4, 5]);
    const y = a.matmul(w);
    expect(y.shape).toEqual([2, 3, 5]);
    expect(y).toBeAllclose((a.toArray() as M[]).map((ai) => mm(ai, w.toArray() as M)), f64);
    const a4 = rnd([2, 2, 3, 4]);
    expect(a4.matmul(w)).toBeAllclose((a4.toArray() as M[][]).map((r) => r.map((ai) => mm(ai, w.toArray() as M))), f64);
  });
  it("2-D × 3-D broadcasts the matrix over b's batch", () => {
    const a = rnd([3, 4]);
    const b = rnd([2, 4, 5]);
    const y = a.matmul(b);
    expect(y.shape).toEqual([2, 3, 5]);
    expect(y).toBeAllclose((b.toArray() as M[]).map((bi) => mm(a.toArray() as M, bi)), f64);
  });
  it("broadcasts batch dims: [2, 1, M, K] × [3, K, N] → [2, 3, M, N]", () => {
    const a = rnd([2, 1, 3, 4]);
    const b = rnd([3, 4, 2]);
    const y = a.matmul(b);
    expect(y.shape).toEqual([2, 3, 3, 2]);
    const A = a.toArray() as M[][];
    const B = b.toArray() as M[];
    expect(y).toBeAllclose(A.map((ai) => B.map((bj) => mm(ai[0]!, bj))), f64);
  });
  it("1-D with batched operands", () => {
    const v = rnd([4]);
    const b = rnd([3, 4, 2]);
    const y = v.matmul(b);
    expect(y.shape).toEqual([3, 2]);
    expect(y).toBeAllclose((b.toArray() as M[]).map((bi) => mm([v.toArray() as number[]], bi)[0]!), f64);
    const a = rnd([3, 2, 4]);
    const z = a.matmul(v);
    expect(z.shape).toEqual([3, 2]);
    expect(z).toBeAllclose((a.toArray() as M[]).map((ai) => mm(ai, T([v.toArray() as number[]])).map((r) => r[0]!)), f64);
  });
  it("5-D batched", () => {
    const a = rnd([2, 1, 2, 2, 3]);
    const b = rnd([1, 3, 1, 3, 2]);
    const y = a.matmul(b);
    expect(y.shape).toEqual([2, 3, 2, 2, 2]);
    const A = a.toArray() as M[][][];
    const B = b.toArray() as M[][][];
    const ref = [0, 1].map((i) => [0, 1, 2].map((j) => [0, 1].map((k) => mm(A[i]![0]![k]!, B[0]![j]![0]!))));
    expect(y).toBeAllclose(ref, f64);
  });
});

describe("matmul: transposed and non-contiguous operands", () => {
  it("x.matmul(w.t()) (the linear-layer path)", () => {
    const x = rnd([5, 4]);
    const w = rnd([3, 4]);
    const wt = w.t();
    expect(wt.isContiguous).toBe(false);
    const y = x.matmul(wt);
    expect(y.shape).toEqual([5, 3]);
    expect(y).toBeAllclose(mm(x.toArray() as M, T(w.toArray() as M)), f64);
  });
  it("batched x.matmul(w.t()) folds with a transposed weight", () => {
    const x = rnd([2, 5, 4]);
    const w = rnd([3, 4]);
    expect(x.matmul(w.t())).toBeAllclose((x.toArray() as M[]).map((xi) => mm(xi, T(w.toArray() as M))), f64);
  });
  it("aᵀ·b and aᵀ·bᵀ", () => {
    const a = rnd([4, 3]);
    const b = rnd([4, 2]);
    expect(a.t().matmul(b)).toBeAllclose(mm(T(a.toArray() as M), b.toArray() as M), f64);
    const c = rnd([2, 3]);
    expect(a.matmul(c.t()).t()).toBeAllclose(T(mm(a.toArray() as M, T(c.toArray() as M))), f64);
    const d = rnd([5, 4]);
    expect(a.t().matmul(d.t())).toBeAllclose(mm(T(a.toArray() as M), T(d.toArray() as M)), f64);
  });
  it("batched transposes (transpose(-1, -2)) on both sides", () => {
    const a = rnd([3, 4, 2]);
    const b = rnd([3, 5, 4]);
    const y = a.transpose(-1, -2).matmul(b.transpose(-1, -2)); // [3, 2, 4] × [3, 4, 5]
    expect(y.shape).toEqual([3, 2, 5]);
    const A = a.toArray() as M[];
    const B = b.toArray() as M[];
    expect(y).toBeAllclose(A.map((ai, i) => mm(T(ai), T(B[i]!))), f64);
  });
  it("a transposed 3-D operand against a 2-D weight (no fold)", () => {
    const a = rnd([2, 4, 3]);
    const w = rnd([4, 2]);
    expect(a.transpose(1, 2).matmul(w)).toBeAllclose((a.toArray() as M[]).map((ai) => mm(T(ai), w.toArray() as M)), f64);
  });
  it("strided (sliced with a step) operands are copied correctly", () => {
    const big = rnd([6, 8]);
    const a = big.slice(0, 0, 6, 2).slice(1, 1, 8, 2); // [3, 4], strides [16, 2]
    const b = rnd([8, 3]).slice(0, 0, 8, 2); // [4, 3], row stride 6
    expect(a.isContiguous).toBe(false);
    expect(a.matmul(b)).toBeAllclose(mm(a.toArray() as M, b.toArray() as M), f64);
  });
  it("narrowed columns (row stride ≠ cols) and offset operands", () => {
    const big = rnd([4, 6]);
    const a = big.narrow(1, 1, 3); // [4, 3], row stride 6, offset 1
    const b = rnd([5, 2]).narrow(0, 2, 3); // contiguous, offset 4
    expect(b.offset).toBe(4);
    expect(a.matmul(b)).toBeAllclose(mm(a.toArray() as M, b.toArray() as M), f64);
  });
  it("a contiguous batched slice with an offset takes the fold path correctly", () => {
    const big = rnd([3, 2, 4]);
    const a = big.slice(0, 1); // [2, 2, 4] contiguous, offset 8
    const w = rnd([4, 3]);
    expect(a.isContiguous).toBe(true);
    expect(a.matmul(w)).toBeAllclose((a.toArray() as M[]).map((ai) => mm(ai, w.toArray() as M)), f64);
  });
  it("permuted batch dims and expanded (stride-0) batches", () => {
    const base = rnd([3, 2, 4]); // [M, B, K]
    const a = base.permute([1, 0, 2]); // [B, M, K], batch stride 4, row stride 8
    const b = rnd([2, 4, 5]);
    const A = a.toArray() as M[];
    const B = b.toArray() as M[];
    expect(a.matmul(b)).toBeAllclose(A.map((ai, i) => mm(ai, B[i]!)), f64);
    const e = rnd([1, 3, 4]).expand([2, 3, 4]);
    const E = e.toArray() as M[];
    expect(e.matmul(b)).toBeAllclose(E.map((ei, i) => mm(ei, B[i]!)), f64);
  });
  it("does not alias or modify its operands", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[1, 0], [0, 1]]);
    const y = a.matmul(b);
    expect(y.storage).not.toBe(a.storage);
    expect(y.storage).not.toBe(b.storage);
    y.data[0] = 100;
    expect(a.toArray()).toEqual([[1, 2], [3, 4]]);
  });
});

describe("matmul: edge values and errors", () => {
  it("K = 0 gives zeros; M = 0 or N = 0 gives empty", () => {
    expect(zeros([2, 0]).matmul(zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(zeros([0, 2]).matmul(zeros([2, 3])).shape).toEqual([0, 3]);
    expect(zeros([2, 2]).matmul(zeros([2, 0])).shape).toEqual([2, 0]);
    expect(zeros([0, 2, 2]).matmul(zeros([2, 2])).shape).toEqual([0, 2, 2]);
  });
  it("NaN and inf propagate along their row/column only", () => {
    const y = tensor([[NaN, 1], [1, 1]]).matmul(tensor([[1, 0], [0, 1]]));
    const arr = y.toArray() as M;
    expect(arr[0]![0]).toBeNaN();
    expect(arr[0]![1]).toBeNaN(); // NaN · 0 = NaN
    expect(arr[1]).toEqual([1, 1]);
    const z = tensor([[Infinity, 1]]).matmul(tensor([[1], [1]]));
    expect(z.item()).toBe(Infinity);
  });
  it("keeps float64", () => {
    const y = tensor([[0.1]], { dtype: "float64" }).matmul(tensor([[0.2]], { dtype: "float64" }));
    expect(y.dtype).toBe("float64");
    expect(y.item()).toBe(0.1 * 0.2);
  });
  it("inner-dim mismatch names both shapes and the dims", () => {
    expect(() => zeros([2, 3]).matmul(zeros([4, 5]))).toThrow("matmul: cannot multiply [2, 3] by [4, 5] (inner dims 3 ≠ 4)");
    expect(() => zeros([3]).matmul(zeros([4]))).toThrow("matmul: cannot multiply [3] by [4] (inner dims 3 ≠ 4)");
    expect(() => zeros([2, 3]).matmul(zeros([2]))).toThrow("matmul: cannot multiply [2, 3] by [2] (inner dims 3 ≠ 2)");
    expect(() => zeros([7, 2, 3]).matmul(zeros([7, 4, 5]))).toThrow("matmul: cannot multiply [7, 2, 3] by [7, 4, 5] (inner dims 3 ≠ 4)");
  });
  it("batch mismatch names both batch shapes", () => {
    expect(() => zeros([2, 3, 4]).matmul(zeros([3, 4, 5]))).toThrow("matmul: shapes [2] and [3] cannot be broadcast together (dim -1: 2 vs 3)");
  });
  it("dtype mismatch and non-float dtypes", () => {
    expect(() => matmul(zeros([2, 2]), zeros([2, 2], { dtype: "float64" }))).toThrow(
      "matmul: expected two float tensors of the same dtype, got float32 and float64",
    );
    const i = zeros([2, 2], { dtype: "int32" });
    expect(() => i.matmul(i)).toThrow("matmul: expected two float tensors of the same dtype, got int32 and int32");
    expect(() => matmul(zeros([2, 2]), zeros([2, 2], { dtype: "bool" }))).toThrow("got float32 and bool");
  });
  it("0-d operands", () => {
    expect(() => tensor(2).matmul(zeros([3]))).toThrow("matmul: both arguments need at least 1 dim, got [] and [3]");
    expect(() => zeros([3]).matmul(tensor(2))).toThrow("matmul: both arguments need at least 1 dim, got [3] and []");
  });
  it("non-tensor operands", () => {
    expect(() => matmul(zeros([2, 2]), [[1]] as unknown as Tensor)).toThrow("matmul: other must be a Tensor, got object");
  });
});

describe("matmul: gradients", () => {
  it("2-D: dA = g·Bᵀ, dB = Aᵀ·g with a non-trivial upstream gradient", () => {
    const a = rnd([3, 4]).requiresGrad_();
    const b = rnd([4, 2]).requiresGrad_();
    const g = rnd([3, 2]);
    const y = a.matmul(b);
    expect(y.gradFn?.name).toBe("matmul");
    y.backward(g);
    const A = a.toArray() as M;
    const B = b.toArray() as M;
    const G = g.toArray() as M;
    expect(a.grad!).toBeAllclose(mm(G, T(B)), f64);
    expect(b.grad!).toBeAllclose(mm(T(A), G), f64);
  });
  it("x.matmul(w.t()) with batched x: dw sums over the batch and has w's shape", () => {
    const x = rnd([2, 3, 4]).requiresGrad_();
    const w = rnd([5, 4]).requiresGrad_();
    const g = rnd([2, 3, 5]);
    x.matmul(w.t()).backward(g);
    const X = x.toArray() as M[];
    const W = w.toArray() as M;
    const G = g.toArray() as M[];
    expect(w.grad!.shape).toEqual([5, 4]);
    expect(x.grad!).toBeAllclose(G.map((gi) => mm(gi, W)), f64);
    const dW = G.map((gi, i) => mm(T(gi), X[i]!)).reduce((acc, m) => acc.map((r, p) => r.map((v, q) => v + m[p]![q]!)));
    expect(w.grad!).toBeAllclose(dW, f64);
  });
  it("broadcast batch: the broadcast operand's gradient is summed back", () => {
    const a = rnd([3, 4]).requiresGrad_();
    const b = rnd([2, 4, 5]).requiresGrad_();
    a.matmul(b).sum().backward();
    const B = b.toArray() as M[];
    const ones = Array.from({ length: 3 }, () => new Array<number>(5).fill(1));
    const dA = B.map((bi) => mm(ones, T(bi))).reduce((acc, m) => acc.map((r, p) => r.map((v, q) => v + m[p]![q]!)));
    expect(a.grad!).toBeAllclose(dA, f64);
    expect(b.grad!.shape).toEqual([2, 4, 5]);
  });
  it("1-D · 1-D gradient", () => {
    const u = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const v = tensor([4, 5, 6], { dtype: "float64", requiresGrad: true });
    u.matmul(v).backward(tensor(2, { dtype: "float64" }));
    expect(u.grad?.toArray()).toEqual([8, 10, 12]);
    expect(v.grad?.toArray()).toEqual([2, 4, 6]);
  });
  it("an operand used twice (a·aᵀ) accumulates both paths", () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
    a.matmul(a.t()).sum().backward();
    // d Σ(A Aᵀ) / dA = (1·1ᵀ)A + (1·1ᵀ)ᵀA = 2·colsum broadcast
    expect(a.grad?.toArray()).toEqual([[8, 12], [8, 12]]);
  });
});
