/**
 * @file Approach 1 on synthetic curves with a known answer: losses drawn from
 * Chinchilla's law L(N, D) = E + A/N^α + B/D^β, whose compute-optimal size is
 * N_opt(C) = G·(C/6)^a with a = β/(α+β), G = (αA/(βB))^(1/(α+β)) — once with
 * every logged point on the law, once with four cosine horizons over 16× per
 * size whose unfinished schedules sit above it.
 */
import { describe, expect, it } from "vitest";
import { fitApproach1, lowerEnvelope, type TrainingCurve } from "../src/scaling/fit/approach1.js";

const LAW = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
const law = (N: number, D: number) => LAW.E + LAW.A / N ** LAW.alpha + LAW.B / D ** LAW.beta;
const A_TRUE = LAW.beta / (LAW.alpha + LAW.beta);
const G = ((LAW.alpha * LAW.A) / (LAW.beta * LAW.B)) ** (1 / (LAW.alpha + LAW.beta));
const nOptTrue = (C: number) => G * (C / 6) ** A_TRUE;
const logSpace = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));

/** Sizes 1e7 … 1e10, eight per decade. */
const SIZES = logSpace(1e7, 1e10, 25);

describe("fitApproach1", () => {
  it("recovers a = β/(α+β) and b = α/(α+β) when every point lies on the law", () => {
    const curves: TrainingCurve[] = SIZES.map((N) => ({ N, points: logSpace(1e6, 1e13, 200).map((D) => ({ D, loss: law(N, D) })) }));
    const fit = fitApproach1(curves, { resamples: 0 });
    expect(fit.cRange[0] / (6 * 1e7 * 1e6)).toBeCloseTo(1, 12);
    expect(fit.cRange[1] / (6 * 1e10 * 1e13)).toBeCloseTo(1, 12);
    expect(fit.nOpt!.exponent).toBeCloseTo(A_TRUE, 2);
    expect(fit.dOpt!.exponent).toBeCloseTo(1 - A_TRUE, 2);
    // every envelope N is the tried size nearest the true optimum (sizes are 10^(1/8) apart)
    for (const p of fit.envelope.filter((q) => q.bracketed)) expect(Math.abs(Math.log10(p.N / nOptTrue(p.C)))).toBeLessThanOrEqual(1 / 8);
    for (const p of fit.envelope) expect(p.loss).toBeCloseTo(law(p.N, p.D), 2);
  });

  /** Curves of every size with `horizons` cosine horizons over 16× around its optimal D; unfinished schedules sit `excess` × the data term above the law. */
  const horizonCurves = (horizons: number, excess: number): TrainingCurve[] => SIZES.flatMap((N) => {
    const dOpt = (N / G) ** (1 / A_TRUE) / N; // tokens at which N is compute-optimal
    return logSpace(dOpt / 4, 4 * dOpt, horizons).map((H) => ({
      N, points: logSpace(H / 50, H, 40).map((D) => ({ D, loss: law(N, D) + excess * (1 - D / H) * (LAW.B / D ** LAW.beta) })),
    }));
  });

  it("recovers a from four cosine horizons over 16× per size, with an interval that covers the estimate", () => {
    const exact = fitApproach1(horizonCurves(4, 0), { resamples: 0 });
    expect(exact.nOpt!.exponent).toBeCloseTo(A_TRUE, 2);
    const fit = fitApproach1(horizonCurves(4, 0.1), { resamples: 200, seed: 1 });
    expect(Math.abs(fit.nOpt!.exponent - A_TRUE)).toBeLessThan(0.02);
    expect(fit.nOpt!.exponent + fit.dOpt!.exponent).toBeCloseTo(1, 10); // D_opt = C / (6·N_opt)
    const [lo, hi] = fit.nOpt!.ci!;
    expect(lo).toBeLessThanOrEqual(fit.nOpt!.exponent);
    expect(hi).toBeGreaterThanOrEqual(fit.nOpt!.exponent);
    expect(fit.message).toMatch(/^\d+ envelope points over \d+ sizes fitted; \d+ of 100 envelope points not bracketed/);
  });

  it("unfinished schedules bias a low, and more horizons shrink the bias", () => {
    const a4 = fitApproach1(horizonCurves(4, 0.3), { resamples: 0 }).nOpt!.exponent;
    const a8 = fitApproach1(horizonCurves(8, 0.3), { resamples: 0 }).nOpt!.exponent;
    expect(a4).toBeLessThan(A_TRUE);
    expect(Math.abs(a8 - A_TRUE)).toBeLessThan(Math.abs(a4 - A_TRUE));
  });

  it("marks points no larger (or smaller) size reaches as unbracketed and leaves them out unless asked", () => {
    // optimum far above the largest size tried: the largest size wins everywhere
    const curves: TrainingCurve[] = [1e6, 2e6, 4e6].map((N) => ({ N, points: logSpace(1e9, 1e12, 50).map((D) => ({ D, loss: law(N, D) })) }));
    const fit = fitApproach1(curves, { resamples: 0 });
    expect(fit.envelope.every((p) => !p.bracketed)).toBe(true);
    expect(fit.envelope.filter((p) => p.C >= 6 * 4e6 * 1e9 && p.C <= 6 * 1e6 * 1e12).every((p) => p.N === 4e6)).toBe(true);
    expect(fit.nOpt).toBeNull();
    expect(fit.message).toBe("N_opt takes fewer than 2 sizes along the fitted envelope (3 along the whole of it; 100 of 100 envelope points not bracketed by a smaller and a larger size (left out of the fit)); no power law");
    // asked to, it fits all 100 points: a slope that only says which sizes' curves reach which budgets
    expect(fitApproach1(curves, { resamples: 0, includeEdges: true }).nOpt!.budgets).toBe(100);
  });

  it("interpolates each curve in ln C and skips budgets no curve reaches", () => {
    const curves: TrainingCurve[] = [{ N: 1, points: [{ D: 1, loss: 4 }, { D: 100, loss: 2 }] }];
    const env = lowerEnvelope(curves, [6, 6e4], 5); // C = 6, 60, 600, 6e3, 6e4
    expect(env.map((p) => p.loss)).toEqual([4, 3, 2]);
    expect(env.map((p) => p.D)).toEqual([1, 10, 100].map((d) => expect.closeTo(d, 9)));
  });

  it("names bad curves and empty ranges", () => {
    expect(() => fitApproach1([])).toThrow("fitApproach1: no curves");
    expect(() => fitApproach1([{ N: 0, points: [{ D: 1, loss: 1 }] }])).toThrow("fitApproach1: curve 0 has N = 0; N must be a positive number");
    expect(() => fitApproach1([{ N: 5, points: [{ D: 1, loss: NaN }] }])).toThrow("fitApproach1: curve 0 (N = 5) point 0 has D = 1, loss = NaN; D must be positive and loss finite");
    expect(() => fitApproach1([{ N: 5, points: [] }])).toThrow("fitApproach1: curve 0 (N = 5) has no points");
    const one: TrainingCurve[] = [{ N: 1, points: [{ D: 1, loss: 3 }] }];
    expect(() => fitApproach1(one)).toThrow("fitApproach1: the compute range [6.00e+0, 6.00e+0] is empty; the curves all sit at one budget");
    expect(() => fitApproach1(one, { cRange: [10, 1] })).toThrow(/pass a range with 0 < low < high/);
    expect(() => fitApproach1(one, { gridPoints: 1 })).toThrow("fitApproach1: gridPoints must be an integer ≥ 2, got 1");
  });
});
