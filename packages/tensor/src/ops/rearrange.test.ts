/**
 * @file flip, repeat, unbind: values against hand-worked examples, strided
 * inputs, that flip copies and unbind views, gradients summed over tiles,
 * and errors.
 */
import { describe, expect, it } from "vitest";
import { arange, flip, repeat, tensor, unbind } from "../index.js";

describe("flip", () => {
  const x = arange(6).reshape([2, 3]);
  it("reverses each given dim", () => {
    expect(x.flip(1).toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(flip(x, [0, 1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(x.flip(-2).toArray()).toEqual([[3, 4, 5], [0, 1, 2]]);
    expect(x.t().flip(0).toArray()).toEqual([[2, 5], [1, 4], [0, 3]]);
  });
  it("returns a contiguous copy, as torch", () => {
    const y = x.flip(0);
    expect(y.isContiguous).toBe(true);
    expect(y.storage).not.toBe(x.storage);
  });
  it("names the op in errors", () => {
    expect(() => x.flip([1, 1])).toThrow("flip: dims [1,1] repeat a dim");
    expect(() => x.flip(2)).toThrow(/^flip: dim 2 is out of range/);
  });
});

describe("repeat", () => {
  const x = tensor([[1, 2], [3, 4]]);
  it("tiles along each dim and adds leading dims", () => {
    expect(x.repeat([1, 2]).toArray()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(repeat(x, [2, 1]).toArray()).toEqual([[1, 2], [3, 4], [1, 2], [3, 4]]);
    expect(tensor([1, 2]).repeat([2, 2]).toArray()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(x.repeat([0, 1]).shape).toEqual([0, 2]);
  });
  it("sums the gradient over the copies", () => {
    const t = tensor([1, 2], { requiresGrad: true });
    t.repeat([3]).backward(tensor([1, 10, 100, 1000, 1e4, 1e5]));
    expect(t.grad!.toArray()).toEqual([10101, 101010]);
  });
  it("refuses fewer repeats than dims", () => {
    expect(() => x.repeat([2])).toThrow("repeat: repeats [2] must be non-negative integers, at least one per dim of [2, 2]");
  });
});

describe("unbind", () => {
  it("gives views without the dim", () => {
    const x = arange(6).reshape([2, 3]);
    const cols = unbind(x, 1);
    expect(cols.map((c) => c.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(cols[0]!.storage).toBe(x.storage);
    expect(x.unbind().map((r) => r.toArray())).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(() => tensor(1).unbind()).toThrow("unbind: cannot be applied to a 0-d tensor (it has no dim 0)");
  });
});
