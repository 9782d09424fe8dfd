/**
 * @file cumsum: values along each dim, negative dims, strided input, dtypes,
 * the reversed-scan gradient, and errors.
 */
import { describe, expect, it } from "vitest";
import { cumsum, tensor } from "../index.js";

describe("cumsum", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it("runs along the dim", () => {
    expect(x.cumsum(1).toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(cumsum(x, 0).toArray()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(x.cumsum(-1).toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
  });
  it("reads strided views", () => {
    expect(x.t().cumsum(1).toArray()).toEqual([[1, 5], [2, 7], [3, 9]]);
    expect(x.slice(1, 0, 3, 2).cumsum(1).toArray()).toEqual([[1, 4], [4, 10]]);
  });
  it("propagates NaN from where it appears", () => {
    expect(tensor([1, NaN, 2]).cumsum(0).toArray()).toEqual([1, NaN, NaN]);
  });
  it("keeps int32, counts bool in int32, works on 0-d", () => {
    expect(tensor([1, 2], { dtype: "int32" }).cumsum(0).dtype).toBe("int32");
    const b = tensor([true, false, true]).cumsum(0);
    expect([b.dtype, b.toArray()]).toEqual(["int32", [1, 1, 2]]);
    expect(tensor(5).cumsum(0).item()).toBe(5);
  });
  it("backward is the scan of the gradient from the other end", () => {
    const t = tensor([1, 2, 3], { requiresGrad: true });
    t.cumsum(0).backward(tensor([1, 10, 100]));
    expect(t.grad!.toArray()).toEqual([111, 110, 100]);
  });
  it("names the op and the dim in errors", () => {
    expect(() => x.cumsum(2)).toThrow("cumsum: dim 2 is out of range for a tensor of rank 2 (expected -2 to 1)");
  });
});
