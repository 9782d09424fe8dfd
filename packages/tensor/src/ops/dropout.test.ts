/**
 * @file `dropout`: drop rate, inverted scaling, seeded determinism, eval
 * pass-through and the gradient through the same mask.
 */
import { describe, expect, it } from "vitest";
import { Generator, dropout, ones, randn } from "../index.js";

describe("dropout", () => {
  it("zeroes about p of the elements and scales the rest by 1/(1 − p)", () => {
    const y = dropout(ones([100, 100]), 0.3, true, new Generator(1));
    const values = [...y.data];
    const zeros = values.filter((v) => v === 0).length;
    expect(Math.abs(zeros / 10000 - 0.3)).toBeLessThan(0.02);
    expect(values.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
  });

  it("is deterministic per seed, the identity in eval mode, and routes gradients through the mask", () => {
    const x = randn([4, 5], { requiresGrad: true });
    expect(dropout(x, 0.5, true, new Generator(2)).toArray()).toEqual(dropout(x, 0.5, true, new Generator(2)).toArray());
    expect(dropout(x, 0.5, false)).toBe(x);
    const y = dropout(x, 0.5, true, new Generator(3));
    y.sum().backward();
    expect([...x.grad!.data]).toEqual([...y.data].map((v, i) => (v === 0 ? 0 : v / x.data[i]!)).map((v) => (v === 0 ? 0 : 2)));
    expect(() => dropout(x, 1.5)).toThrow("dropout: p must be in [0, 1], got 1.5");
  });
});
