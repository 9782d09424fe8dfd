/**
 * @file Initialisers: seeded determinism, the moments and bounds each one
 * promises, PyTorch's fans and gains, and the version bump.
 */
import { Generator, zeros } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import {
  calculateGain, constant_, fans, kaimingNormal_, kaimingUniform_, normal_, ones_, uniform_, xavierNormal_, xavierUniform_, zeros_,
} from "./index.js";

const stats = (d: ArrayLike<number>) => {
  const xs = Array.from(d);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs) };
};

describe("init", () => {
  it("the same seed gives the same weights", () => {
    const a = normal_(zeros([50, 40]), 0, 0.02, new Generator(5));
    const b = normal_(zeros([50, 40]), 0, 0.02, new Generator(5));
    expect(a.toArray()).toEqual(b.toArray());
    expect(normal_(zeros([4]), 0, 1, new Generator(6)).toArray()).not.toEqual(normal_(zeros([4]), 0, 1, new Generator(5)).toArray());
  });

  it("normal_ and uniform_ have the requested moments and range", () => {
    const n = stats(normal_(zeros([200, 100]), 1, 0.5, new Generator(1)).data);
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(n.std - 0.5)).toBeLessThan(0.01);
    const u = stats(uniform_(zeros([20000]), -2, 3, new Generator(2)).data);
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(3);
    expect(Math.abs(u.mean - 0.5)).toBeLessThan(0.05);
  });

  it("xavier and kaiming follow PyTorch's fans and gains", () => {
    const w = zeros([64, 32, 3]); // (out, in, kernel): fan_in 96, fan_out 192
    expect(fans(w)).toEqual([96, 192]);
    expect(calculateGain("relu")).toBe(Math.SQRT2);
    expect(calculateGain("leaky_relu", Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 14);
    const xu = stats(xavierUniform_(zeros([64, 32, 3]), 1, new Generator(3)).data);
    expect(xu.max).toBeLessThanOrEqual(Math.sqrt(6 / 288));
    expect(Math.abs(stats(xavierNormal_(zeros([200, 100]), 2, new Generator(4)).data).std - 2 * Math.sqrt(2 / 300))).toBeLessThan(0.005);
    const ku = stats(kaimingUniform_(zeros([100, 50]), { a: Math.sqrt(5) }, new Generator(5)).data); // nn.Linear's default
    expect(ku.max).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(ku.max).toBeGreaterThan(0.95 / Math.sqrt(50));
    const kn = stats(kaimingNormal_(zeros([200, 100]), { nonlinearity: "relu", mode: "fan_out" }, new Generator(6)).data);
    expect(Math.abs(kn.std - Math.SQRT2 / Math.sqrt(200))).toBeLessThan(0.003);
    expect(() => fans(zeros([3]))).toThrow("init: fan in and fan out need a tensor with at least 2 dims, got shape [3]");
  });

  it("constant fills bump the storage version", () => {
    const t = zeros([3]);
    const v = t.storage.version;
    expect(ones_(t).toArray()).toEqual([1, 1, 1]);
    expect(constant_(t, 2.5).toArray()).toEqual([2.5, 2.5, 2.5]);
    expect(zeros_(t).toArray()).toEqual([0, 0, 0]);
    expect(t.storage.version).toBe(v + 3);
  });
});
