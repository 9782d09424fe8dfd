/**
 * @file isnan / isinf / isfinite and any / all: values with NaN and ±∞,
 * reductions over dims with keepdim, strided inputs, dtypes, bool inputs.
 */
import { describe, expect, it } from "vitest";
import { all, any, isfinite, isinf, isnan, tensor } from "../index.js";

describe("isnan, isinf, isfinite", () => {
  const x = tensor([1, NaN, Infinity, -Infinity, 0]);
  it("test each element", () => {
    expect(isnan(x).toArray()).toEqual([0, 1, 0, 0, 0]);
    expect(x.isinf().toArray()).toEqual([0, 0, 1, 1, 0]);
    expect(isfinite(x).toArray()).toEqual([1, 0, 0, 0, 1]);
    expect(x.isnan().dtype).toBe("bool");
  });
  it("on int32 nothing is NaN or infinite", () => {
    const i = tensor([1, -2], { dtype: "int32" });
    expect([i.isnan().toArray(), isinf(i).toArray(), i.isfinite().toArray()]).toEqual([[0, 0], [0, 0], [1, 1]]);
  });
});

describe("any, all", () => {
  const x = tensor([[0, 1, 0], [0, 0, 0]]);
  it("reduce all elements or over dims", () => {
    expect(any(x).item()).toBe(1);
    expect(all(x).item()).toBe(0);
    expect(x.any(1).toArray()).toEqual([1, 0]);
    expect(x.all(0, { keepdim: true }).toArray()).toEqual([[0, 0, 0]]);
    expect(tensor([[true, true], [true, false]]).all(1).toArray()).toEqual([1, 0]);
    expect(x.t().any(0).toArray()).toEqual([1, 0]);
  });
  it("NaN counts as true, as in torch; an empty all is true", () => {
    expect(tensor([NaN]).all().item()).toBe(1);
    expect(tensor([0, NaN]).any().item()).toBe(1);
    expect(tensor([]).all().item()).toBe(1);
    expect(tensor([]).any().item()).toBe(0);
  });
  it("name the op in errors", () => {
    expect(() => any(null as never)).toThrow("any: input must be a Tensor, got null");
    expect(() => x.all(3)).toThrow("all: dim 3 is out of range for a tensor of rank 2 (expected -2 to 1)");
  });
});
