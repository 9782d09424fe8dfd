/**
 * @file Scalar math helpers that generated elementwise kernels may call:
 * the logistic function, an erf accurate to float64 rounding (for exact
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
 * The error function: Maclaurin series for |x| < 2.5, a Lentz continued
 * fraction for erfc beyond (both accurate to ~1e-15; Abramowitz & Stegun 7.1.5, 7.1.14).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? tiny : 1 / d;
    c = ax + an / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * 1.7724538509055159);
  return Math.sign(x) * (1 - erfc);
}

/** Exact GELU: `x · Φ(x) = ½x(1 + erf(x/√2))`. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/** d gelu(x)/dx = `Φ(x) + x φ(x)`. */
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * Math.SQRT1_2)) + (x * Math.exp(-0.5 * x * x)) / 2.5066282746310002;
}
