/**
 * @file Embedding: lookup for ids of any shape, N(0, 1) init, it counts as
 * an embedding for `numParameters`, the bad-id error, and a gradcheck.
 */
import { Generator, tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { gradcheckModule, weighted } from "../test/helpers.js";
import { Embedding } from "./index.js";

describe("Embedding", () => {
  const ids = tensor([[0, 3, 3], [1, 0, 2]], { dtype: "int32" });
  it("looks up rows for ids of any shape", () => {
    const e = new Embedding(4, 5, { generator: new Generator(1) });
    const y = e.forward(ids);
    expect(y.shape).toEqual([2, 3, 5]);
    expect(y.select(0, 1).select(0, 2).toArray()).toEqual(e.weight.select(0, 2).toArray());
    expect(e.isEmbedding).toBe(true);
    expect(e.numParameters({ excludeEmbeddings: true })).toBe(0);
  });

  it("names a bad id and its position", () => {
    const e = new Embedding(4, 2);
    expect(() => e.forward(tensor([[1, 9]], { dtype: "int32" }))).toThrow("embedding: id 9 at position [0, 1] is out of range for a vocabulary of 4");
  });

  it("gradcheck (float64): repeated ids accumulate", () => {
    const e = new Embedding(4, 3, { generator: new Generator(2) });
    expect(gradcheckModule(e, () => weighted(e.forward(ids)))).toBe(true);
  });
});
