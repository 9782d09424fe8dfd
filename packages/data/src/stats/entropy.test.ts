import { describe, expect, it } from "vitest";
import { bigramCrossEntropy, bigramEntropy, entropyBaseline, unigramCrossEntropy, unigramEntropy } from "./entropy.js";

describe("entropy baselines (nats/token)", () => {
  it("unigram entropy of known distributions", () => {
    expect(unigramEntropy([0, 1, 2, 3])).toBeCloseTo(Math.log(4), 12);
    expect(unigramEntropy([5, 5, 5])).toBe(0);
    expect(unigramEntropy([0, 0, 0, 1])).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 12);
  });

  it("bigram entropy is 0 for a deterministic sequence and H(p) for coin flips after a fixed token", () => {
    expect(bigramEntropy([0, 1, 2, 0, 1, 2, 0, 1, 2])).toBe(0);
    // after 0 comes 1 or 2 equally often; after 1 or 2 always 0: H = (4/8)·ln 2
    expect(bigramEntropy([0, 1, 0, 2, 0, 1, 0, 2, 0])).toBeCloseTo(0.5 * Math.log(2), 12);
    expect(bigramEntropy([1, 2, 3, 4, 1, 3, 2])).toBeLessThanOrEqual(unigramEntropy([1, 2, 3, 4, 1, 3, 2]));
  });

  it("held-out cross-entropies with smoothing", () => {
    // add-one: p(0) = (2+1)/(4+2), p(1) = (2+1)/(4+2)
    expect(unigramCrossEntropy([0, 0, 1, 1], [0, 1], 2)).toBeCloseTo(Math.log(2), 12);
    const train = Array.from({ length: 3000 }, (_, i) => i % 3);
    const test = Array.from({ length: 300 }, (_, i) => i % 3);
    expect(bigramCrossEntropy(train, test, 3)).toBeLessThan(0.05);
    expect(unigramCrossEntropy(train, test, 3)).toBeCloseTo(Math.log(3), 3);
    expect(Number.isFinite(bigramCrossEntropy([0, 1], [2, 2, 2], 3))).toBe(true);
  });

  it("bundles the baselines a trainer reports", () => {
    const b = entropyBaseline([0, 1, 2, 3, 0, 1, 2, 3], 4, [0, 1, 2, 3]);
    expect(b.uniform).toBeCloseTo(Math.log(4));
    expect(b.unigram).toBeCloseTo(Math.log(4));
    expect(b.bigram).toBe(0);
    expect(b.bigramHeldOut!).toBeLessThan(b.unigramHeldOut!);
    expect(() => entropyBaseline([0, -1], 2)).toThrow("entropy: token -1 at position 1 is not a non-negative integer id");
  });
});
