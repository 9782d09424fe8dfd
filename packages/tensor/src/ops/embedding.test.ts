/**
 * @file `embedding`: lookup against `indexSelect`, scatter-add backward with
 * repeated ids, any ids shape, and the error naming a bad id and its position.
 */
import { describe, expect, it } from "vitest";
import { Generator, embedding, randn, tensor } from "../index.js";

describe("embedding", () => {
  const g = new Generator(13);
  it("gathers rows for ids of any shape and scatter-adds gradients", () => {
    const w = randn([5, 3], { dtype: "float64", generator: g, requiresGrad: true });
    const ids = tensor([[1, 4, 1], [0, 0, 1]], { dtype: "int32" });
    const y = embedding(w, ids);
    expect(y.shape).toEqual([2, 3, 3]);
    expect(y.toArray()).toEqual(w.indexSelect(0, ids.flatten()).reshape([2, 3, 3]).toArray());
    y.sum([0, 1]).mul(tensor([1, 2, 3], { dtype: "float64" })).sum().backward();
    expect(w.grad!.toArray()).toEqual([[2, 4, 6], [3, 6, 9], [0, 0, 0], [0, 0, 0], [1, 2, 3]]);
    expect(embedding(w, tensor(2, { dtype: "int32" })).toArray()).toEqual(w.select(0, 2).toArray());
  });

  it("names the bad id and its position", () => {
    const w = randn([4, 2]);
    expect(() => embedding(w, tensor([[0, 1], [3, 4]], { dtype: "int32" }))).toThrow("embedding: id 4 at position [1, 1] is out of range for a vocabulary of 4");
    expect(() => embedding(w, tensor([-1], { dtype: "int32" }))).toThrow("embedding: id -1 at position [0] is out of range for a vocabulary of 4");
    expect(() => embedding(w, tensor([1]))).toThrow("embedding: ids must be int32, got float32");
  });
});
