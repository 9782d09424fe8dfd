/**
 * @file `to(dtype)`: conversion rules between every pair of dtypes, identity
 * when the dtype already matches, non-contiguous and 0-d inputs, NaN and
 * infinities, the unknown-dtype error, and gradients between float dtypes.
 */
import { describe, expect, it } from "vitest";
import { DTYPES, tensor, to, zeros, type DType, type Tensor } from "../index.js";

describe("to", () => {
  it("returns the tensor itself when the dtype already matches", () => {
    for (const dtype of DTYPES) {
      const x = zeros([2], { dtype });
      expect(x.to(dtype)).toBe(x);
    }
  });
  it("float → int32 truncates toward zero", () => {
    const y = tensor([1.7, -1.7, 0.5, -0.5, 3]).to("int32");
    expect(y.dtype).toBe("int32");
    expect(y.toArray()).toEqual([1, -1, 0, 0, 3]);
    expect(tensor([2.9], { dtype: "float64" }).to("int32").item()).toBe(2);
  });
  it("anything → bool is x ≠ 0 (NaN is true)", () => {
    expect(tensor([0, -0, 0.1, -3, NaN, Infinity]).to("bool").toArray()).toEqual([0, 0, 1, 1, 1, 1]);
    expect(tensor([0, 5, -1], { dtype: "int32" }).to("bool").toArray()).toEqual([0, 1, 1]);
    expect(tensor([0, 5]).to("bool").dtype).toBe("bool");
  });
  it("bool → numbers gives 0/1", () => {
    const b = tensor([true, false]);
    for (const dtype of ["int32", "float32", "float64"] as const) {
      const y = b.to(dtype);
      expect(y.dtype).toBe(dtype);
      expect(y.toArray()).toEqual([1, 0]);
    }
  });
  it("int32 → float keeps values; float64 → float32 rounds", () => {
    expect(tensor([-5, 16777217], { dtype: "int32" }).to("float64").toArray()).toEqual([-5, 16777217]);
    expect(tensor([16777217], { dtype: "int32" }).to("float32").item()).toBe(16777216);
    expect(tensor([0.1], { dtype: "float64" }).to("float32").item()).toBe(Math.fround(0.1));
    expect(tensor([0.1]).to("float64").item()).toBe(Math.fround(0.1));
  });
  it("float NaN and ±inf survive float ↔ float casts", () => {
    const y = tensor([NaN, Infinity, -Infinity]).to("float64").toArray() as number[];
    expect(y[0]).toBeNaN();
    expect(y.slice(1)).toEqual([Infinity, -Infinity]);
  });
  it("every pair of dtypes round-trips small integers", () => {
    for (const from of DTYPES) {
      for (const dest of DTYPES) {
        const values = from === "bool" || dest === "bool" ? [0, 1] : [0, 1, -2, 7];
        const x = tensor(values, { dtype: from as DType });
        expect(x.to(dest).toArray(), `${from} → ${dest}`).toEqual(values);
        expect(x.to(dest).dtype).toBe(dest);
      }
    }
  });
  it("non-contiguous input gives a contiguous result in logical order", () => {
    const x = tensor([[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]]).t();
    const y = x.to("int32");
    expect(y.isContiguous).toBe(true);
    expect(y.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(tensor([1, 2]).expand([2, 2]).to("float64").toArray()).toEqual([[1, 2], [1, 2]]);
  });
  it("0-d and 5-D inputs", () => {
    const s = tensor(2.5).to("int32");
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(2);
    const h = zeros([1, 2, 1, 2, 1]).to("bool");
    expect(h.shape).toEqual([1, 2, 1, 2, 1]);
  });
  it("copies: the result does not alias the input", () => {
    const x = tensor([1, 2]);
    const y = to(x, "float64");
    x.data[0] = 9;
    expect(y.toArray()).toEqual([1, 2]);
  });
  it("rejects unknown dtypes naming the op and the choices", () => {
    expect(() => tensor([1]).to("float16" as DType)).toThrow('to: unknown dtype "float16" (expected one of bool, int32, float32, float64)');
    expect(() => to(5 as unknown as Tensor, "float32")).toThrow("to: input must be a Tensor, got number");
  });
  it("is differentiable between float dtypes; the gradient comes back in the input dtype", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.to("float64");
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.name).toBe("to");
    y.mul(tensor([3, 4], { dtype: "float64" })).sum().backward();
    expect(x.grad?.dtype).toBe("float32");
    expect(x.grad?.toArray()).toEqual([3, 4]);
  });
  it("casts to int32 or bool are not recorded", () => {
    const x = tensor([1.5], { requiresGrad: true });
    expect(x.to("int32").requiresGrad).toBe(false);
    expect(x.to("bool").requiresGrad).toBe(false);
  });
});
