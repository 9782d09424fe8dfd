/**
 * @file The ablation statistics on inputs with known answers: Student-t
 * quantiles against the printed table and SciPy, closed forms for df = 1 and
 * 2, the paired t-test against scipy.stats.ttest_rel, and the coverage of
 * its 95% interval on simulated data.
 */
import { describe, expect, it } from "vitest";
import { Generator } from "@kiln/tensor";
import { direction, logGamma, pairedTTest, regularizedIncompleteBeta, studentTCdf, studentTQuantile, summarize } from "../src/stats/stats.js";

describe("Student's t", () => {
  it("t_{0.975, df} matches the printed table (3 decimals) and SciPy (1e-9)", () => {
    const table: [number, number, number][] = [
      [1, 12.706, 12.706204736174694], [2, 4.303, 4.302652729749462], [3, 3.182, 3.1824463052837078], [4, 2.776, 2.7764451051977934],
      [5, 2.571, 2.5705818356363146], [10, 2.228, 2.228138851986274], [30, 2.042, 2.0422724563012378],
    ];
    for (const [df, printed, scipy] of table) {
      const q = studentTQuantile(0.975, df);
      expect(Number(q.toFixed(3))).toBe(printed);
      expect(Math.abs(q - scipy)).toBeLessThan(1e-9);
    }
  });

  it("other quantiles: tails, fractional df, large df → normal, symmetry", () => {
    expect(studentTQuantile(0.995, 3)).toBeCloseTo(5.840909309733355, 9);
    expect(studentTQuantile(0.9, 7.5)).toBeCloseTo(1.4052118464159533, 9);
    expect(studentTQuantile(0.999999, 2) / 707.1057205157672).toBeCloseTo(1, 9);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966356814107, 6);
    expect(studentTQuantile(0.025, 4)).toBe(-studentTQuantile(0.975, 4));
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(1, 3)).toBe(Infinity);
    expect(studentTQuantile(1.5, 3)).toBeNaN();
  });

  it("closed forms: Cauchy (df 1) and df 2", () => {
    for (const p of [0.6, 0.8, 0.95, 0.99]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 9);
    }
  });

  it("CDF, incomplete beta and log-gamma against SciPy", () => {
    expect(studentTCdf(1.5, 3)).toBeCloseTo(0.8847080673775886, 12);
    expect(studentTCdf(-0.3, 12)).toBeCloseTo(0.38465523704412613, 12);
    expect(studentTCdf(studentTQuantile(0.9, 6), 6)).toBeCloseTo(0.9, 12);
    expect(regularizedIncompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 12);
    expect(regularizedIncompleteBeta(0.9, 10, 3)).toBeCloseTo(0.889130022255, 11);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
});

describe("pairedTTest", () => {
  it("matches scipy.stats.ttest_rel: statistic, p-value and 95% interval", () => {
    const r = pairedTTest([1, 2, 3, 4, 5], [2, 4, 5, 4, 7]);
    expect(r.meanDiff).toBeCloseTo(1.4, 12);
    expect(r.sdDiff).toBeCloseTo(Math.sqrt(0.8), 12);
    expect(r.t).toBeCloseTo(3.5, 12);
    expect(r.df).toBe(4);
    expect(r.pValue).toBeCloseTo(0.024896163460222765, 10);
    expect(r.ci[0]).toBeCloseTo(0.28942195792088254, 10);
    expect(r.ci[1]).toBeCloseTo(2.5105780420791173, 10);
    expect(direction(r)).toBe("higher");

    const s = pairedTTest([3.1, 2.9, 3.3], [3.0, 2.95, 3.1]);
    expect(s.t).toBeCloseTo(-1.1470786693528066, 10);
    expect(s.pValue).toBeCloseTo(0.37005921165128874, 10);
    expect(s.ci[0]).toBeCloseTo(-0.39591380730212206, 10);
    expect(s.ci[1]).toBeCloseTo(0.22924714063545565, 10);
    expect(direction(s)).toBe("none");
  });

  it("pairing matters: a shared per-seed offset cancels", () => {
    // seeds differ a lot from each other, but the variant is always 0.01 lower (± tiny noise)
    const base = [3.0, 3.5, 2.6, 3.2];
    const variant = [2.99, 3.4905, 2.5898, 3.1897];
    expect(direction(pairedTTest(base, variant))).toBe("lower");
    expect(summarize(variant).sd).toBeGreaterThan(0.3);
  });

  it("edge cases: one pair, identical differences, mismatched lengths", () => {
    const one = pairedTTest([1], [2]);
    expect(one.meanDiff).toBe(1);
    expect(one.ci[0]).toBeNaN();
    expect(direction(one)).toBe("unknown");
    const same = pairedTTest([1, 2, 3], [1.5, 2.5, 3.5]);
    expect(same.ci).toEqual([0.5, 0.5]);
    expect(direction(same)).toBe("higher");
    expect(direction(pairedTTest([1, 2], [1, 2]))).toBe("none");
    expect(() => pairedTTest([1, 2], [1])).toThrow(/2 baseline values but 1 variant values/);
  });

  it("its 95% interval covers the true difference ~95% of the time (n = 4, 4000 simulated ablations)", () => {
    const g = new Generator(11);
    const normal = () => g.normal();
    let covered = 0;
    const trials = 4000;
    for (let k = 0; k < trials; k++) {
      const seedEffect = Array.from({ length: 4 }, () => 3 + 0.5 * normal());
      const base = seedEffect.map((s) => s + 0.05 * normal());
      const variant = seedEffect.map((s) => s - 0.02 + 0.05 * normal());
      const [lo, hi] = pairedTTest(base, variant).ci;
      if (lo <= -0.02 && -0.02 <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.935);
    expect(covered / trials).toBeLessThan(0.965);
  });
});

describe("summarize", () => {
  it("mean and n − 1 standard deviation", () => {
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ n: 8, mean: 5, sd: Math.sqrt(32 / 7) });
    expect(summarize([3])).toEqual({ n: 1, mean: 3, sd: 0 });
    expect(summarize([]).mean).toBeNaN();
  });
});
