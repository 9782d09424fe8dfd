/**
 * @file Reductions: single and multiple dims, keepdim, negative dims, every
 * kernel path (suffix rows, leading rows, permuted copy), non-contiguous
 * inputs, NaN, empty reductions, result dtypes, errors, `sumTo`, `std` and `norm`.
 */
import { describe, expect, it } from "vitest";
import { argmax, argmin, logsumexp, max, mean, min, norm, std, sum, sumTo, tensor, var as variance, zeros, type NestedNumbers, type Tensor } from "../index.js";

const flat = (x: NestedNumbers): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
/** 0, 1, …, n−1 reshaped. */
const iota = (shape: number[], dtype: "float32" | "float64" | "int32" = "float32") =>
  tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), { dtype }).reshape(shape);

/** Reference sum of a [2, 3, 4] iota over `dims`, by explicit loops. */
function refSum234(dims: number[]): { shape: number[]; values: number[] } {
  const shape = [2, 3, 4];
  const kept = [0, 1, 2].filter((d) => !dims.includes(d));
  const outShape = kept.map((d) => shape[d]!);
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 4; k++) {
        const idx = [i, j, k];
        let o = 0;
        for (const d of kept) o = o * shape[d]! + idx[d]!;
        out[o]! += i * 12 + j * 4 + k;
      }
  return { shape: outShape, values: out };
}

describe("sum", () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  it("over everything gives a 0-d tensor", () => {
    const s = m.sum();
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(21);
  });
  it("over one dim, positive and negative", () => {
    expect(m.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(m.sum(1).toArray()).toEqual([6, 15]);
    expect(m.sum(-1).toArray()).toEqual([6, 15]);
    expect(m.sum(-2).toArray()).toEqual([5, 7, 9]);
  });
  it("keepdim keeps size-1 dims", () => {
    expect(m.sum(1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(m.sum(1, { keepdim: true }).toArray()).toEqual([[6], [15]]);
    expect(m.sum(undefined, { keepdim: true }).shape).toEqual([1, 1]);
    expect(m.sum([0, 1], { keepdim: true }).toArray()).toEqual([[21]]);
  });
  it("every subset of dims of a 3-D tensor matches a loop reference", () => {
    const x = iota([2, 3, 4], "float64");
    for (const dims of [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2], [2, 0], [-1, -3]]) {
      const norm = dims.map((d) => (d < 0 ? d + 3 : d));
      const ref = refSum234(norm);
      const y = x.sum(dims);
      expect(y.shape, `dims ${dims}`).toEqual(ref.shape);
      expect(flat(y.toArray()), `dims ${dims}`).toEqual(ref.values);
    }
  });
  it("middle dims of a 5-D tensor", () => {
    const x = iota([2, 3, 2, 2, 3], "float64");
    const y = x.sum([1, 3]);
    expect(y.shape).toEqual([2, 2, 3]);
    // y[a, c, e] = Σ_b Σ_d x[a, b, c, d, e]
    const strides = [36, 12, 6, 3, 1];
    const ref: number[] = [];
    for (let a = 0; a < 2; a++)
      for (let c = 0; c < 2; c++)
        for (let e = 0; e < 3; e++) {
          let s = 0;
          for (let b = 0; b < 3; b++) for (let d = 0; d < 2; d++) s += a * strides[0]! + b * strides[1]! + c * strides[2]! + d * strides[3]! + e;
          ref.push(s);
        }
    expect(flat(y.toArray())).toEqual(ref);
    expect(x.sum([1, 3], { keepdim: true }).shape).toEqual([2, 1, 2, 1, 3]);
  });
  it("non-contiguous inputs (transposed, sliced, expanded)", () => {
    expect(m.t().sum(0).toArray()).toEqual([6, 15]);
    expect(m.t().sum(1).toArray()).toEqual([5, 7, 9]);
    expect(m.t().sum().item()).toBe(21);
    expect(m.slice(1, 0, 3, 2).sum(1).toArray()).toEqual([4, 10]); // [[1, 3], [4, 6]]
    expect(tensor([1, 2, 3]).expand([4, 3]).sum(0).toArray()).toEqual([4, 8, 12]);
    const p = iota([2, 3, 4]).permute([2, 0, 1]); // [4, 2, 3]
    expect(p.sum([0, 2]).toArray()).toEqual(refSum234([1, 2]).values);
  });
  it("a reduced result has a usable layout (chains, keeps values)", () => {
    const y = iota([3, 4]).sum(0);
    expect(y.add(1).toArray()).toEqual([13, 16, 19, 22]);
    expect(y.reshape([2, 2]).toArray()).toEqual([[12, 15], [18, 21]]);
  });
  it("accumulates float32 sums in float64", () => {
    // 1 + 1e-8 × 1e4 would be lost in a float32 accumulator
    const x = tensor([1, ...new Array<number>(10_000).fill(1e-8)]);
    expect(x.sum().item()).toBeCloseTo(1.0001, 6);
  });
  it("0-d input: all dims and dim 0 / -1 return the value", () => {
    const s = tensor(5);
    expect(s.sum().item()).toBe(5);
    expect(s.sum(0).item()).toBe(5);
    expect(s.sum(-1).item()).toBe(5);
    expect(s.sum(0).shape).toEqual([]);
  });
  it("dtypes: bool → int32, int32 stays, float64 stays", () => {
    const b = tensor([true, true, false]).sum();
    expect(b.dtype).toBe("int32");
    expect(b.item()).toBe(2);
    expect(iota([3], "int32").sum().dtype).toBe("int32");
    expect(iota([3], "float64").sum().dtype).toBe("float64");
  });
  it("NaN propagates", () => {
    expect(tensor([1, NaN, 2]).sum().item()).toBeNaN();
    expect(tensor([[1, NaN], [2, 3]]).sum(1)).toBeAllclose([NaN, 5], { atol: 1e-6, rtol: 1e-6 });
  });
  it("empty reductions sum to 0", () => {
    expect(zeros([0]).sum().item()).toBe(0);
    expect(zeros([2, 0]).sum(1).toArray()).toEqual([0, 0]);
    expect(zeros([2, 0]).sum(0).shape).toEqual([0]);
    expect(zeros([0, 3]).sum(0).toArray()).toEqual([0, 0, 0]);
  });
  it("bad dims name the op, the dim and the rank", () => {
    expect(() => m.sum(2)).toThrow("sum: dim 2 is out of range for a tensor of rank 2 (expected -2 to 1)");
    expect(() => m.sum(-3)).toThrow("sum: dim -3 is out of range for a tensor of rank 2 (expected -2 to 1)");
    expect(() => m.sum(0.5)).toThrow("sum: dim 0.5 is out of range");
    expect(() => m.sum([0, -2])).toThrow("sum: dims [0,-2] repeat a dim");
    expect(() => tensor(1).sum(1)).toThrow("sum: dim 1 is out of range for a tensor of rank 0 (expected -1 to 0)");
    expect(() => sum(3 as unknown as Tensor)).toThrow("sum: input must be a Tensor, got number");
  });
  it("gradient broadcasts back over the reduced dims", () => {
    const x = iota([2, 3]).requiresGrad_();
    x.sum(1).backward(tensor([1, 2]));
    expect(x.grad?.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });
});

describe("mean", () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  it("over all, one and several dims, keepdim", () => {
    expect(m.mean().item()).toBe(3.5);
    expect(m.mean(0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(m.mean(-1).toArray()).toEqual([2, 5]);
    expect(m.mean([0, 1]).item()).toBe(3.5);
    expect(m.mean(1, { keepdim: true }).toArray()).toEqual([[2], [5]]);
    expect(mean(m.t(), 1).toArray()).toEqual([2.5, 3.5, 4.5]);
  });
  it("dtypes: int32 and bool → float32, float64 stays", () => {
    const i = tensor([1, 2], { dtype: "int32" }).mean();
    expect(i.dtype).toBe("float32");
    expect(i.item()).toBe(1.5);
    expect(tensor([true, false, false, false]).mean().item()).toBe(0.25);
    expect(tensor([true]).mean().dtype).toBe("float32");
    expect(tensor([1], { dtype: "float64" }).mean().dtype).toBe("float64");
  });
  it("0-d input", () => {
    expect(tensor(7).mean().item()).toBe(7);
    expect(tensor(7).mean(0).item()).toBe(7);
  });
  it("empty mean is NaN (0/0), as in torch", () => {
    expect(zeros([0]).mean().item()).toBeNaN();
    expect(zeros([2, 0]).mean(1)).toBeAllclose([NaN, NaN], { atol: 1e-6, rtol: 1e-6 });
  });
  it("NaN propagates", () => {
    expect(tensor([NaN, 1]).mean().item()).toBeNaN();
  });
});

describe("max / min", () => {
  const m = tensor([[1, 5, 3], [4, 2, 6]]);
  it("values over all and one dim", () => {
    expect(m.max().item()).toBe(6);
    expect(m.min().item()).toBe(1);
    expect(m.max(0).toArray()).toEqual([4, 5, 6]);
    expect(m.max(1).toArray()).toEqual([5, 6]);
    expect(m.min(-1).toArray()).toEqual([1, 2]);
    expect(max(m, [0, 1]).item()).toBe(6);
    expect(min(m, 0, { keepdim: true }).toArray()).toEqual([[1, 2, 3]]);
  });
  it("non-contiguous and 4-D inputs", () => {
    expect(m.t().max(0).toArray()).toEqual([5, 6]); // m.t() = [[1, 4], [5, 2], [3, 6]]
    expect(m.t().min(1).toArray()).toEqual([1, 2, 3]);
    const x = iota([2, 3, 2, 2]);
    expect(x.max([1, 3]).toArray()).toEqual([[9, 11], [21, 23]]);
    expect(x.min([0, 2]).toArray()).toEqual([[0, 1], [4, 5], [8, 9]]);
  });
  it("negative values and ±inf", () => {
    expect(tensor([-3, -1, -2]).max().item()).toBe(-1);
    expect(tensor([-Infinity, -Infinity]).max().item()).toBe(-Infinity);
    expect(tensor([Infinity, 1]).min().item()).toBe(1);
  });
  it("keep the input dtype", () => {
    const i = tensor([3, 9, 1], { dtype: "int32" });
    expect(i.max().dtype).toBe("int32");
    expect(i.max().item()).toBe(9);
    expect(tensor([true, false]).max().dtype).toBe("bool");
    expect(tensor([1], { dtype: "float64" }).min().dtype).toBe("float64");
  });
  it("NaN propagates wherever it is", () => {
    expect(tensor([1, NaN, 3]).max().item()).toBeNaN();
    expect(tensor([NaN, 1, 3]).min().item()).toBeNaN();
    expect(tensor([1, 3, NaN]).max().item()).toBeNaN();
    expect(tensor([[1, 2], [NaN, 0]]).max(1)).toBeAllclose([2, NaN], { atol: 1e-6, rtol: 1e-6 });
  });
  it("0-d input", () => {
    expect(tensor(4).max().item()).toBe(4);
    expect(tensor(4).min(0).item()).toBe(4);
  });
  it("empty: reducing an empty dim throws, an empty result is fine", () => {
    expect(() => zeros([0]).max()).toThrow("max: cannot reduce over an empty dim of shape [0]");
    expect(() => zeros([2, 0]).min(1)).toThrow("min: cannot reduce over an empty dim of shape [2, 0]");
    expect(zeros([0, 3]).max(1).shape).toEqual([0]);
  });
  it("gradient is shared equally among ties", () => {
    const x = tensor([1, 3, 3, 2], { requiresGrad: true });
    x.max().backward();
    expect(x.grad?.toArray()).toEqual([0, 0.5, 0.5, 0]);
  });
});

describe("argmax / argmin", () => {
  const m = tensor([[1, 5, 3], [4, 2, 6]]);
  it("of the flattened tensor and along a dim", () => {
    expect(m.argmax().item()).toBe(5);
    expect(m.argmin().item()).toBe(0);
    expect(m.argmax().shape).toEqual([]);
    expect(m.argmax(1).toArray()).toEqual([1, 2]);
    expect(m.argmax(0).toArray()).toEqual([1, 0, 1]);
    expect(argmin(m, -1).toArray()).toEqual([0, 1]);
    expect(argmax(m, 1, { keepdim: true }).toArray()).toEqual([[1], [2]]);
  });
  it("returns int32 and the first index among ties", () => {
    const y = tensor([2, 7, 7, 1]).argmax();
    expect(y.dtype).toBe("int32");
    expect(y.item()).toBe(1);
    expect(tensor([0, 0, 0]).argmin().item()).toBe(0);
  });
  it("non-contiguous input and a middle dim of 3-D", () => {
    expect(m.t().argmax(0).toArray()).toEqual([1, 2]);
    expect(m.t().argmax().item()).toBe(5); // flattened [1, 4, 5, 2, 3, 6]
    const x = tensor([[[1, 9], [8, 2], [3, 3]]]); // [1, 3, 2]
    expect(x.argmax(1).toArray()).toEqual([[1, 0]]);
  });
  it("NaN counts as the maximum (and minimum)", () => {
    expect(tensor([1, NaN, 3]).argmax().item()).toBe(1);
    expect(tensor([1, NaN, 0]).argmin().item()).toBe(1);
  });
  it("0-d input gives index 0", () => {
    expect(tensor(3).argmax().item()).toBe(0);
  });
  it("empty throws", () => {
    expect(() => zeros([0]).argmax()).toThrow("argmax: cannot reduce over an empty dim of shape [0]");
  });
  it("argmax takes a single dim", () => {
    expect(() => m.argmax(2)).toThrow("argmax: dim 2 is out of range for a tensor of rank 2");
  });
});

describe("var", () => {
  const x = tensor([1, 2, 3, 4], { dtype: "float64" });
  it("is unbiased by default, population with correction 0", () => {
    expect(x.var().item()).toBeCloseTo(5 / 3, 12);
    expect(x.var(undefined, { correction: 0 }).item()).toBeCloseTo(1.25, 12);
    expect(variance(x, 0).item()).toBeCloseTo(5 / 3, 12);
  });
  it("over dims with keepdim", () => {
    const m = tensor([[1, 3], [2, 6]], { dtype: "float64" });
    expect(m.var(1).toArray()).toEqual([2, 8]);
    expect(m.var(0, { keepdim: true, correction: 0 }).toArray()).toEqual([[0.25, 2.25]]);
  });
  it("dtype follows floatOf", () => {
    expect(tensor([1, 2], { dtype: "int32" }).var().dtype).toBe("float32");
    expect(x.var().dtype).toBe("float64");
  });
  it("one sample with correction 1 is NaN (division by zero), as torch", () => {
    expect(tensor([3]).var().item()).toBeNaN();
  });
  it("is numerically centred (large offset)", () => {
    const y = tensor([1e6 + 1, 1e6 + 2, 1e6 + 3], { dtype: "float64" });
    expect(y.var().item()).toBeCloseTo(1, 6);
  });
});

describe("logsumexp", () => {
  it("matches log Σ exp", () => {
    const x = tensor([[0, Math.log(3)], [1, 1]], { dtype: "float64" });
    expect(x.logsumexp(1)).toBeAllclose([Math.log(4), 1 + Math.log(2)], { atol: 1e-14, rtol: 1e-14 });
    expect(logsumexp(x, 0, { keepdim: true })).toBeAllclose([[Math.log(1 + Math.E), Math.log(3 + Math.E)]], { atol: 1e-14, rtol: 1e-14 });
  });
  it("is stable for large values", () => {
    expect(tensor([1000, 1000]).logsumexp()).toBeAllclose(1000 + Math.log(2), { atol: 1e-7, rtol: 1e-7 });
    expect(tensor([-1000, -1000]).logsumexp()).toBeAllclose(-1000 + Math.log(2), { atol: 1e-7, rtol: 1e-7 });
  });
  it("±inf and NaN", () => {
    expect(tensor([1, Infinity]).logsumexp().item()).toBe(Infinity);
    expect(tensor([-Infinity, -Infinity]).logsumexp().item()).toBe(-Infinity);
    expect(tensor([-Infinity, 0]).logsumexp().item()).toBe(0);
    expect(tensor([1, NaN]).logsumexp().item()).toBeNaN();
  });
  it("empty reduction is -inf (log 0)", () => {
    expect(zeros([0]).logsumexp().item()).toBe(-Infinity);
  });
  it("int32 → float32", () => {
    expect(tensor([0, 0], { dtype: "int32" }).logsumexp().dtype).toBe("float32");
  });
  it("0-d input returns the value", () => {
    expect(tensor(2).logsumexp().item()).toBe(2);
    expect(tensor(2).logsumexp(0).item()).toBe(2);
  });
  it("non-contiguous input", () => {
    const x = tensor([[0, 1], [0, 1]], { dtype: "float64" }).t(); // [[0, 0], [1, 1]]
    expect(x.logsumexp(1)).toBeAllclose([Math.log(2), 1 + Math.log(2)], { atol: 1e-14, rtol: 1e-14 });
  });
});

describe("sumTo", () => {
  it("sums broadcast dims back to a shape", () => {
    const x = iota([2, 3, 4]);
    expect(sumTo(x, [3, 4]).toArray()).toEqual([[12, 14, 16, 18], [20, 22, 24, 26], [28, 30, 32, 34]]);
    expect(sumTo(x, [3, 1]).toArray()).toEqual([[60], [92], [124]]);
    expect(sumTo(x, [1, 1, 4]).shape).toEqual([1, 1, 4]);
    expect(sumTo(x, []).item()).toBe(276);
  });
  it("returns the input unchanged when nothing needs summing", () => {
    const x = iota([2, 3]);
    expect(sumTo(x, [2, 3])).toBe(x);
  });
  it("rejects a larger rank", () => {
    expect(() => sumTo(iota([3]), [2, 3])).toThrow("sumTo: cannot sum [3] to the larger rank [2, 3]");
  });
});

describe("std and norm", () => {
  const x = tensor([[3, -4, 0], [1, 1, -1]]);
  it("std is the square root of var (unbiased by default)", () => {
    expect(x.std(1)).toBeAllclose([Math.sqrt(111 / 9), Math.sqrt(4 / 3)], { atol: 1e-6, rtol: 1e-6 }); // squared deviations 222/9 and 24/9, over n − 1 = 2
    expect(std(x, undefined, { correction: 0 })).toBeAllclose(Math.sqrt(variance(x, undefined, { correction: 0 }).item()), { atol: 1e-6, rtol: 1e-6 });
  });
  it("norm with p = 1, 2, ∞ over all elements or dims", () => {
    expect(x.norm(1)).toBeAllclose([5, Math.sqrt(3)], { atol: 1e-6, rtol: 1e-6 });
    expect(norm(x)).toBeAllclose(Math.sqrt(9 + 16 + 3), { atol: 1e-6, rtol: 1e-6 });
    expect(x.norm(undefined, { p: 1 })).toBeAllclose(10, { atol: 1e-6, rtol: 1e-6 });
    expect(x.norm(0, { p: Infinity, keepdim: true })).toBeAllclose([[3, 4, 1]], { atol: 1e-6, rtol: 1e-6 });
    expect(tensor([1, 2], { dtype: "int32" }).norm().dtype).toBe("float32");
  });
  it("the 2-norm's gradient is x/‖x‖, and 0 at an all-zero input (as torch)", () => {
    const z = tensor([[0, 0], [3, 4]], { dtype: "float64", requiresGrad: true });
    z.norm(1).sum().backward();
    expect(z.grad!.toArray()).toEqual([[0, 0], [0.6, 0.8]]);
  });
  it("norm refuses other p", () => {
    expect(() => x.norm(1, { p: 3 as 2 })).toThrow("norm: p must be 1, 2 or Infinity, got 3");
  });
});
