/** @file Power planning against the paired t-test it predicts, hand-computed seed counts, budgets that do and do not suffice. */
import { describe, expect, it } from "vitest";
import { halfWidthFor, pilotSpread, planSeeds, seedsFor } from "./power.js";
import { pairedTTest, summarize } from "../stats/stats.js";

describe("halfWidthFor", () => {
  it("is exactly the half-width pairedTTest reports for the same sd and n", () => {
    const base = [4.01, 3.98, 4.05, 4.02, 3.99, 4.03];
    const variant = [3.97, 3.99, 4.0, 3.96, 3.98, 4.01];
    const test = pairedTTest(base, variant);
    const sd = summarize(variant.map((v, i) => v - base[i]!)).sd;
    expect(halfWidthFor(sd, base.length)).toBeCloseTo(test.ci[1] - test.meanDiff, 14);
  });

  it("matches t_{0.975, n−1}·sd/√n from the printed t table; NaN below 2 seeds", () => {
    expect(halfWidthFor(0.02, 5)).toBeCloseTo((2.7764451051977934 * 0.02) / Math.sqrt(5), 12);
    expect(halfWidthFor(0.02, 3)).toBeCloseTo((4.302652729749462 * 0.02) / Math.sqrt(3), 12);
    expect(halfWidthFor(0.02, 1)).toBeNaN();
    expect(() => halfWidthFor(-1, 3)).toThrow("halfWidthFor: sd must be a non-negative number, got -1");
    expect(() => halfWidthFor(0.1, 2.5)).toThrow(/n must be an integer count of seeds, got 2.5/);
  });
});

describe("seedsFor", () => {
  it("takes the fewest seeds that reach the target", () => {
    // sd 0.02: n = 4 gives 0.0318, n = 5 gives 0.0248
    expect(seedsFor(0.03, 0.02, 10)).toMatchObject({ seeds: 5, reached: true });
    expect(seedsFor(0.032, 0.02, 10).seeds).toBe(4);
    expect(seedsFor(1, 0.02, 10).seeds).toBe(2);
  });

  it("stops at maxSeeds, unreached", () => {
    const c = seedsFor(0.001, 0.02, 6);
    expect(c).toMatchObject({ seeds: 6, reached: false });
    expect(c.halfWidth).toBeCloseTo(halfWidthFor(0.02, 6), 14);
    expect(() => seedsFor(0, 0.02, 6)).toThrow(/target half-width must be positive, got 0/);
    expect(() => seedsFor(0.03, 0.02, 1)).toThrow(/maxSeeds must be an integer ≥ 2, got 1/);
  });
});

describe("pilotSpread", () => {
  it("gives each comparison's sd, the df-weighted pooled sd and the worst comparison", () => {
    const s = pilotSpread([
      { name: "a", diffs: [0.01, 0.03] }, // sd √2·0.01
      { name: "b", diffs: [0.0, 0.04, 0.02] }, // sd 0.02
      { name: "c", diffs: [0.5] }, // one seed: no sd, not pooled
    ]);
    expect(s.comparisons.map((c) => c.n)).toEqual([2, 3, 1]);
    expect(s.comparisons[0]!.sd).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(s.comparisons[2]!.sd).toBeNaN();
    expect(s.pooled.df).toBe(3);
    expect(s.pooled.sd).toBeCloseTo(Math.sqrt((1 * 2e-4 + 2 * 4e-4) / 3), 12);
    expect(s.worst.name).toBe("b");
  });

  it("names what is wrong with a pilot it cannot use", () => {
    expect(() => pilotSpread([])).toThrow("pilotSpread: the pilot has no comparisons");
    expect(() => pilotSpread([{ name: "x", diffs: [0.1] }])).toThrow(/every comparison has fewer than 2 seeds/);
    expect(() => pilotSpread([{ name: "gelu", diffs: [0.1, NaN] }])).toThrow('pilotSpread: comparison "gelu" has a non-finite difference at seed index 1 (NaN)');
  });
});

describe("planSeeds", () => {
  const runs = [100, 100, 100, 100, 100, 180]; // one seed of six variants: 680 s

  it("plans the fewest seeds that reach the target when the budget affords them", () => {
    const p = planSeeds({ targetHalfWidth: 0.03, sd: 0.02, secondsPerRun: runs, budgetSeconds: 3600 });
    expect(p).toMatchObject({ seeds: 5, reached: true, seconds: 3400, affordable: 5 });
    expect(p.message).toBe("5 seeds give ±0.025 (target ±0.030) in 56.7 min of the 60.0 min budget (6 runs, 11.3 min per seed)");
  });

  it("says when the budget cannot reach the target, and what the best is", () => {
    const p = planSeeds({ targetHalfWidth: 0.03, sd: 0.02, secondsPerRun: runs, budgetSeconds: 3000 });
    expect(p).toMatchObject({ seeds: 4, reached: false, affordable: 4 });
    expect(p.message).toBe("cannot reach ±0.030 within 50.0 min (it needs 5 seeds (56.7 min)); best is ±0.032 with 4 seeds");
    const q = planSeeds({ targetHalfWidth: 0.001, sd: 0.02, secondsPerRun: runs, budgetSeconds: 36000, maxSeeds: 8 });
    expect(q.message).toBe("cannot reach ±0.001 within 600.0 min (not even 8 seeds reach it); best is ±0.017 with 8 seeds");
    const r = planSeeds({ targetHalfWidth: 0.03, sd: 0.02, secondsPerRun: runs, budgetSeconds: 1000 });
    expect(r).toMatchObject({ seeds: 1, reached: false });
    expect(r.message).toBe("cannot reach ±0.030 within 16.7 min: one seed of all 6 variants takes 11.3 min, and an interval needs 2 seeds");
  });

  it("rejects run times and budgets that are not positive", () => {
    expect(() => planSeeds({ targetHalfWidth: 0.03, sd: 0.02, secondsPerRun: [100, 0], budgetSeconds: 3600 })).toThrow("planSeeds: secondsPerRun must be positive numbers, one per variant, got [100, 0]");
    expect(() => planSeeds({ targetHalfWidth: 0.03, sd: 0.02, secondsPerRun: [100], budgetSeconds: -1 })).toThrow(/budgetSeconds must be positive, got -1/);
  });
});
