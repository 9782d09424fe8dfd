/**
 * @file Schedules at their boundaries: step 0, end of warmup, mid-decay, end of
 * decay, past the end; WSD cooldown shapes; validation messages.
 */
import { describe, expect, it } from "vitest";
import { constantLr, linearDecay, linearWarmup, warmupCosine, warmupStableDecay } from "./schedules.js";

const peak = 3e-4;

describe("constantLr", () => {
  it("is the same at every step", () => {
    const s = constantLr(0.1);
    expect([s(0), s(1), s(1e6)]).toEqual([0.1, 0.1, 0.1]);
  });
});

describe("linearWarmup", () => {
  it("rises as peak·(s+1)/(W+1), reaches peak at step W, then holds", () => {
    const s = linearWarmup({ peakLr: 1, warmupSteps: 4 });
    expect([s(0), s(3), s(4), s(100)]).toEqual([0.2, 0.8, 1, 1]);
  });
});

describe("warmupCosine", () => {
  const s = warmupCosine({ peakLr: peak, warmupSteps: 10, totalSteps: 110 });

  it("defaults to LLaMA's floor of 10% of the peak", () => {
    expect(s(110)).toBeCloseTo(0.1 * peak, 15);
  });

  it("checks the boundaries: step 0, end of warmup, mid-decay, end of decay, past the end", () => {
    expect(s(0)).toBeCloseTo(peak / 11, 15); // never 0
    expect(s(9)).toBeCloseTo((peak * 10) / 11, 15);
    expect(s(10)).toBe(peak); // end of warmup = start of decay
    expect(s(60)).toBeCloseTo(0.55 * peak, 15); // halfway: (peak + min) / 2
    expect(s(110)).toBe(0.1 * peak);
    expect(s(111)).toBe(0.1 * peak);
    expect(s(1e9)).toBe(0.1 * peak);
  });

  it("never increases after warmup", () => {
    for (let t = 10; t < 120; t++) expect(s(t + 1)).toBeLessThanOrEqual(s(t));
  });

  it("without warmup starts at the peak; minLrRatio 0 decays to 0", () => {
    const z = warmupCosine({ peakLr: 1, totalSteps: 10, minLrRatio: 0 });
    expect(z(0)).toBe(1);
    expect(z(10)).toBe(0);
  });
});

describe("linearDecay", () => {
  it("decays linearly from peak at W to the floor at T", () => {
    const s = linearDecay({ peakLr: 1, warmupSteps: 2, totalSteps: 12, minLrRatio: 0.5 });
    expect([s(0), s(2), s(7), s(12), s(50)]).toEqual([1 / 3, 1, 0.75, 0.5, 0.5]);
  });
});

describe("warmupStableDecay", () => {
  it("warms up, holds the peak, then cools down over the last cooldownSteps", () => {
    const s = warmupStableDecay({ peakLr: 1, warmupSteps: 4, totalSteps: 100, cooldownSteps: 20, shape: "linear" });
    expect(s(0)).toBe(0.2);
    expect(s(4)).toBe(1);
    expect(s(79)).toBe(1); // last stable step
    expect(s(80)).toBe(1); // cooldown progress 0
    expect(s(90)).toBe(0.5);
    expect(s(100)).toBe(0);
    expect(s(1000)).toBe(0);
  });

  it("has a configurable cooldown shape", () => {
    const at = (shape: "linear" | "cosine" | "1-sqrt" | ((r: number) => number)) =>
      warmupStableDecay({ peakLr: 1, totalSteps: 100, cooldownSteps: 100, minLrRatio: 0.1, shape })(25);
    expect(at("linear")).toBeCloseTo(0.1 + 0.75 * 0.9, 12);
    expect(at("cosine")).toBeCloseTo(0.1 + 0.5 * (1 + Math.cos(Math.PI / 4)) * 0.9, 12);
    expect(at("1-sqrt")).toBeCloseTo(0.1 + 0.5 * 0.9, 12);
    expect(at((r) => (1 - r) ** 2)).toBeCloseTo(0.1 + 0.5625 * 0.9, 12);
  });

  it("defaults to a 1-sqrt cooldown over the last 20% of the steps", () => {
    const s = warmupStableDecay({ peakLr: 1, totalSteps: 100 });
    expect(s(80)).toBe(1);
    expect(s(85)).toBeCloseTo(0.5, 12);
    expect(s(100)).toBe(0);
  });
});

describe("schedule validation", () => {
  it("names the schedule and the field", () => {
    expect(() => warmupCosine({ peakLr: 1, warmupSteps: 10, totalSteps: 5 })).toThrow("warmupCosine: totalSteps must be an integer ≥ warmupSteps (10), got 5");
    expect(() => linearDecay({ peakLr: 1, totalSteps: 5, minLrRatio: 2 })).toThrow("linearDecay: minLrRatio must be in [0, 1], got 2");
    expect(() => linearWarmup({ peakLr: NaN })).toThrow("linearWarmup: peakLr must be a finite number ≥ 0, got NaN");
    expect(() => warmupStableDecay({ peakLr: 1, warmupSteps: 50, totalSteps: 60, cooldownSteps: 20 })).toThrow(
      "warmupStableDecay: cooldownSteps must be an integer in [0, totalSteps − warmupSteps] = [0, 10], got 20",
    );
    expect(() => warmupStableDecay({ peakLr: 1, totalSteps: 60, shape: "exp" as never })).toThrow("warmupStableDecay: shape must be one of linear, cosine, 1-sqrt");
    expect(() => constantLr(1)(-1)).toThrow("constantLr: step must be ≥ 0, got -1");
  });
});
