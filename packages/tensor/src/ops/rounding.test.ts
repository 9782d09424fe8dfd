/**
 * @file round / floor / ceil / sign (rows of the unary table): values at the
 * edges (halves round to even, ±0, NaN, ±∞), dtypes kept, the zero gradient.
 */
import { describe, expect, it } from "vitest";
import { ceil, floor, round, sign, tensor } from "../index.js";

describe("round, floor, ceil, sign", () => {
  const x = tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -2.6, 0], { dtype: "float64" });
  it("round sends halves to the even neighbour, as torch", () => {
    expect(round(x).toArray()).toEqual([-2, -2, -0, 0, 2, 2, 3, -3, 0]);
  });
  it("floor and ceil", () => {
    expect(x.floor().toArray()).toEqual([-3, -2, -1, 0, 1, 2, 2, -3, 0]);
    expect(ceil(x).toArray()).toEqual([-2, -1, -0, 1, 2, 3, 3, -2, 0]);
  });
  it("sign is -1, 0 or 1, and NaN stays NaN", () => {
    expect(sign(tensor([-3, 0, 4, -Infinity])).toArray()).toEqual([-1, 0, 1, -1]);
    expect(tensor([NaN]).sign().item()).toBeNaN();
    expect(floor(tensor([NaN, Infinity])).toArray()).toEqual([NaN, Infinity]);
  });
  it("keep the dtype (int32 stays int32; bool counts as int32)", () => {
    expect(floor(tensor([1, -2], { dtype: "int32" })).dtype).toBe("int32");
    expect(round(tensor([1.5], { dtype: "float32" })).dtype).toBe("float32");
    expect(sign(tensor([true, false])).toArray()).toEqual([1, 0]);
  });
  it("have a zero gradient (torch's convention)", () => {
    const t = tensor([0.3, 1.7], { requiresGrad: true });
    t.round().add(t.floor()).add(t.ceil()).add(t.sign()).sum().backward();
    expect(t.grad!.toArray()).toEqual([0, 0]);
  });
  it("name the op on bad input", () => {
    expect(() => round(3 as never)).toThrow("round: input must be a Tensor, got number");
  });
});
