import { Generator } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { RandomBatches, SequentialBatches } from "./batches.js";

const stream = Int32Array.from({ length: 1000 }, (_, i) => i);

describe("RandomBatches", () => {
  it("returns [B, T] int32 tensors with targets shifted by one", () => {
    const s = new RandomBatches(stream, { batchSize: 4, contextLength: 8, generator: new Generator(1) });
    const { inputs, targets } = s.next();
    expect(inputs.shape).toEqual([4, 8]);
    expect(targets.shape).toEqual([4, 8]);
    expect(inputs.dtype).toBe("int32");
    const x = inputs.toArray() as number[][];
    const y = targets.toArray() as number[][];
    for (let b = 0; b < 4; b++) {
      for (let t = 0; t < 8; t++) {
        expect(y[b]![t]).toBe(x[b]![t]! + 1);
        if (t > 0) expect(x[b]![t]).toBe(x[b]![t - 1]! + 1);
      }
      expect(y[b]![7]).toBeLessThan(1000);
    }
  });

  it("is deterministic per seed and reaches both ends of the stream", () => {
    const starts = (seed: number): number[] => {
      const s = new RandomBatches(stream, { batchSize: 64, contextLength: 10, generator: new Generator(seed) });
      return Array.from({ length: 50 }, () => [...s.nextArrays().inputs].filter((_, i) => i % 10 === 0)).flat();
    };
    expect(starts(3)).toEqual(starts(3));
    expect(starts(3)).not.toEqual(starts(4));
    const all = starts(5);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(1000 - 11);
  });

  it("resumes from a JSON round trip of its state with the same batches", () => {
    const a = new RandomBatches(stream, { batchSize: 3, contextLength: 5, generator: new Generator(7) });
    a.nextArrays();
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const expected = [a.nextArrays(), a.nextArrays()];
    const b = new RandomBatches(stream, { batchSize: 3, contextLength: 5, generator: new Generator(999) });
    b.setState(saved);
    expect([b.nextArrays(), b.nextArrays()]).toEqual(expected);
    expect(b.getState().step).toBe(3);
    const c = new RandomBatches(stream, { batchSize: 3, contextLength: 6, generator: new Generator(0) });
    expect(() => c.setState(saved)).toThrow("RandomBatches.setState: contextLength 5 in the saved state ≠ 6 here");
  });

  it("explains impossible sizes", () => {
    const g = new Generator(0);
    expect(() => new RandomBatches(stream.subarray(0, 8), { batchSize: 1, contextLength: 8, generator: g })).toThrow(
      "randomBatches: the token stream has 8 tokens, too few for contextLength 8 (needs ≥ 9)",
    );
    expect(() => new RandomBatches(stream, { batchSize: 0, contextLength: 8, generator: g })).toThrow(/batchSize must be a positive integer, got 0/);
  });
});

describe("SequentialBatches", () => {
  it("covers every target exactly once, in order", () => {
    for (const [n, B, T] of [[1000, 4, 8], [101, 3, 10], [11, 2, 10], [50, 1, 7]] as const) {
      const s = new SequentialBatches(stream.subarray(0, n), { batchSize: B, contextLength: T });
      const batches = [...s.arrays()];
      expect(batches.length).toBe(s.length);
      const targets = batches.flatMap((b) => [...b.targets]);
      const inputs = batches.flatMap((b) => [...b.inputs]);
      expect(targets).toEqual(Array.from({ length: n - 1 }, (_, i) => i + 1));
      expect(inputs).toEqual(Array.from({ length: n - 1 }, (_, i) => i));
      expect(s.numTargets).toBe(n - 1);
      for (const b of batches.slice(0, -1)) expect(b.shape[1]).toBe(T);
    }
  });

  it("yields tensors, the remainder as a [1, r] batch", () => {
    const shapes = [...new SequentialBatches(stream.subarray(0, 26), { batchSize: 2, contextLength: 10 })].map((b) => b.inputs.shape);
    expect(shapes).toEqual([[2, 10], [1, 5]]);
  });
});
