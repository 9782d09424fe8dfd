/**
 * @file Binary elementwise ops, comparisons and `where`: values, NumPy
 * broadcasting, 0-d and high rank, non-contiguous operands, NaN, the dtype
 * promotion rules (tensor–tensor and tensor–scalar) and error messages.
 */
import { describe, expect, it } from "vitest";
import { add, div, eq, ge, gt, le, lt, maximum, minimum, mul, ne, pow, sub, tensor, where, zeros, type NestedNumbers, type Tensor } from "../index.js";

const flat = (x: NestedNumbers): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const f64 = (v: NestedNumbers[] | number) => tensor(v as number[], { dtype: "float64" });
const i32 = (v: NestedNumbers[] | number) => tensor(v as number[], { dtype: "int32" });

describe("binary ops: values", () => {
  const a = f64([1, -2, 3.5, 4]);
  const b = f64([2, 5, -0.5, 4]);
  it("add, sub, mul, div", () => {
    expect(a.add(b).toArray()).toEqual([3, 3, 3, 8]);
    expect(a.sub(b).toArray()).toEqual([-1, -7, 4, 0]);
    expect(a.mul(b).toArray()).toEqual([2, -10, -1.75, 16]);
    expect(a.div(b).toArray()).toEqual([0.5, -0.4, -7, 1]);
  });
  it("pow", () => {
    expect(f64([2, 3, 4, 9]).pow(f64([3, 0, 0.5, -0.5])).toArray()).toEqual([8, 1, 2, 1 / 3]);
    expect(f64([-2, 2]).pow(2).toArray()).toEqual([4, 4]);
    expect(f64([-8]).pow(1 / 3).item()).toBeNaN(); // negative base, fractional exponent
  });
  it("maximum and minimum", () => {
    expect(a.maximum(b).toArray()).toEqual([2, 5, 3.5, 4]);
    expect(a.minimum(b).toArray()).toEqual([1, -2, -0.5, 4]);
  });
  it("comparisons give bool", () => {
    const x = f64([1, 2, 3]);
    const y = f64([2, 2, 2]);
    expect(x.eq(y).toArray()).toEqual([0, 1, 0]);
    expect(x.ne(y).toArray()).toEqual([1, 0, 1]);
    expect(x.lt(y).toArray()).toEqual([1, 0, 0]);
    expect(x.le(y).toArray()).toEqual([1, 1, 0]);
    expect(x.gt(y).toArray()).toEqual([0, 0, 1]);
    expect(x.ge(y).toArray()).toEqual([0, 1, 1]);
    for (const t of [x.eq(y), x.ne(y), x.lt(y), x.le(y), x.gt(y), x.ge(y)]) expect(t.dtype).toBe("bool");
  });
  it("functional forms match the fluent methods", () => {
    expect(add(a, b).toArray()).toEqual(a.add(b).toArray());
    expect(sub(a, b).toArray()).toEqual(a.sub(b).toArray());
    expect(mul(a, b).toArray()).toEqual(a.mul(b).toArray());
    expect(div(a, b).toArray()).toEqual(a.div(b).toArray());
    expect(pow(a, 2).toArray()).toEqual(a.pow(2).toArray());
    expect(maximum(a, 0).toArray()).toEqual([1, 0, 3.5, 4]);
    expect(minimum(a, 0).toArray()).toEqual([0, -2, 0, 0]);
    expect(eq(a, 4).toArray()).toEqual([0, 0, 0, 1]);
    expect(ne(a, 4).toArray()).toEqual([1, 1, 1, 0]);
    expect(lt(a, 0).toArray()).toEqual([0, 1, 0, 0]);
    expect(le(a, 1).toArray()).toEqual([1, 1, 0, 0]);
    expect(gt(a, 1).toArray()).toEqual([0, 0, 1, 1]);
    expect(ge(a, 1).toArray()).toEqual([1, 0, 1, 1]);
  });
  it("division by zero follows IEEE", () => {
    const y = tensor([1, -1, 0]).div(0).toArray() as number[];
    expect(y[0]).toBe(Infinity);
    expect(y[1]).toBe(-Infinity);
    expect(y[2]).toBeNaN();
  });
  it("does not modify its inputs", () => {
    const x = tensor([1, 2]);
    const y = tensor([3, 4]);
    x.add(y);
    x.mul(y);
    expect(x.toArray()).toEqual([1, 2]);
    expect(y.toArray()).toEqual([3, 4]);
  });
});

describe("binary ops: broadcasting", () => {
  it("[2, 1] with [3] gives [2, 3]", () => {
    const y = tensor([[10], [20]]).add(tensor([1, 2, 3]));
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([[11, 12, 13], [21, 22, 23]]);
  });
  it("[4, 1, 3] with [2, 1] gives [4, 2, 3]", () => {
    const a = tensor(Array.from({ length: 12 }, (_, i) => i)).reshape([4, 1, 3]);
    const b = tensor([[100], [200]]);
    const y = a.add(b);
    expect(y.shape).toEqual([4, 2, 3]);
    const arr = y.toArray() as number[][][];
    expect(arr[2]![1]).toEqual([206, 207, 208]);
    expect(arr[3]![0]).toEqual([109, 110, 111]);
  });
  it("0-d with 0-d gives 0-d; 0-d with [3] gives [3]", () => {
    const s = tensor(2).mul(tensor(3));
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(6);
    expect(tensor(2).mul(tensor([1, 2, 3])).toArray()).toEqual([2, 4, 6]);
    expect(tensor([1, 2, 3]).sub(tensor(1)).toArray()).toEqual([0, 1, 2]);
  });
  it("5-D broadcast against lower ranks", () => {
    const a = tensor(Array.from({ length: 2 * 3 * 2 }, (_, i) => i)).reshape([2, 1, 3, 1, 2]);
    const b = tensor([1, -1]).reshape([2, 1, 1, 1]); // aligns as [1, 2, 1, 1, 1]
    const y = a.mul(b);
    expect(y.shape).toEqual([2, 2, 3, 1, 2]);
    const got = flat(y.toArray());
    // reference by explicit index arithmetic
    const ref: number[] = [];
    for (let i0 = 0; i0 < 2; i0++)
      for (let i1 = 0; i1 < 2; i1++)
        for (let i2 = 0; i2 < 3; i2++)
          for (let i4 = 0; i4 < 2; i4++) ref.push((i0 * 6 + i2 * 2 + i4) * (i1 === 0 ? 1 : -1));
    expect(got).toEqual(ref);
  });
  it("empty dims broadcast with 1 and stay empty", () => {
    const y = zeros([0, 3]).add(tensor([1, 2, 3]));
    expect(y.shape).toEqual([0, 3]);
    expect(zeros([2, 0]).add(zeros([2, 1])).shape).toEqual([2, 0]);
  });
  it("incompatible shapes name the op, both shapes and the dim", () => {
    expect(() => tensor([[1, 2, 3], [4, 5, 6]]).add(tensor([1, 2, 3, 4]))).toThrow(
      "add: shapes [2, 3] and [4] cannot be broadcast together (dim -1: 3 vs 4)",
    );
    expect(() => zeros([2, 3]).mul(zeros([3, 3]))).toThrow("mul: shapes [2, 3] and [3, 3] cannot be broadcast together (dim -2: 2 vs 3)");
    expect(() => zeros([2]).lt(zeros([3]))).toThrow("lt: shapes [2] and [3] cannot be broadcast together");
    expect(() => zeros([0]).add(zeros([2]))).toThrow("add: shapes [0] and [2]");
  });
});

describe("binary ops: non-contiguous operands", () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  it("transposed + contiguous", () => {
    const y = m.t().add(tensor([[10, 20], [30, 40], [50, 60]]));
    expect(y.toArray()).toEqual([[11, 24], [32, 45], [53, 66]]);
  });
  it("transposed with itself (both non-contiguous)", () => {
    const t = m.t();
    expect(t.mul(t).toArray()).toEqual([[1, 16], [4, 25], [9, 36]]);
  });
  it("sliced with a step and an offset", () => {
    const x = tensor([0, 1, 2, 3, 4, 5, 6, 7]).slice(0, 1, 8, 3); // [1, 4, 7]
    expect(x.sub(tensor([1, 1, 1])).toArray()).toEqual([0, 3, 6]);
    expect(m.select(1, 2).add(m.select(0, 1).slice(0, 0, 2)).toArray()).toEqual([7, 11]); // [3, 6] + [4, 5]
  });
  it("expanded (stride 0) operands", () => {
    const e = tensor([[1], [2]]).expand([2, 3]);
    expect(e.mul(m).toArray()).toEqual([[1, 2, 3], [8, 10, 12]]);
  });
  it("permuted 3-D", () => {
    const x = tensor(Array.from({ length: 24 }, (_, i) => i)).reshape([2, 3, 4]);
    const p = x.permute([2, 0, 1]); // [4, 2, 3]
    const y = p.add(0);
    expect(y.shape).toEqual([4, 2, 3]);
    expect((y.toArray() as number[][][])[3]![1]).toEqual([15, 19, 23]);
  });
});

describe("binary ops: NaN", () => {
  const n = tensor([NaN, 1]);
  const one = tensor([1, NaN]);
  it("arithmetic propagates NaN", () => {
    for (const y of [n.add(1), n.sub(1), n.mul(2), n.div(2), n.pow(2)]) expect((y.toArray() as number[])[0]).toBeNaN();
  });
  it("maximum/minimum propagate NaN from either side", () => {
    for (const y of [n.maximum(one), n.minimum(one), one.maximum(n), one.minimum(n)]) {
      const arr = y.toArray() as number[];
      expect(arr[0]).toBeNaN();
      expect(arr[1]).toBeNaN();
    }
  });
  it("comparisons with NaN: only ne is true", () => {
    const x = tensor([NaN]);
    expect(x.eq(x).item()).toBe(0);
    expect(x.ne(x).item()).toBe(1);
    expect(x.lt(1).item()).toBe(0);
    expect(x.ge(1).item()).toBe(0);
  });
});

describe("binary ops: dtype promotion", () => {
  const b = tensor([true, false]);
  const i = i32([3, 7]);
  const f = tensor([1.5, 2]);
  const d = f64([1, 2]);

  it("tensor–tensor follows bool < int32 < float32 < float64", () => {
    expect(i.add(i).dtype).toBe("int32");
    expect(i.add(f).dtype).toBe("float32");
    expect(f.add(i).dtype).toBe("float32");
    expect(f.add(d).dtype).toBe("float64");
    expect(i.mul(d).dtype).toBe("float64");
    expect(b.add(i).dtype).toBe("int32");
    expect(b.add(f).dtype).toBe("float32");
  });
  it("bool arithmetic counts in int32", () => {
    const y = b.add(b);
    expect(y.dtype).toBe("int32");
    expect(y.toArray()).toEqual([2, 0]);
    expect(b.mul(b).dtype).toBe("int32");
    expect(b.sub(b).dtype).toBe("int32");
  });
  it("int32 arithmetic stays integral", () => {
    expect(i.add(i).toArray()).toEqual([6, 14]);
    expect(i.mul(i).toArray()).toEqual([9, 49]);
    expect(i.pow(i32([2, 2])).toArray()).toEqual([9, 49]);
    expect(i.maximum(i32([5, 5])).toArray()).toEqual([5, 7]);
  });
  it("div is true division: int32 → float32, float64 stays", () => {
    const y = i.div(i32([2, 2]));
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([1.5, 3.5]);
    expect(b.div(i32([2, 2])).dtype).toBe("float32");
    expect(d.div(d).dtype).toBe("float64");
    expect(i.div(d).dtype).toBe("float64");
  });
  it("comparisons of mixed dtypes give bool", () => {
    expect(i.lt(f).dtype).toBe("bool");
    expect(i.lt(f).toArray()).toEqual([0, 0]);
    expect(b.eq(i32([1, 0])).toArray()).toEqual([1, 1]);
  });

  it("plain numbers take the tensor's float dtype", () => {
    expect(f.add(1).dtype).toBe("float32");
    expect(f.add(0.5).toArray()).toEqual([2, 2.5]);
    expect(d.mul(0.1).dtype).toBe("float64");
    expect(d.mul(0.1).toArray()).toEqual([0.1, 0.2]); // the scalar is not rounded to float32
  });
  it("integer numbers keep int32; fractional numbers lift int32 to float32", () => {
    expect(i.add(2).dtype).toBe("int32");
    expect(i.add(2).toArray()).toEqual([5, 9]);
    const y = i.add(2.5);
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([5.5, 9.5]);
    expect(i.mul(0.5).toArray()).toEqual([1.5, 3.5]);
  });
  it("numbers next to bool: integers give int32, fractions float32", () => {
    expect(b.add(1).dtype).toBe("int32");
    expect(b.add(1).toArray()).toEqual([2, 1]);
    expect(b.mul(0.5).dtype).toBe("float32");
  });
  it("booleans as scalars", () => {
    expect(i.mul(true).dtype).toBe("int32");
    expect(i.mul(true).toArray()).toEqual([3, 7]);
    expect(f.add(true).toArray()).toEqual([2.5, 3]);
    expect(b.eq(true).toArray()).toEqual([1, 0]);
  });
  it("scalar comparisons give bool", () => {
    expect(f.gt(1.7).toArray()).toEqual([0, 1]);
    expect(f.gt(1.7).dtype).toBe("bool");
  });
});

describe("binary ops: errors", () => {
  it("the first argument must be a tensor", () => {
    expect(() => add(3 as unknown as Tensor, tensor([1]))).toThrow("add: the first argument must be a Tensor");
  });
  it("the second argument must be a tensor or a number", () => {
    expect(() => tensor([1]).add("2" as unknown as number)).toThrow("add: expected a Tensor or a number, got string");
    expect(() => tensor([1]).mul(undefined as unknown as number)).toThrow("mul: expected a Tensor or a number, got undefined");
  });
});

describe("where", () => {
  const c = tensor([true, false, true]);
  it("picks elementwise", () => {
    expect(where(c, tensor([1, 2, 3]), tensor([10, 20, 30])).toArray()).toEqual([1, 20, 3]);
  });
  it("broadcasts condition and both branches", () => {
    const cond = tensor([[true], [false]]); // [2, 1]
    const y = where(cond, tensor([1, 2, 3]), tensor(0));
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([[1, 2, 3], [0, 0, 0]]);
  });
  it("accepts scalars for either branch", () => {
    expect(where(c, 1, tensor([7, 8, 9])).toArray()).toEqual([1, 8, 1]);
    expect(where(c, tensor([7, 8, 9]), -1).toArray()).toEqual([7, -1, 9]);
    const y = where(c, 1, 0);
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([1, 0, 1]);
  });
  it("promotes the branches' dtypes", () => {
    expect(where(c, i32([1, 2, 3]), 0).dtype).toBe("int32");
    expect(where(c, i32([1, 2, 3]), 0.5).dtype).toBe("float32");
    expect(where(c, i32([1, 2, 3]), f64([0, 0, 0])).dtype).toBe("float64");
    expect(where(c, tensor([true, true, true]), false).dtype).toBe("bool");
  });
  it("non-contiguous condition and branches", () => {
    const cond = tensor([[true, false], [false, true], [true, true]]).t(); // [2, 3]
    const a = tensor([[1, 2], [3, 4], [5, 6]]).t();
    expect(where(cond, a, 0).toArray()).toEqual([[1, 0, 5], [0, 4, 6]]);
  });
  it("NaN in the unpicked branch does not leak", () => {
    expect(where(c, tensor([1, 2, 3]), NaN).toArray()).toEqual([1, NaN, 3]);
  });
  it("requires a bool condition and compatible shapes", () => {
    expect(() => where(tensor([1, 0]), 1, 0)).toThrow("where: condition must be bool, got float32");
    expect(() => where(c, tensor([1, 2]), 0)).toThrow("where: shapes [3] and [2] and [] cannot be broadcast together");
    expect(() => where(null as unknown as Tensor, 1, 0)).toThrow("where: condition must be a Tensor, got null");
  });
  it("routes gradients to the picked branch, summed over broadcasts", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([5], { requiresGrad: true });
    where(c, a, b).sum().backward();
    expect(a.grad?.toArray()).toEqual([1, 0, 1]);
    expect(b.grad?.toArray()).toEqual([1]);
  });
});

describe("binary ops: autograd", () => {
  it("sums broadcast gradients back to each input's shape", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([1, 10, 100], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad?.toArray()).toEqual([[1, 10, 100], [1, 10, 100]]);
    expect(b.grad?.toArray()).toEqual([5, 7, 9]);
  });
  it("an input used twice accumulates (x·x → 2x)", () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    x.mul(x).backward(tensor([1, 1, 0.5]));
    expect(x.grad?.toArray()).toEqual([2, -4, 3]);
  });
  it("div gradient with an upstream gradient other than ones", () => {
    const a = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const b = tensor([4, 8], { dtype: "float64", requiresGrad: true });
    a.div(b).backward(f64([2, 3]));
    expect(a.grad?.toArray()).toEqual([0.5, 0.375]); // g / b
    expect(b.grad?.toArray()).toEqual([-2 / 16, (-3 * 2) / 64]); // -g·a / b²
  });
  it("comparisons are not recorded", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.gt(1).requiresGrad).toBe(false);
  });
});
