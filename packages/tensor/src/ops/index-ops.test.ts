/**
 * @file indexSelect, gather and scatterAdd: values along each dim, repeated
 * indices, non-contiguous inputs and indices, dtypes, bounds checking with
 * the offending position, shape errors, and gradients.
 */
import { describe, expect, it } from "vitest";
import { gather, indexSelect, scatterAdd, tensor, zeros, type Tensor } from "../index.js";

const idx = (v: number[] | number[][] | number[][][]) => tensor(v, { dtype: "int32" });
const iota = (shape: number[]) => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i)).reshape(shape);

describe("indexSelect", () => {
  const x = iota([3, 4]);
  it("picks rows along dim 0 (embedding lookup), with repeats", () => {
    const y = x.indexSelect(0, idx([2, 0, 2]));
    expect(y.shape).toEqual([3, 4]);
    expect(y.toArray()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]]);
  });
  it("picks columns along dim 1 and -1", () => {
    expect(indexSelect(x, 1, idx([3, 1])).toArray()).toEqual([[3, 1], [7, 5], [11, 9]]);
    expect(x.indexSelect(-1, idx([0])).toArray()).toEqual([[0], [4], [8]]);
  });
  it("a middle dim of a 4-D tensor", () => {
    const t = iota([2, 3, 2, 2]);
    const y = t.indexSelect(1, idx([2, 1]));
    expect(y.shape).toEqual([2, 2, 2, 2]);
    expect(y.toArray()).toEqual([
      [[[8, 9], [10, 11]], [[4, 5], [6, 7]]],
      [[[20, 21], [22, 23]], [[16, 17], [18, 19]]],
    ]);
  });
  it("0-d input: index 0 picks the value (as torch), anything else is out of range", () => {
    expect(tensor(5).indexSelect(0, idx([0])).item()).toBe(5);
    expect(() => tensor(5).indexSelect(0, idx([1]))).toThrow(/^indexSelect: index 1 at position 0 is out of range/);
  });
  it("an empty index gives an empty dim", () => {
    expect(x.indexSelect(0, idx([])).shape).toEqual([0, 4]);
  });
  it("non-contiguous input and index", () => {
    expect(x.t().indexSelect(0, idx([1, 3])).toArray()).toEqual([[1, 5, 9], [3, 7, 11]]);
    const strided = idx([2, 9, 0, 9, 1]).slice(0, 0, 5, 2); // [2, 0, 1]
    expect(x.indexSelect(0, strided).toArray()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3], [4, 5, 6, 7]]);
    const offsetX = iota([5, 2]).slice(0, 2); // rows 2..4, offset 4
    expect(offsetX.indexSelect(0, idx([2, 0])).toArray()).toEqual([[8, 9], [4, 5]]);
  });
  it("keeps the input dtype", () => {
    const i = tensor([[1, 2], [3, 4]], { dtype: "int32" }).indexSelect(0, idx([1]));
    expect(i.dtype).toBe("int32");
    expect(i.toArray()).toEqual([[3, 4]]);
    expect(tensor([true, false]).indexSelect(0, idx([1, 0])).toArray()).toEqual([0, 1]);
    expect(tensor([1.5], { dtype: "float64" }).indexSelect(0, idx([0, 0])).dtype).toBe("float64");
  });
  it("checks index bounds, naming the value and its position", () => {
    expect(() => x.indexSelect(0, idx([0, 3]))).toThrow("indexSelect: index 3 at position 1 is out of range for dim 0 of size 3");
    expect(() => x.indexSelect(1, idx([-1]))).toThrow("indexSelect: index -1 at position 0 is out of range for dim 1 of size 4");
  });
  it("checks the index dtype and rank", () => {
    expect(() => x.indexSelect(0, tensor([0, 1]))).toThrow("indexSelect: index must be int32, got float32");
    expect(() => x.indexSelect(0, idx([[0]]))).toThrow("indexSelect: index must be 1-D, got shape [1, 1]");
    expect(() => x.indexSelect(2, idx([0]))).toThrow("indexSelect: dim 2 is out of range for a tensor of rank 2");
    expect(() => x.indexSelect(0, [0] as unknown as Tensor)).toThrow("indexSelect: index must be a Tensor, got object");
  });
  it("gradient accumulates over repeated indices", () => {
    const w = zeros([3, 2], { requiresGrad: true });
    w.indexSelect(0, idx([2, 0, 2])).backward(tensor([[1, 2], [3, 4], [5, 6]]));
    expect(w.grad?.toArray()).toEqual([[3, 4], [0, 0], [6, 8]]);
    const v = zeros([2, 3], { requiresGrad: true });
    v.indexSelect(1, idx([1, 1])).sum().backward();
    expect(v.grad?.toArray()).toEqual([[0, 2, 0], [0, 2, 0]]);
  });
});

describe("gather", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it("along dim 1: y[i][j] = x[i][index[i][j]]", () => {
    expect(gather(x, 1, idx([[2, 0], [1, 1]])).toArray()).toEqual([[3, 1], [5, 5]]);
    expect(x.gather(-1, idx([[0], [2]])).toArray()).toEqual([[1], [6]]); // cross-entropy pick
  });
  it("along dim 0: y[i][j] = x[index[i][j]][j]", () => {
    expect(x.gather(0, idx([[1, 0, 1]])).toArray()).toEqual([[4, 2, 6]]);
  });
  it("an index smaller than the input in other dims", () => {
    const t = iota([3, 4]);
    expect(t.gather(1, idx([[3], [0]])).toArray()).toEqual([[3], [4]]);
  });
  it("3-D along the middle dim", () => {
    const t = iota([2, 3, 2]);
    const y = t.gather(1, idx([[[2, 0]], [[1, 2]]]));
    expect(y.shape).toEqual([2, 1, 2]);
    expect(y.toArray()).toEqual([[[4, 1]], [[8, 11]]]);
  });
  it("non-contiguous input and index", () => {
    const t = x.t(); // [[1, 4], [2, 5], [3, 6]]
    expect(t.gather(1, idx([[1], [0], [1]])).toArray()).toEqual([[4], [2], [6]]);
    const index = idx([[0, 1], [1, 0]]).t(); // [[0, 1], [1, 0]]ᵀ = [[0, 1], [1, 0]]
    expect(x.gather(1, index).toArray()).toEqual([[1, 2], [5, 4]]);
  });
  it("0-d input and index", () => {
    expect(tensor(5).gather(0, tensor(0, { dtype: "int32" })).item()).toBe(5);
  });
  it("keeps the dtype", () => {
    expect(tensor([[1, 2]], { dtype: "int32" }).gather(1, idx([[1]])).dtype).toBe("int32");
  });
  it("errors", () => {
    expect(() => x.gather(1, idx([[3]]))).toThrow("gather: index 3 at position 0 is out of range for dim 1 of size 3");
    expect(() => x.gather(1, idx([0, 1]))).toThrow("gather: index of shape [2] does not fit input of shape [2, 3] along dim 1");
    expect(() => x.gather(1, idx([[0], [0], [0]]))).toThrow("gather: index of shape [3, 1] does not fit input of shape [2, 3] along dim 1");
    expect(() => x.gather(1, tensor([[0]]))).toThrow("gather: index must be int32, got float32");
  });
  it("gradient scatters back, accumulating repeats", () => {
    const w = zeros([2, 3], { requiresGrad: true });
    w.gather(1, idx([[2, 2], [0, 1]])).backward(tensor([[1, 2], [3, 4]]));
    expect(w.grad?.toArray()).toEqual([[0, 0, 3], [3, 4, 0]]);
  });
});

describe("scatterAdd", () => {
  it("adds src at the named positions, accumulating repeats, without touching the input", () => {
    const x = zeros([2, 3]);
    const y = scatterAdd(x, 1, idx([[0, 0], [2, 1]]), tensor([[1, 2], [3, 4]]));
    expect(y.toArray()).toEqual([[3, 0, 0], [0, 4, 3]]);
    expect(x.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(y.storage).not.toBe(x.storage);
  });
  it("along dim 0", () => {
    const y = tensor([[1, 1], [1, 1], [1, 1]]).scatterAdd(0, idx([[2, 0]]), tensor([[5, 7]]));
    expect(y.toArray()).toEqual([[1, 8], [1, 1], [6, 1]]);
  });
  it("non-contiguous input and src", () => {
    const x = zeros([3, 2]).t(); // [2, 3]
    const src = tensor([[1, 3], [2, 4]]).t(); // [[1, 2], [3, 4]]
    expect(x.scatterAdd(1, idx([[2, 0], [1, 1]]), src).toArray()).toEqual([[2, 0, 1], [0, 7, 0]]);
  });
  it("errors", () => {
    const x = zeros([2, 3]);
    expect(() => x.scatterAdd(1, idx([[0]]), tensor([[1]], { dtype: "float64" }))).toThrow(
      "scatterAdd: src dtype float64 differs from input dtype float32",
    );
    expect(() => x.scatterAdd(1, idx([[0, 1]]), tensor([[1]]))).toThrow("scatterAdd: src of shape [1, 1] must have the index's shape [1, 2]");
    expect(() => x.scatterAdd(1, idx([[5]]), tensor([[1]]))).toThrow("scatterAdd: index 5 at position 0 is out of range for dim 1 of size 3");
    expect(() => x.scatterAdd(1, idx([[0], [1], [0]]), zeros([3, 1]))).toThrow(
      "scatterAdd: index of shape [3, 1] does not fit input of shape [2, 3] along dim 1",
    );
    expect(() => x.scatterAdd(1, idx([[0]]), null as unknown as Tensor)).toThrow("scatterAdd: src must be a Tensor, got null");
  });
  it("gradients: input gets g, src gets g gathered", () => {
    const x = zeros([2, 3], { requiresGrad: true });
    const src = tensor([[1, 2]], { requiresGrad: true });
    x.scatterAdd(1, idx([[2, 0]]), src).backward(tensor([[1, 2, 3], [4, 5, 6]]));
    expect(x.grad?.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(src.grad?.toArray()).toEqual([[3, 1]]);
  });
});
