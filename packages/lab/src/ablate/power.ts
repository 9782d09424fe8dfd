/**
 * @file Power before compute: from a pilot's paired differences (variant −
 * baseline, one per seed) estimate their seed-to-seed spread, predict the 95%
 * half-width the planned seeds will give — the same `t_{0.975, n−1}·sd/√n` the
 * paired t-test reports (stats.ts) — choose the fewest seeds that reach a
 * target half-width, and say when a time budget cannot reach it.
 */
import { studentTQuantile, summarize } from "../stats/stats.js";

/** One comparison's pilot: its name and the per-seed differences `variant − baseline`. */
export interface PilotComparison {
  name: string;
  diffs: readonly number[];
}

/** The spread of one comparison's paired differences. */
export interface DifferenceSpread {
  name: string;
  /** Pairs in the pilot. */
  n: number;
  /** Sample standard deviation of the differences (NaN with fewer than 2). */
  sd: number;
}

/** The spread per comparison and pooled over all of them. */
export interface PilotSpread {
  comparisons: DifferenceSpread[];
  /** `√(Σ (nᵢ − 1)·sdᵢ² / Σ (nᵢ − 1))` over comparisons with ≥ 2 pairs, with its degrees of freedom. */
  pooled: { sd: number; df: number };
  /** The largest per-comparison sd (the comparison that needs the most seeds). */
  worst: DifferenceSpread;
}

/**
 * The standard deviation of each comparison's paired differences and their
 * pooled value (variances weighted by degrees of freedom). A pilot needs at
 * least one comparison with ≥ 2 seeds; pairs that are not finite are errors.
 */
export function pilotSpread(pilot: readonly PilotComparison[]): PilotSpread {
  if (pilot.length === 0) throw new RangeError("pilotSpread: the pilot has no comparisons");
  for (const c of pilot) {
    const bad = c.diffs.findIndex((d) => !Number.isFinite(d));
    if (bad >= 0) throw new RangeError(`pilotSpread: comparison ${JSON.stringify(c.name)} has a non-finite difference at seed index ${bad} (${c.diffs[bad]})`);
  }
  const comparisons = pilot.map((c) => ({ name: c.name, ...summarize(c.diffs) })).map(({ name, n, sd }) => ({ name, n, sd: n >= 2 ? sd : NaN }));
  const usable = comparisons.filter((c) => c.n >= 2);
  if (usable.length === 0) throw new RangeError("pilotSpread: every comparison has fewer than 2 seeds; a spread needs at least 2 paired seeds");
  const df = usable.reduce((s, c) => s + c.n - 1, 0);
  const sd = Math.sqrt(usable.reduce((s, c) => s + (c.n - 1) * c.sd * c.sd, 0) / df);
  const worst = usable.reduce((m, c) => (c.sd > m.sd ? c : m));
  return { comparisons, pooled: { sd, df }, worst };
}

/** The half-width `t_{(1+level)/2, n−1} · sd / √n` of the paired t interval with `n` seeds (NaN for n < 2). */
export function halfWidthFor(sd: number, n: number, level = 0.95): number {
  if (!(sd >= 0)) throw new RangeError(`halfWidthFor: sd must be a non-negative number, got ${sd}`);
  if (!Number.isInteger(n)) throw new RangeError(`halfWidthFor: n must be an integer count of seeds, got ${n}`);
  if (n < 2) return NaN;
  return (studentTQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n);
}

/** How many seeds a target needs. */
export interface SeedChoice {
  /** The fewest seeds (≥ 2) whose half-width is ≤ the target, else `maxSeeds`. */
  seeds: number;
  /** The half-width those seeds give. */
  halfWidth: number;
  /** Whether `halfWidth ≤ target`. */
  reached: boolean;
}

/** The fewest seeds in [2, maxSeeds] whose 95% half-width at spread `sd` is ≤ `targetHalfWidth` (or `maxSeeds`, unreached). */
export function seedsFor(targetHalfWidth: number, sd: number, maxSeeds: number): SeedChoice {
  if (!(targetHalfWidth > 0)) throw new RangeError(`seedsFor: the target half-width must be positive, got ${targetHalfWidth}`);
  if (!(Number.isInteger(maxSeeds) && maxSeeds >= 2)) throw new RangeError(`seedsFor: maxSeeds must be an integer ≥ 2, got ${maxSeeds}`);
  for (let n = 2; n <= maxSeeds; n++) {
    const halfWidth = halfWidthFor(sd, n);
    if (halfWidth <= targetHalfWidth) return { seeds: n, halfWidth, reached: true };
  }
  return { seeds: maxSeeds, halfWidth: halfWidthFor(sd, maxSeeds), reached: false };
}

/** What {@link planSeeds} is given. */
export interface SeedBudget {
  /** The 95% half-width every comparison should reach. */
  targetHalfWidth: number;
  /** The spread of paired differences to plan with (e.g. the pilot's worst or pooled sd). */
  sd: number;
  /** Seconds of one run of each variant (the baseline included): one seed costs their sum. */
  secondsPerRun: readonly number[];
  /** Wall-clock budget for the whole study, in seconds. */
  budgetSeconds: number;
  /** Never plan more seeds than this (default 20). */
  maxSeeds?: number;
}

/** A seed count that fits a budget, or the best one that does. */
export interface SeedPlan extends SeedChoice {
  /** Seconds the chosen seeds take (`seeds × Σ secondsPerRun`). */
  seconds: number;
  /** The most seeds the budget affords. */
  affordable: number;
  /** One line for the user. */
  message: string;
}

const secs = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

/**
 * Chooses the number of seeds for a target half-width within a time budget:
 * the fewest that reach the target if the budget affords them, otherwise
 * the most the budget affords, with a message saying the target is out of reach.
 */
export function planSeeds(b: SeedBudget): SeedPlan {
  const { targetHalfWidth, sd, secondsPerRun, budgetSeconds, maxSeeds = 20 } = b;
  if (secondsPerRun.length === 0 || !secondsPerRun.every((s) => s > 0 && Number.isFinite(s))) {
    throw new RangeError(`planSeeds: secondsPerRun must be positive numbers, one per variant, got [${secondsPerRun.join(", ")}]`);
  }
  if (!(budgetSeconds > 0)) throw new RangeError(`planSeeds: budgetSeconds must be positive, got ${budgetSeconds}`);
  const perSeed = secondsPerRun.reduce((s, x) => s + x, 0);
  const affordable = Math.min(maxSeeds, Math.floor(budgetSeconds / perSeed));
  const need = seedsFor(targetHalfWidth, sd, maxSeeds);
  const target = `±${targetHalfWidth.toFixed(3)}`;
  if (need.reached && need.seeds <= affordable) {
    const seconds = need.seeds * perSeed;
    return { ...need, seconds, affordable, message: `${need.seeds} seeds give ±${need.halfWidth.toFixed(3)} (target ${target}) in ${secs(seconds)} of the ${secs(budgetSeconds)} budget (${secondsPerRun.length} runs, ${secs(perSeed)} per seed)` };
  }
  if (affordable < 2) {
    return { seeds: affordable, halfWidth: NaN, reached: false, seconds: affordable * perSeed, affordable, message: `cannot reach ${target} within ${secs(budgetSeconds)}: one seed of all ${secondsPerRun.length} variants takes ${secs(perSeed)}, and an interval needs 2 seeds` };
  }
  const best = halfWidthFor(sd, affordable);
  const why = need.reached ? `it needs ${need.seeds} seeds (${secs(need.seeds * perSeed)})` : `not even ${maxSeeds} seeds reach it`;
  return { seeds: affordable, halfWidth: best, reached: false, seconds: affordable * perSeed, affordable, message: `cannot reach ${target} within ${secs(budgetSeconds)} (${why}); best is ±${best.toFixed(3)} with ${affordable} seeds` };
}
