/**
 * @file maskedFill: values, mask broadcasting, non-contiguous operands, the
 * causal-attention use (-inf then softmax), dtype of the result, errors,
 * and the gradient (zero where filled); maskedSelect likewise.
 */
import { describe, expect, it } from "vitest";
import { maskedFill, maskedSelect, ones, tensor, zeros, type Tensor } from "../index.js";

describe("maskedFill", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it("fills where the mask is true", () => {
    const m = tensor([[true, false, true], [false, false, true]]);
    expect(maskedFill(x, m, 0).toArray()).toEqual([[0, 2, 0], [4, 5, 0]]);
    expect(x.maskedFill(m, -1).toArray()).toEqual([[-1, 2, -1], [4, 5, -1]]);
    expect(x.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]); // input untouched
  });
  it("broadcasts the mask to the input", () => {
    expect(x.maskedFill(tensor([false, true, false]), 9).toArray()).toEqual([[1, 9, 3], [4, 9, 6]]);
    expect(x.maskedFill(tensor([[true], [false]]), 0).toArray()).toEqual([[0, 0, 0], [4, 5, 6]]);
    expect(x.maskedFill(tensor(true), 7).toArray()).toEqual([[7, 7, 7], [7, 7, 7]]);
  });
  it("non-contiguous input and mask", () => {
    const m = tensor([[true, false], [false, true], [false, false]]).t(); // [2, 3]
    expect(x.maskedFill(m, 0).toArray()).toEqual([[0, 2, 3], [4, 0, 6]]);
    expect(x.t().maskedFill(tensor([true, false]), 0).toArray()).toEqual([[0, 4], [0, 5], [0, 6]]);
  });
  it("causal mask with -inf, then softmax, gives a lower-triangular distribution", () => {
    const scores = zeros([3, 3]);
    const causal = ones([3, 3]).triu(1).to("bool");
    const p = scores.maskedFill(causal, -Infinity).softmax(-1);
    const arr = p.toArray() as number[][];
    expect(arr[0]).toEqual([1, 0, 0]);
    expect(arr[1]).toEqual([0.5, 0.5, 0]);
    for (const v of arr[2]!) expect(v).toBeCloseTo(1 / 3, 6);
  });
  it("fills NaN and ±inf; NaN elsewhere survives", () => {
    const y = tensor([NaN, 1]).maskedFill(tensor([false, true]), NaN).toArray() as number[];
    expect(y[0]).toBeNaN();
    expect(y[1]).toBeNaN();
  });
  it("0-d and 4-D inputs", () => {
    expect(tensor(3).maskedFill(tensor(true), 0).item()).toBe(0);
    const h = ones([2, 1, 2, 2]).maskedFill(tensor([[true, false], [false, true]]), 0);
    expect(h.shape).toEqual([2, 1, 2, 2]);
    expect(h.sum().item()).toBe(4);
  });
  it("keeps the input dtype", () => {
    expect(tensor([1, 2], { dtype: "float64" }).maskedFill(tensor([true, false]), 0.1).dtype).toBe("float64");
    const i = tensor([1, 2], { dtype: "int32" }).maskedFill(tensor([true, false]), -1);
    expect(i.dtype).toBe("int32");
    expect(i.toArray()).toEqual([-1, 2]);
    const b = tensor([true, false]).maskedFill(tensor([true, true]), 0);
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toEqual([0, 0]);
  });
  it("an int32 input filled with a fraction stays int32 (torch casts the value)", () => {
    const i = tensor([1, 2], { dtype: "int32" }).maskedFill(tensor([true, false]), 1.5);
    expect(i.dtype).toBe("int32");
  });
  it("errors", () => {
    expect(() => x.maskedFill(tensor([1, 0, 1]), 0)).toThrow("maskedFill: mask must be bool, got float32");
    expect(() => x.maskedFill(tensor([[[true, true, true]], [[true, true, true]]]), 0)).toThrow(
      "maskedFill: mask of shape [2, 1, 3] does not broadcast to input shape [2, 3]",
    );
    expect(() => x.maskedFill(tensor([true, false]), 0)).toThrow(
      "maskedFill: shapes [2, 3] and [2] cannot be broadcast together (dim -1: 3 vs 2)",
    );
    expect(() => maskedFill(x, null as unknown as Tensor, 0)).toThrow("maskedFill: mask must be a Tensor, got null");
    expect(() => maskedFill(null as unknown as Tensor, tensor(true), 0)).toThrow("maskedFill: input must be a Tensor, got null");
  });
  it("the gradient is zero where filled", () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    w.maskedFill(tensor([[true, false], [false, false]]), 0).backward(tensor([[5, 6], [7, 8]]));
    expect(w.grad?.toArray()).toEqual([[0, 6], [7, 8]]);
  });
});

describe("maskedSelect", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it("picks the elements under true, row-major, as a 1-D copy", () => {
    const m = tensor([[true, false, true], [false, false, true]]);
    expect(maskedSelect(x, m).toArray()).toEqual([1, 3, 6]);
    expect(x.t().maskedSelect(m.t()).toArray()).toEqual([1, 3, 6]); // order follows the (transposed) view
    expect(x.maskedSelect(tensor([false, true, false])).toArray()).toEqual([2, 5]); // mask broadcast to x
    expect(tensor([1, 2]).maskedSelect(tensor([[true, false], [true, true]])).toArray()).toEqual([1, 1, 2]); // x broadcast to the mask
    expect(x.maskedSelect(tensor(false)).shape).toEqual([0]);
  });
  it("sends the gradient back to the selected positions", () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    w.maskedSelect(tensor([[true, false], [false, true]])).backward(tensor([5, 6]));
    expect(w.grad?.toArray()).toEqual([[5, 0], [0, 6]]);
  });
  it("names the op in errors", () => {
    expect(() => x.maskedSelect(tensor([1, 0, 1]))).toThrow("maskedSelect: mask must be bool, got float32");
    expect(() => x.maskedSelect(tensor([true, false]))).toThrow(/^maskedSelect: shapes \[2, 3\] and \[2\]/);
  });
});
