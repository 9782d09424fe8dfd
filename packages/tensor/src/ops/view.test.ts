/**
 * @file Views: each op's shape, strides and offset; that views copy nothing
 * (writes through the base show in the view and `.storage` is shared);
 * when `reshape` must copy; errors; and gradients mapped back through views.
 */
import { describe, expect, it } from "vitest";
import {
  contiguous, expand, flatten, narrow, permute, reshape, select, slice, squeeze, tensor, transpose, unsqueeze, view, zeros,
  type NestedNumbers, type Tensor,
} from "../index.js";

const iota = (shape: number[]) => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i)).reshape(shape);
const flat = (x: NestedNumbers): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** Asserts `v` shares `base`'s storage and that a write through `base.data` shows up in `v`. */
function expectAliases(v: Tensor, base: Tensor): void {
  expect(v.storage).toBe(base.storage);
  const before = flat(v.toArray());
  base.data.fill(-7);
  const after = flat(v.toArray());
  expect(after.every((x) => x === -7)).toBe(true);
  expect(after.length).toBe(before.length);
}

describe("reshape / view", () => {
  it("reshape keeps row-major order and infers one -1", () => {
    const x = iota([2, 3]);
    expect(x.reshape([3, 2]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(x.reshape([-1]).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(x.reshape([1, -1, 2]).shape).toEqual([1, 3, 2]);
    expect(reshape(x, [6, 1]).strides).toEqual([1, 1]);
    expect(x.reshape([3, 2]).strides).toEqual([2, 1]);
  });
  it("reshape to the same shape returns the tensor itself", () => {
    const x = iota([2, 3]);
    expect(x.reshape([2, 3])).toBe(x);
    expect(x.reshape([2, -1])).toBe(x);
  });
  it("reshape of a contiguous tensor is a view (no copy)", () => {
    const x = iota([2, 3]);
    const v = x.reshape([6]);
    expectAliases(v, x);
  });
  it("reshape keeps the base offset of a contiguous slice", () => {
    const x = iota([4, 3]);
    const rows = x.slice(0, 1, 3); // rows 1, 2: contiguous with offset 3
    expect(rows.isContiguous).toBe(true);
    expect(rows.offset).toBe(3);
    const r = rows.reshape([6]);
    expect(r.storage).toBe(x.storage);
    expect(r.offset).toBe(3);
    expect(r.toArray()).toEqual([3, 4, 5, 6, 7, 8]);
  });
  it("reshape of a non-contiguous tensor copies with the right values", () => {
    const x = iota([2, 3]);
    const r = x.t().reshape([6]);
    expect(r.storage).not.toBe(x.storage);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it("view shares storage and sees writes to the base", () => {
    const x = iota([2, 3]);
    const v = view(x, [3, 2]);
    expect(v.storage).toBe(x.storage);
    x.data[5] = 100;
    expect((v.toArray() as number[][])[2]![1]).toBe(100);
    expectAliases(x.view([-1]), x);
  });
  it("view of a non-contiguous tensor throws", () => {
    expect(() => iota([2, 3]).t().view([6])).toThrow(
      "view: tensor of shape [3, 2] is not contiguous; use reshape() (which copies) or contiguous() first",
    );
    expect(() => iota([4]).slice(0, 0, 4, 2).view([2])).toThrow("view: tensor of shape [2] is not contiguous");
  });
  it("0-d and empty shapes", () => {
    expect(tensor(5).reshape([1, 1]).toArray()).toEqual([[5]]);
    expect(tensor([5]).reshape([]).shape).toEqual([]);
    expect(tensor([5]).reshape([]).item()).toBe(5);
    expect(zeros([0, 3]).reshape([3, 0]).shape).toEqual([3, 0]);
    expect(zeros([0, 3]).reshape([-1]).shape).toEqual([0]);
  });
  it("bad targets name the op and both shapes", () => {
    expect(() => iota([2, 3]).reshape([4, 2])).toThrow("reshape: cannot reshape [2, 3] (6 elements) into [4, 2]");
    expect(() => iota([2, 3]).reshape([-1, 4])).toThrow("reshape: cannot reshape [2, 3] (6 elements) into [-1, 4]");
    expect(() => iota([2, 3]).reshape([-1, -1])).toThrow("reshape: invalid target shape [-1, -1]");
    expect(() => iota([2, 3]).reshape([-2, -3])).toThrow("reshape: invalid target shape [-2, -3]");
    expect(() => reshape(null as unknown as Tensor, [1])).toThrow("reshape: input must be a Tensor, got null");
  });
  it("view's shape errors name view, not reshape", () => {
    expect(() => iota([2, 3]).view([7])).toThrow("view: cannot reshape [2, 3] (6 elements) into [7]");
  });
});

describe("flatten", () => {
  const x = iota([2, 3, 4]);
  it("merges all or a range of dims", () => {
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 12]);
    expect(x.flatten(1, 1)).toBe(x);
    expect(x.flatten(1).storage).toBe(x.storage);
  });
  it("0-d flattens to [1]", () => {
    expect(tensor(3).flatten().shape).toEqual([1]);
  });
  it("non-contiguous input is copied in logical order", () => {
    expect(iota([2, 3]).t().flatten().toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it("errors", () => {
    expect(() => x.flatten(2, 1)).toThrow("flatten: start dim 2 comes after end dim 1");
    expect(() => x.flatten(3)).toThrow("flatten: dim 3 is out of range for a tensor of rank 3 (expected -3 to 2)");
  });
});

describe("permute / transpose / t", () => {
  it("permute reorders shape and strides without copying", () => {
    const x = iota([2, 3, 4]);
    const p = permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.strides).toEqual([1, 12, 4]);
    expect(p.offset).toBe(0);
    expect(p.storage).toBe(x.storage);
    expect(p.isContiguous).toBe(false);
    expect((p.toArray() as number[][][])[1]![1]).toEqual([13, 17, 21]);
    expect(x.permute([-1, 0, 1]).shape).toEqual([4, 2, 3]);
  });
  it("permute errors", () => {
    const x = iota([2, 3]);
    expect(() => x.permute([0, 0])).toThrow("permute: dims [0,0] are not a permutation of the 2 dims of [2, 3]");
    expect(() => x.permute([0])).toThrow("permute: dims [0] are not a permutation of the 2 dims of [2, 3]");
    expect(() => x.permute([0, 2])).toThrow("permute: dim 2 is out of range for a tensor of rank 2");
  });
  it("transpose swaps two dims; negative dims allowed", () => {
    const x = iota([2, 3, 4]);
    const t = transpose(x, 0, -1);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(t.strides).toEqual([1, 4, 12]);
    expect((t.toArray() as number[][][])[3]![2]).toEqual([11, 23]);
    expect(x.transpose(1, 1).shape).toEqual([2, 3, 4]);
  });
  it("t() transposes 2-D, returns 0-d/1-D unchanged, rejects 3-D", () => {
    const m = iota([2, 3]);
    expect(m.t().shape).toEqual([3, 2]);
    expect(m.t().strides).toEqual([1, 3]);
    expect(m.t().t().isContiguous).toBe(true);
    const v = iota([3]);
    expect(v.t()).toBe(v);
    expect(() => iota([1, 2, 3]).t()).toThrow("t: expects a tensor with at most 2 dims, got [1, 2, 3]; use transpose()");
  });
  it("a write through the base shows in the transpose", () => {
    const m = iota([2, 3]);
    const t = m.t();
    m.data[1] = 50; // m[0][1] = t[1][0]
    expect((t.toArray() as number[][])[1]![0]).toBe(50);
  });
});

describe("expand", () => {
  it("broadcasts size-1 dims with stride 0", () => {
    const x = tensor([[1], [2]]);
    const e = expand(x, [2, 3]);
    expect(e.shape).toEqual([2, 3]);
    expect(e.strides).toEqual([1, 0]);
    expect(e.storage).toBe(x.storage);
    expect(e.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });
  it("adds leading dims and keeps -1", () => {
    const x = tensor([1, 2, 3]);
    const e = x.expand([4, 2, -1]);
    expect(e.shape).toEqual([4, 2, 3]);
    expect(e.strides).toEqual([0, 0, 1]);
    expect(tensor(5).expand([2, 2]).toArray()).toEqual([[5, 5], [5, 5]]);
    expect(x.expandAs(zeros([2, 3])).shape).toEqual([2, 3]);
  });
  it("shows writes to the base", () => {
    const x = tensor([[1], [2]]);
    const e = x.expand([2, 4]);
    x.data[1] = 9;
    expect(e.toArray()).toEqual([[1, 1, 1, 1], [9, 9, 9, 9]]);
  });
  it("size-1 to 0 is allowed", () => {
    expect(tensor([[1], [2]]).expand([2, 0]).shape).toEqual([2, 0]);
  });
  it("errors name both shapes", () => {
    expect(() => iota([2, 3]).expand([4, 3])).toThrow("expand: cannot expand [2, 3] to [4, 3]");
    expect(() => iota([2, 3]).expand([3])).toThrow("expand: cannot expand [2, 3] to [3]");
    expect(() => iota([3]).expand([-1, 3])).toThrow("expand: cannot expand [3] to [-1, 3]");
  });
  it("gradient sums over the expanded dims", () => {
    const x = tensor([[1], [2]], { requiresGrad: true });
    x.expand([2, 3]).backward(tensor([[1, 2, 3], [4, 5, 6]]));
    expect(x.grad?.toArray()).toEqual([[6], [15]]);
  });
});

describe("slice / narrow / select", () => {
  it("slice sets offset and strides", () => {
    const x = iota([4, 5]);
    const s = slice(x, 1, 1, 4);
    expect(s.shape).toEqual([4, 3]);
    expect(s.strides).toEqual([5, 1]);
    expect(s.offset).toBe(1);
    expect(s.storage).toBe(x.storage);
    expect((s.toArray() as number[][])[2]).toEqual([11, 12, 13]);
  });
  it("slice with a step", () => {
    const x = iota([10]);
    const s = x.slice(0, 1, 8, 3);
    expect(s.shape).toEqual([3]);
    expect(s.strides).toEqual([3]);
    expect(s.offset).toBe(1);
    expect(s.toArray()).toEqual([1, 4, 7]);
    expect(x.slice(0, 0, 10, 4).toArray()).toEqual([0, 4, 8]);
  });
  it("slice takes Python-style negative and out-of-range bounds", () => {
    const x = iota([5]);
    expect(x.slice(0, -2).toArray()).toEqual([3, 4]);
    expect(x.slice(0, 1, -1).toArray()).toEqual([1, 2, 3]);
    expect(x.slice(0, -100, 100).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(x.slice(0, 4, 2).shape).toEqual([0]);
    expect(x.slice(0).toArray()).toEqual([0, 1, 2, 3, 4]);
  });
  it("slice of a slice of a transpose composes offsets and strides", () => {
    const x = iota([4, 6]);
    const v = x.t().slice(0, 1, 5, 2).slice(1, 1, 3); // rows 1, 3 of xᵀ, cols 1..2
    expect(v.shape).toEqual([2, 2]);
    expect(v.toArray()).toEqual([[7, 13], [9, 15]]);
    expect(v.offset).toBe(1 + 6);
    expect(v.strides).toEqual([2, 6]);
  });
  it("a write through the base shows in the slice", () => {
    const x = iota([3, 4]);
    const s = x.slice(0, 1, 2);
    x.data[5] = -1;
    expect(s.toArray()).toEqual([[4, -1, 6, 7]]);
  });
  it("slice rejects a non-positive step", () => {
    expect(() => iota([4]).slice(0, 0, 4, 0)).toThrow("slice: step must be a positive integer, got 0");
    expect(() => iota([4]).slice(0, 0, 4, -1)).toThrow("slice: step must be a positive integer, got -1");
    expect(() => iota([4]).slice(1)).toThrow("slice: dim 1 is out of range for a tensor of rank 1");
  });
  it("narrow", () => {
    const x = iota([3, 4]);
    expect(narrow(x, 1, 1, 2).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(x.narrow(0, -1, 1).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(x.narrow(0, 3, 0).shape).toEqual([0, 4]);
    expect(() => x.narrow(1, 3, 2)).toThrow("narrow: start 3 and length 2 do not fit in dim 1 of size 4 (shape [3, 4])");
    expect(() => x.narrow(0, 0, -1)).toThrow("narrow: start 0 and length -1 do not fit in dim 0 of size 3");
  });
  it("select removes the dim", () => {
    const x = iota([2, 3, 4]);
    const s = select(x, 1, 2);
    expect(s.shape).toEqual([2, 4]);
    expect(s.strides).toEqual([12, 1]);
    expect(s.offset).toBe(8);
    expect(s.toArray()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
    expect(x.select(-1, -1).toArray()).toEqual([[3, 7, 11], [15, 19, 23]]);
    expect(iota([3]).select(0, 1).shape).toEqual([]);
    expect(iota([3]).select(0, 1).item()).toBe(1);
  });
  it("select errors", () => {
    expect(() => iota([3, 4]).select(0, 3)).toThrow("select: index 3 is out of range for dim 0 of size 3 (shape [3, 4])");
    expect(() => iota([3, 4]).select(1, -5)).toThrow("select: index -5 is out of range for dim 1 of size 4 (shape [3, 4])");
  });
  it("0-d input: no dim to slice, narrow or select (clear error naming the op, as torch)", () => {
    expect(() => tensor(5).slice(0, 0, 1)).toThrow(/^slice: /);
    expect(() => tensor(5).narrow(0, 0, 1)).toThrow(/^narrow: /);
    expect(() => tensor(5).select(0, 0)).toThrow(/^select: /);
  });
  it("gradients land in the viewed positions", () => {
    const x = iota([4, 3]).requiresGrad_();
    x.slice(0, 1, 4, 2).sum().backward();
    expect(x.grad?.toArray()).toEqual([[0, 0, 0], [1, 1, 1], [0, 0, 0], [1, 1, 1]]);
    const y = iota([2, 3]).requiresGrad_();
    y.select(1, 2).backward(tensor([5, 7]));
    expect(y.grad?.toArray()).toEqual([[0, 0, 5], [0, 0, 7]]);
  });
  it("gradient through a slice of a transpose", () => {
    const x = iota([2, 3]).requiresGrad_();
    x.t().slice(0, 1).backward(tensor([[1, 2], [3, 4]])); // rows 1, 2 of xᵀ = cols 1, 2 of x
    expect(x.grad?.toArray()).toEqual([[0, 1, 3], [0, 2, 4]]);
  });
});

describe("unsqueeze / squeeze", () => {
  it("unsqueeze inserts a size-1 dim anywhere", () => {
    const x = iota([2, 3]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(1).shape).toEqual([2, 1, 3]);
    expect(x.unsqueeze(2).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-3).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(1).storage).toBe(x.storage);
    expect(x.unsqueeze(1).isContiguous).toBe(true);
    expect(tensor(4).unsqueeze(0).toArray()).toEqual([4]);
    expect(() => x.unsqueeze(3)).toThrow("unsqueeze: dim 3 is out of range for a tensor of rank 3 (expected -3 to 2)");
  });
  it("unsqueeze of a non-contiguous tensor keeps the element order", () => {
    const t = iota([2, 3]).t();
    expect(t.unsqueeze(1).toArray()).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
    expect(t.unsqueeze(0).toArray()).toEqual([[[0, 3], [1, 4], [2, 5]]]);
  });
  it("squeeze drops all or chosen size-1 dims", () => {
    const x = zeros([1, 2, 1, 3]);
    expect(squeeze(x).shape).toEqual([2, 3]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3]);
    expect(x.squeeze(-2).shape).toEqual([1, 2, 3]);
    expect(x.squeeze([0, 2]).shape).toEqual([2, 3]);
    expect(x.squeeze(1)).toBe(x); // not size 1: unchanged
    expect(x.squeeze().storage).toBe(x.storage);
    expect(zeros([1]).squeeze().shape).toEqual([]);
    expect(() => x.squeeze(4)).toThrow("squeeze: dim 4 is out of range for a tensor of rank 4");
  });
});

describe("contiguous and isContiguous", () => {
  it("returns the same object when already contiguous", () => {
    const x = iota([2, 3]);
    expect(contiguous(x)).toBe(x);
    expect(x.contiguous()).toBe(x);
    const rows = x.slice(0, 1);
    expect(rows.contiguous()).toBe(rows);
  });
  it("copies a non-contiguous view into fresh row-major storage", () => {
    const x = iota([2, 3]);
    const c = x.t().contiguous();
    expect(c.storage).not.toBe(x.storage);
    expect(c.isContiguous).toBe(true);
    expect(c.strides).toEqual([2, 1]);
    expect(c.offset).toBe(0);
    expect(Array.from(c.data)).toEqual([0, 3, 1, 4, 2, 5]);
    x.data[0] = 99;
    expect(c.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });
  it("size-1 and empty dims do not break contiguity", () => {
    expect(iota([3, 1]).expand([3, 1]).isContiguous).toBe(true);
    expect(iota([3]).unsqueeze(0).isContiguous).toBe(true);
    expect(zeros([0, 3]).t().isContiguous).toBe(true);
    expect(tensor([1]).expand([4]).isContiguous).toBe(false);
  });
  it("data of a non-contiguous view throws; data of a contiguous slice is a window", () => {
    expect(() => iota([2, 3]).t().data).toThrow("data: tensor of shape [3, 2] is a non-contiguous view; call contiguous() first");
    const x = iota([3, 2]);
    const d = x.slice(0, 1, 3).data;
    expect(Array.from(d)).toEqual([2, 3, 4, 5]);
    d[0] = 42;
    expect((x.toArray() as number[][])[1]![0]).toBe(42);
  });
  it("gradient passes through contiguous()", () => {
    const x = iota([2, 2]).requiresGrad_();
    x.t().contiguous().backward(tensor([[1, 2], [3, 4]]));
    expect(x.grad?.toArray()).toEqual([[1, 3], [2, 4]]);
  });
});

describe("views of high-rank tensors", () => {
  it("5-D permute + slice + select + reshape agree with index arithmetic", () => {
    const shape = [2, 3, 2, 2, 3];
    const x = iota(shape);
    const y = x.permute([4, 2, 0, 3, 1]).slice(0, 1).select(3, 1).reshape([-1]);
    // y runs over (e ∈ 1..2, c, a, b) of x[a, b, c, 1, e]
    const ref: number[] = [];
    for (let e = 1; e < 3; e++)
      for (let c = 0; c < 2; c++)
        for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) ref.push(a * 36 + b * 12 + c * 6 + 1 * 3 + e);
    expect(y.toArray()).toEqual(ref);
  });
});
