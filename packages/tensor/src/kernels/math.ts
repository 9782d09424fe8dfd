/**
 * @file Scalar math helpers that generated elementwise kernels may call:
 * the logistic function, an erf accurate to ~15 float64 ulps (for exact
 * GELU, as `torch.nn.functional.gelu` computes it), and the derivatives the
 * backward rules need.
 */

/** `1 / (1 + e^-x)`, written to avoid overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** d silu(x)/dx = `s (1 + x (1 − s))` with `s = sigmoid(x)`. */
export function siluGrad(x: number): number {
  const s = sigmoid(x);
  return s * (1 + x * (1 - s));
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * erf for 0 ≤ x, to float64 rounding but slowly: below 2.5 the everywhere-positive series
 * `2/√π · e^(−x²) · Σ 2ⁿx²ⁿ⁺¹ / (1·3·…·(2n+1))` (no cancellation; Abramowitz & Stegun 7.1.6),
 * above it `1 − erfc` with erfc from its Lentz continued fraction (7.1.14). Builds {@link erf}'s tables.
 */
export function erfReference(x: number): number {
  if (x < 2.5) {
    let term = x;
    let sum = x;
    const twoX2 = 2 * x * x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= twoX2 / (2 * n + 1);
      sum += term;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …))))
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    d = 1 / (x + (n / 2) * d);
    c = x + n / 2 / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 - Math.exp(-x * x) / (f * 1.7724538509055159);
}

// erf(x)/x on [0, 6) as 12 pieces of width ½, each a Chebyshev series of 14 terms fitted at
// load time from erfReference at the Chebyshev nodes. Dividing by x keeps erf's relative
// accuracy near 0; beyond 6, erf is ±1 to within 2e-17.
const PIECES = 12;
const TERMS = 14;
const CHEB = chebyshevTables();

function chebyshevTables(): Float64Array {
  const c = new Float64Array(PIECES * TERMS);
  const f = new Float64Array(TERMS);
  for (let k = 0; k < PIECES; k++) {
    for (let i = 0; i < TERMS; i++) {
      const x = (k + 0.5 + 0.5 * Math.cos((Math.PI * (i + 0.5)) / TERMS)) / 2;
      f[i] = erfReference(x) / x;
    }
    for (let j = 0; j < TERMS; j++) {
      let a = 0;
      for (let i = 0; i < TERMS; i++) a += f[i]! * Math.cos((Math.PI * j * (i + 0.5)) / TERMS);
      c[k * TERMS + j] = ((j === 0 ? 1 : 2) / TERMS) * a;
    }
  }
  return c;
}

/** The error function to within 3.2e-15 relative (≈ 15 float64 ulps): a piecewise Chebyshev series by Clenshaw, a fixed 14 terms for every x. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < 6)) return Number.isNaN(x) ? NaN : Math.sign(x);
  const k = Math.floor(2 * ax);
  const t = 4 * ax - 2 * k - 1; // [k/2, (k+1)/2) → [−1, 1)
  const t2 = 2 * t;
  const base = k * TERMS;
  let b1 = 0;
  let b2 = 0;
  for (let j = TERMS - 1; j > 0; j--) {
    const b0 = t2 * b1 - b2 + CHEB[base + j]!;
    b2 = b1;
    b1 = b0;
  }
  return x * (t * b1 - b2 + CHEB[base]!);
}

/** Exact GELU: `x · Φ(x) = ½x(1 + erf(x/√2))`. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/** d gelu(x)/dx = `Φ(x) + x φ(x)`. */
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * Math.SQRT1_2)) + (x * Math.exp(-0.5 * x * x)) / 2.5066282746310002;
}
