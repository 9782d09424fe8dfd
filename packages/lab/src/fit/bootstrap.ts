/**
 * @file Bootstrap confidence intervals for the Approach 3 fit: refit the law
 * on resamples of the points (drawn with replacement), each started from the
 * distinct optima the full grid found, and take 95% percentile intervals.
 */
import { fitLossLaw, type LossLawFit } from "./parametric.js";
import type { ScalingPoint } from "./points.js";
import { percentileInterval, resampleIndices, seededRandom } from "./stats.js";

/** The quantities a bootstrap gives intervals for. */
export const LAW_QUANTITIES = ["E", "A", "B", "alpha", "beta", "a", "b"] as const;

/** One of {@link LAW_QUANTITIES}. */
export type LawQuantity = (typeof LAW_QUANTITIES)[number];

/** Bootstrap intervals of a loss-law fit. */
export interface LossLawBootstrap {
  resamples: number;
  /** Resamples whose fit failed (e.g. too few distinct points); they are left out. */
  failed: number;
  seed: number;
  /** 95% percentile interval of each quantity. */
  ci: Record<LawQuantity, [number, number]>;
}

/** Options of {@link bootstrapLossLaw}. */
export interface BootstrapOptions {
  /** Resamples (default 400). */
  resamples?: number;
  seed?: number;
  /** Huber δ (the fit's; default 1e-3). */
  delta?: number;
}

/** 95% bootstrap intervals for E, A, B, α, β and the derived a, b of `fit`. */
export function bootstrapLossLaw(points: readonly ScalingPoint[], fit: LossLawFit, opts: BootstrapOptions = {}): LossLawBootstrap {
  const { resamples = 400, seed = 0, delta = 1e-3 } = opts;
  const random = seededRandom(seed);
  const samples: Record<LawQuantity, number[]> = { E: [], A: [], B: [], alpha: [], beta: [], a: [], b: [] };
  let failed = 0;
  const noGrid = { a: [], b: [], e: [], alpha: [], beta: [] };
  for (let r = 0; r < resamples; r++) {
    const sample = resampleIndices(points.length, random).map((i) => points[i]!);
    try {
      const f = fitLossLaw(sample, { grid: noGrid, extraStarts: fit.optima, delta });
      for (const k of ["E", "A", "B", "alpha", "beta"] as const) samples[k].push(f.law[k]);
      samples.a.push(f.a);
      samples.b.push(f.b);
    } catch {
      failed++;
    }
  }
  const ci = Object.fromEntries(LAW_QUANTITIES.map((k) => [k, percentileInterval(samples[k])])) as Record<LawQuantity, [number, number]>;
  return { resamples, failed, seed, ci };
}
