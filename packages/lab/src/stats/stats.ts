/**
 * @file The statistics of an ablation: mean and standard deviation over
 * seeds, Student's t distribution (CDF through the regularized incomplete
 * beta function, quantile by safeguarded Newton), and the paired t-test that
 * compares each variant with the baseline seed by seed.
 */

/** Sample size, mean and sample standard deviation (n − 1 denominator; 0 for n = 1, NaN for n = 0). */
export interface Summary {
  n: number;
  mean: number;
  sd: number;
}

/** `{ n, mean, sd }` of `xs`, with the unbiased-variance standard deviation. */
export function summarize(xs: readonly number[]): Summary {
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return { n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

// Lanczos approximation, g = 7, n = 9 (relative error < 1e-15 for x > 0.5).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** `ln Γ(x)` for x > 0 (Lanczos 1964, reflection below 0.5). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of I_x(a, b), evaluated by the modified Lentz method (converges fast for x < (a+1)/(a+b+2)). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    for (const even of [true, false]) {
      // the 2m-th coefficient, then the (2m+1)-th
      const num = even ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      const delta = c * d;
      h *= delta;
      if (!even && Math.abs(delta - 1) < 1e-16) return h;
    }
  }
  return h; // not reached for the (a, b) a t-test uses
}

/** The regularized incomplete beta function `I_x(a, b)` for a, b > 0, x in [0, 1]. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // NOTE: the fraction converges quickly only on one side of the mean; use I_x(a,b) = 1 − I_{1−x}(b,a) on the other.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom: `1 − ½·I_{df/(df+t²)}(df/2, ½)` for t > 0. */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Student's t density. */
function studentTPdf(t: number, df: number): number {
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logC - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/**
 * The p-quantile of Student's t with `df` (> 0, not necessarily integer)
 * degrees of freedom: t_{0.975, 4} = 2.776. Solves `studentTCdf(t) = p` by
 * Newton steps kept inside a bisection bracket, to ~1e-12.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  // bracket [lo, hi] with cdf(lo) < p ≤ cdf(hi)
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  let t = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const f = studentTCdf(t, df) - p;
    if (f < 0) lo = t;
    else hi = t;
    // NOTE: near p → 1 the CDF is flat, so Newton can overshoot; fall back to bisection outside the bracket.
    let next = t - f / studentTPdf(t, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-13 * Math.max(1, Math.abs(t)) || hi - lo <= 1e-14 * hi) return next;
    t = next;
  }
  return t;
}

/** The result of a paired t-test of `variant − baseline`. */
export interface PairedTest {
  /** Number of pairs. */
  n: number;
  /** Mean of the paired differences `variant[i] − baseline[i]`. */
  meanDiff: number;
  /** Sample standard deviation of the differences. */
  sdDiff: number;
  /** Standard error of the mean difference, `sd / √n`. */
  se: number;
  /** `meanDiff / se`. */
  t: number;
  df: number;
  /** Two-sided p-value for "mean difference = 0". */
  pValue: number;
  /** Confidence level of `ci`. */
  level: number;
  /** `meanDiff ± t_{(1+level)/2, n−1} · se`; NaN bounds when n < 2. */
  ci: [number, number];
}

/**
 * Paired t-test of `variant` against `baseline` (equal-length arrays, pair
 * i = seed i): the mean difference with its `level` confidence interval
 * (Student 1908; e.g. Wasserman, "All of Statistics", §10.4).
 */
export function pairedTTest(baseline: readonly number[], variant: readonly number[], level = 0.95): PairedTest {
  if (baseline.length !== variant.length) throw new RangeError(`pairedTTest: ${baseline.length} baseline values but ${variant.length} variant values; pairs need equal lengths`);
  if (!(level > 0 && level < 1)) throw new RangeError(`pairedTTest: level must be in (0, 1), got ${level}`);
  const diffs = variant.map((v, i) => v - baseline[i]!);
  const { n, mean, sd } = summarize(diffs);
  const df = n - 1;
  if (n < 2) return { n, meanDiff: mean, sdDiff: NaN, se: NaN, t: NaN, df, pValue: NaN, level, ci: [NaN, NaN] };
  const se = sd / Math.sqrt(n);
  if (se === 0) {
    // every pair differs by exactly the same amount: no sampling spread to test against
    return { n, meanDiff: mean, sdDiff: 0, se: 0, t: mean === 0 ? NaN : Math.sign(mean) * Infinity, df, pValue: mean === 0 ? 1 : 0, level, ci: [mean, mean] };
  }
  const t = mean / se;
  const q = studentTQuantile((1 + level) / 2, df);
  return { n, meanDiff: mean, sdDiff: sd, se, t, df, pValue: 2 * studentTCdf(-Math.abs(t), df), level, ci: [mean - q * se, mean + q * se] };
}

/** Whether a finished test found a difference: the interval excludes zero (`"none"` when it covers zero, `"unknown"` with fewer than 2 pairs). */
export function direction(test: PairedTest): "lower" | "higher" | "none" | "unknown" {
  const [lo, hi] = test.ci;
  if (test.n < 2 || Number.isNaN(lo) || Number.isNaN(hi)) return "unknown";
  if (lo > 0) return "higher";
  if (hi < 0) return "lower";
  return "none";
}
