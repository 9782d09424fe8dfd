/**
 * @file sort / argsort / topk: values and indices along any dim, stability
 * with ties, NaN placement, strided inputs, gradients scattered back to the
 * picked positions, and errors.
 */
import { describe, expect, it } from "vitest";
import { argsort, sort, tensor, topk } from "../index.js";

describe("sort and argsort", () => {
  const x = tensor([[3, 1, 2], [0, 5, -1]]);
  it("sorts along the last dim by default, or any dim", () => {
    const { values, indices } = x.sort();
    expect(values.toArray()).toEqual([[1, 2, 3], [-1, 0, 5]]);
    expect([indices.dtype, indices.toArray()]).toEqual(["int32", [[1, 2, 0], [2, 0, 1]]]);
    expect(sort(x, 0, { descending: true }).values.toArray()).toEqual([[3, 5, 2], [0, 1, -1]]);
    expect(argsort(x, 0).toArray()).toEqual([[1, 0, 1], [0, 1, 0]]);
    expect(x.t().argsort(1).toArray()).toEqual([[1, 0], [0, 1], [1, 0]]);
  });
  it("is stable: ties keep their order, ascending and descending", () => {
    const t = tensor([2, 1, 2, 1]);
    expect(t.argsort().toArray()).toEqual([1, 3, 0, 2]);
    expect(t.argsort(0, { descending: true }).toArray()).toEqual([0, 2, 1, 3]);
  });
  it("puts NaN last ascending and first descending (NaN is the largest, as torch)", () => {
    const t = tensor([1, NaN, -1]);
    expect(t.argsort().toArray()).toEqual([2, 0, 1]);
    expect(t.argsort(0, { descending: true }).toArray()).toEqual([1, 0, 2]);
  });
  it("routes the gradient to where each value came from", () => {
    const t = tensor([3, 1, 2], { requiresGrad: true });
    t.sort().values.backward(tensor([10, 20, 30]));
    expect(t.grad!.toArray()).toEqual([30, 10, 20]);
  });
  it("refuses bool and names the op", () => {
    expect(() => tensor([true]).argsort()).toThrow('argsort: cannot sort a bool tensor; convert it with .to("int32") first');
    expect(() => x.sort(2)).toThrow(/^argsort: dim 2 is out of range/);
  });
});

describe("topk", () => {
  const x = tensor([[1, 9, 3, 7], [8, 2, 6, 4]]);
  it("gives the k largest in order, or the k smallest", () => {
    const { values, indices } = x.topk(2);
    expect(values.toArray()).toEqual([[9, 7], [8, 6]]);
    expect(indices.toArray()).toEqual([[1, 3], [0, 2]]);
    expect(topk(x, 1, { dim: 0, largest: false }).values.toArray()).toEqual([[1, 2, 3, 4]]);
    expect(x.topk(0).values.shape).toEqual([2, 0]);
  });
  it("gradient reaches only the picked elements", () => {
    const t = tensor([1, 9, 3, 7], { requiresGrad: true });
    t.topk(2).values.sum().backward();
    expect(t.grad!.toArray()).toEqual([0, 1, 0, 1]);
  });
  it("refuses a k larger than the dim", () => {
    expect(() => x.topk(5)).toThrow("topk: k = 5 is out of range for dim -1 of size 4 (shape [2, 4])");
  });
});
