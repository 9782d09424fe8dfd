/**
 * @file cat, stack, split, chunk, tril and triu: values along each dim,
 * dtype promotion, non-contiguous inputs, views versus copies, empty and
 * 0-d inputs, error messages, and gradients.
 */
import { describe, expect, it } from "vitest";
import { cat, chunk, split, stack, tensor, tril, triu, zeros, type Tensor } from "../index.js";

const iota = (shape: number[]) => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i)).reshape(shape);

describe("cat", () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6]]);
  it("along dim 0, 1 and -1", () => {
    expect(cat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(cat([a, tensor([[7], [8]])], 1).toArray()).toEqual([[1, 2, 7], [3, 4, 8]]);
    expect(cat([a, a], -1).shape).toEqual([2, 4]);
  });
  it("three tensors and a single tensor", () => {
    expect(cat([tensor([1]), tensor([2, 3]), tensor([4])]).toArray()).toEqual([1, 2, 3, 4]);
    const one = cat([a]);
    expect(one.toArray()).toEqual(a.toArray());
    expect(one.storage).not.toBe(a.storage);
  });
  it("middle dim of 4-D tensors", () => {
    const x = iota([2, 1, 2, 2]);
    const y = iota([2, 2, 2, 2]).mul(-1);
    const z = cat([x, y], 1);
    expect(z.shape).toEqual([2, 3, 2, 2]);
    expect(z.select(0, 1).select(0, 0).toArray()).toEqual([[4, 5], [6, 7]]);
    expect(z.select(0, 1).select(0, 2).toArray()).toEqual([[-12, -13], [-14, -15]]);
  });
  it("non-contiguous inputs", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]).t(); // [[1, 4], [2, 5], [3, 6]]
    expect(cat([t, t.slice(0, 0, 3, 2)]).toArray()).toEqual([[1, 4], [2, 5], [3, 6], [1, 4], [3, 6]]);
    expect(cat([t, tensor([[0], [0], [0]]).expand([3, 2])], 1).toArray()).toEqual([[1, 4, 0, 0], [2, 5, 0, 0], [3, 6, 0, 0]]);
  });
  it("empty pieces", () => {
    expect(cat([zeros([0, 2]), a]).toArray()).toEqual(a.toArray());
    expect(cat([zeros([2, 0]), zeros([2, 0])], 1).shape).toEqual([2, 0]);
  });
  it("promotes dtypes", () => {
    const y = cat([tensor([1, 2], { dtype: "int32" }), tensor([0.5])]);
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([1, 2, 0.5]);
    expect(cat([tensor([true]), tensor([3], { dtype: "int32" })]).dtype).toBe("int32");
    expect(cat([tensor([1]), tensor([2], { dtype: "float64" })]).dtype).toBe("float64");
    expect(cat([tensor([true]), tensor([false])]).dtype).toBe("bool");
  });
  it("NaN is copied as is", () => {
    const y = cat([tensor([NaN]), tensor([1])]).toArray() as number[];
    expect(y[0]).toBeNaN();
  });
  it("errors name the tensor and shapes", () => {
    expect(() => cat([])).toThrow("cat: expected a non-empty list of tensors");
    expect(() => cat([a, tensor([[1, 2, 3]])])).toThrow("cat: tensors[1] has shape [1, 3], which does not match [2, 2] outside dim 0");
    expect(() => cat([a, tensor([1, 2])])).toThrow("cat: tensors[1] has shape [2], which does not match [2, 2] outside dim 0");
    expect(() => cat([a, 3 as unknown as Tensor])).toThrow("cat: tensors[1] must be a Tensor, got number");
    expect(() => cat([a, a], 2)).toThrow("cat: dim 2 is out of range for a tensor of rank 2");
  });
  it("rejects 0-d tensors (they have no dim to concatenate along)", () => {
    expect(() => cat([tensor(1), tensor(2)])).toThrow(/^cat: /);
  });
  it("gradient splits back to each input, casting to its dtype", () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    const y = tensor([[3, 4], [5, 6]], { dtype: "float64", requiresGrad: true });
    cat([x, y]).backward(tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float64" }));
    expect(x.grad?.toArray()).toEqual([[1, 2]]);
    expect(x.grad?.dtype).toBe("float32");
    expect(y.grad?.toArray()).toEqual([[3, 4], [5, 6]]);
  });
});

describe("stack", () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([4, 5, 6]);
  it("along a new leading, trailing or negative dim", () => {
    expect(stack([a, b]).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(stack([a, b], 1).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(stack([a, b], -1).shape).toEqual([3, 2]);
    expect(stack([a, b], -2).shape).toEqual([2, 3]);
  });
  it("0-d tensors stack into a vector", () => {
    const y = stack([tensor(1), tensor(2), tensor(3)]);
    expect(y.shape).toEqual([3]);
    expect(y.toArray()).toEqual([1, 2, 3]);
  });
  it("non-contiguous inputs", () => {
    const m = tensor([[1, 2], [3, 4]]);
    expect(stack([m.t(), m]).toArray()).toEqual([[[1, 3], [2, 4]], [[1, 2], [3, 4]]]);
  });
  it("errors", () => {
    expect(() => stack([])).toThrow("stack: expected a non-empty list of tensors");
    expect(() => stack([a, tensor([1, 2])])).toThrow("stack: tensors[1] has shape [2], expected [3]");
    expect(() => stack([a, b], 2)).toThrow("stack: dim 2 is out of range for a tensor of rank 2");
    expect(() => stack([a, null as unknown as Tensor])).toThrow("stack: tensors[1] must be a Tensor, got null");
  });
});

describe("split / chunk", () => {
  const x = iota([5, 2]);
  it("split by size: the last piece may be smaller; pieces are views", () => {
    const parts = x.split(2);
    expect(parts.map((p) => p.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(parts[2]!.toArray()).toEqual([[8, 9]]);
    for (const p of parts) expect(p.storage).toBe(x.storage);
    expect(parts[1]!.offset).toBe(4);
  });
  it("split by sizes along dim 1", () => {
    const m = iota([2, 5]);
    const [p, q] = split(m, [2, 3], 1);
    expect(p!.toArray()).toEqual([[0, 1], [5, 6]]);
    expect(q!.toArray()).toEqual([[2, 3, 4], [7, 8, 9]]);
    expect(q!.isContiguous).toBe(false);
  });
  it("split with zero-size pieces and a size larger than the dim", () => {
    expect(x.split([0, 5]).map((p) => p.shape[0])).toEqual([0, 5]);
    expect(x.split(10).map((p) => p.shape[0])).toEqual([5]);
  });
  it("split errors", () => {
    expect(() => x.split([1, 1])).toThrow("split: sizes [1,1] sum to 2, but dim 0 has size 5");
    expect(() => x.split(0)).toThrow("split: size must be a positive integer, got 0");
    expect(() => x.split(1.5)).toThrow("split: size must be a positive integer, got 1.5");
    expect(() => x.split(1, 2)).toThrow("split: dim 2 is out of range for a tensor of rank 2");
  });
  it("chunk into nearly equal pieces (torch.chunk)", () => {
    expect(chunk(x, 2).map((p) => p.shape[0])).toEqual([3, 2]);
    expect(iota([6]).chunk(4).map((p) => p.shape[0])).toEqual([2, 2, 2]);
    expect(iota([6]).chunk(3).map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(iota([2, 6]).chunk(3, -1)[1]!.toArray()).toEqual([[2, 3], [8, 9]]);
    expect(() => x.chunk(0)).toThrow("chunk: chunks must be a positive integer, got 0");
  });
  it("0-d input has no dim to split (clear error naming the op)", () => {
    expect(() => tensor(5).split(1)).toThrow(/^split: /);
    expect(() => tensor(5).chunk(2)).toThrow(/^chunk: /);
  });
  it("split pieces of a non-contiguous tensor", () => {
    const t = iota([2, 4]).t(); // [4, 2]
    const [a, b] = t.chunk(2);
    expect(a!.toArray()).toEqual([[0, 4], [1, 5]]);
    expect(b!.toArray()).toEqual([[2, 6], [3, 7]]);
  });
  it("gradients of split pieces flow back to their slices", () => {
    const w = zeros([4], { requiresGrad: true });
    const [p, q] = w.split(2);
    p!.mul(2).add(q!.mul(3)).sum().backward();
    expect(w.grad?.toArray()).toEqual([2, 2, 3, 3]);
  });
});

describe("tril / triu", () => {
  const m = iota([3, 3]).add(1);
  it("main diagonal", () => {
    expect(tril(m).toArray()).toEqual([[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expect(triu(m).toArray()).toEqual([[1, 2, 3], [0, 5, 6], [0, 0, 9]]);
  });
  it("diagonal offsets", () => {
    expect(m.tril(-1).toArray()).toEqual([[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    expect(m.tril(1).toArray()).toEqual([[1, 2, 0], [4, 5, 6], [7, 8, 9]]);
    expect(m.triu(1).toArray()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(m.triu(-1).toArray()).toEqual([[1, 2, 3], [4, 5, 6], [0, 8, 9]]);
    expect(m.triu(5).toArray()).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });
  it("non-square and batched", () => {
    expect(iota([2, 4]).tril().toArray()).toEqual([[0, 0, 0, 0], [4, 5, 0, 0]]);
    const b = iota([2, 2, 2]).add(1).triu();
    expect(b.toArray()).toEqual([[[1, 2], [0, 4]], [[5, 6], [0, 8]]]);
  });
  it("non-contiguous input", () => {
    expect(m.t().tril().toArray()).toEqual([[1, 0, 0], [2, 5, 0], [3, 6, 9]]);
  });
  it("keeps the dtype; masked NaN becomes 0", () => {
    const i = tensor([[1, 2], [3, 4]], { dtype: "int32" }).tril();
    expect(i.dtype).toBe("int32");
    expect(i.toArray()).toEqual([[1, 0], [3, 4]]);
    const b = tensor([[true, true], [true, true]]).triu();
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toEqual([[1, 1], [0, 1]]);
    const n = tensor([[NaN, NaN], [NaN, NaN]]).tril().toArray() as number[][];
    expect(n[0]![1]).toBe(0);
    expect(n[1]![0]).toBeNaN();
  });
  it("requires at least 2 dims", () => {
    expect(() => tril(tensor([1, 2, 3]))).toThrow("tril: input must have at least 2 dims, got [3]");
    expect(() => triu(tensor(1))).toThrow("triu: input must have at least 2 dims, got []");
  });
  it("gradient is masked the same way", () => {
    const x = zeros([2, 2], { requiresGrad: true });
    x.tril().sum().backward();
    expect(x.grad?.toArray()).toEqual([[1, 0], [1, 1]]);
  });
});
