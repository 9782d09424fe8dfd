/** @file The three verdict words on every side of every claim's boundary, and bad input. */
import { describe, expect, it } from "vitest";
import { pairedTTest } from "../stats/stats.js";
import { halfWidthOf, inconclusiveLabel, judgeClaim } from "./verdict.js";

describe("judgeClaim", () => {
  it("'better': reproduced below zero, contradicted above, inconclusive across (with the half-width)", () => {
    expect(judgeClaim(-0.05, [-0.08, -0.02], "better")).toMatchObject({ verdict: "reproduced", label: "reproduced" });
    const c = judgeClaim(0.05, [0.02, 0.08], "better");
    expect(c.verdict).toBe("contradicted");
    expect(c.explanation).toBe("Δ = +0.050 [+0.020, +0.080] nats: the interval excludes zero on the other side (variant worse); the published result is that the variant is better");
    const i = judgeClaim(-0.01, [-0.05, 0.03], "better");
    expect(i.verdict).toBe("inconclusive");
    expect(i.halfWidth).toBeCloseTo(0.04, 12);
    expect(i.label).toBe("inconclusive at this budget (±0.040)");
    expect(i.explanation).toBe("Δ = −0.010 [−0.050, +0.030] nats: the interval covers zero, so this budget cannot tell; effects below −0.050 or above +0.030 are ruled out, smaller ones are not");
  });

  it("'worse' is the mirror image of 'better'", () => {
    expect(judgeClaim(0.05, [0.02, 0.08], "worse").verdict).toBe("reproduced");
    expect(judgeClaim(-0.05, [-0.08, -0.02], "worse").verdict).toBe("contradicted");
    expect(judgeClaim(0.01, [-0.03, 0.05], "worse").verdict).toBe("inconclusive");
  });

  it("an interval touching zero covers it: inconclusive, never reproduced or contradicted", () => {
    expect(judgeClaim(-0.02, [-0.04, 0], "better").verdict).toBe("inconclusive");
    expect(judgeClaim(0.02, [0, 0.04], "better").verdict).toBe("inconclusive");
  });

  it("'same': reproduced inside ±margin, contradicted wholly outside, inconclusive when it straddles a margin", () => {
    expect(judgeClaim(0.005, [-0.01, 0.02], "same").verdict).toBe("reproduced");
    // excludes zero but stays within the margin: still equivalent
    expect(judgeClaim(0.01, [0.005, 0.015], "same").verdict).toBe("reproduced");
    expect(judgeClaim(0.1, [0.05, 0.15], "same").verdict).toBe("contradicted");
    expect(judgeClaim(-0.1, [-0.15, -0.05], "same").verdict).toBe("contradicted");
    // a wide interval around zero is no evidence of equality
    expect(judgeClaim(0, [-0.2, 0.2], "same")).toMatchObject({ verdict: "inconclusive", label: "inconclusive at this budget (±0.200)" });
    expect(judgeClaim(0, [-0.2, 0.2], "same").explanation).toMatch(/the interval overlaps ±0\.030 without lying inside it, so this budget cannot tell/);
    expect(judgeClaim(0.04, [0.02, 0.06], "same").verdict).toBe("inconclusive");
    expect(judgeClaim(0.04, [0.02, 0.06], "same", { equivalenceMargin: 0.1 }).verdict).toBe("reproduced");
  });

  it("no interval (one seed) is inconclusive, and says so", () => {
    const v = judgeClaim(-0.1, [NaN, NaN], "better");
    expect(v.verdict).toBe("inconclusive");
    expect(v.label).toBe("inconclusive (one seed: no interval)");
    expect(v.explanation).toMatch(/needs ≥ 2 seeds/);
  });

  it("reads a paired t-test's interval as it stands (asymmetric intervals use half their width)", () => {
    const test = pairedTTest([4.0, 4.1, 4.2, 4.05], [3.9, 4.02, 4.08, 3.97]);
    const v = judgeClaim(test.meanDiff, test.ci, "better");
    expect(v.verdict).toBe("reproduced");
    expect(v.halfWidth).toBeCloseTo(test.ci[1] - test.meanDiff, 12);
    expect(halfWidthOf([0.1, 0.5])).toBeCloseTo(0.2, 12);
    expect(inconclusiveLabel(0.0123, 2)).toBe("inconclusive at this budget (±0.01)");
  });

  it("rejects a reversed interval and a non-positive margin", () => {
    expect(() => judgeClaim(0, [0.1, -0.1], "better")).toThrow("judgeClaim: interval [0.1, -0.1] has its lower bound above its upper bound");
    expect(() => judgeClaim(0, [-0.1, 0.1], "same", { equivalenceMargin: 0 })).toThrow(/equivalenceMargin must be positive, got 0/);
  });
});
