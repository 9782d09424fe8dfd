/**
 * @file The scalar math helpers against values from mpmath at 30 digits
 * (`mpmath.erf(x)` printed as float64): the fast piecewise-Chebyshev erf and
 * the slow reference it is built from, and GELU's derivative against finite differences.
 */
import { describe, expect, it } from "vitest";
import { erf, erfReference, gelu, geluGrad } from "./math.js";

const MPMATH_ERF: readonly [number, number][] = [
  [1e-8, 1.1283791670955126e-8], [0.1, 0.1124629160182849], [0.49, 0.511668261188523], [0.5, 0.5204998778130465],
  [0.93, 0.8115635585845578], [1.0, 0.8427007929497149], [1.7909, 0.988681708675652], [2.2442, 0.9984953131004775],
  [2.5, 0.999593047982555], [3.3, 0.9999969422902035], [4.75, 0.9999999999815149], [5.9, 0.9999999999999999],
];

const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe("erf", () => {
  it("matches mpmath within 3.2e-15 relative at points across the pieces, and is odd in x", () => {
    for (const [x, want] of MPMATH_ERF) {
      expect(relErr(erf(x), want)).toBeLessThan(3.2e-15);
      expect(erf(-x)).toBe(-erf(x));
      expect(relErr(erfReference(x), want)).toBeLessThan(1e-15);
    }
  });

  it("agrees with the reference on a dense grid, is monotone across piece boundaries up to rounding, and handles the edges", () => {
    let prev = 0;
    for (let x = 1e-3; x < 6.2; x += 1e-3) {
      expect(relErr(erf(x), erfReference(x))).toBeLessThan(4e-15);
      expect(erf(x)).toBeGreaterThanOrEqual(prev - 4e-15); // monotone up to rounding, no jumps at piece boundaries
      prev = erf(x);
    }
    expect(erf(0)).toBe(0);
    expect(erf(1e-300)).toBeCloseTo(1.1283791670955126e-300, 310);
    expect([erf(6), erf(Infinity), erf(-Infinity)]).toEqual([1, 1, -1]);
    expect(erf(NaN)).toBeNaN();
  });
});

describe("gelu", () => {
  it("geluGrad is gelu's derivative (central differences in float64)", () => {
    for (const x of [-7, -3.1, -1, -0.2, 0, 0.3, 1.4, 2.6, 5]) {
      const h = 1e-5;
      expect(Math.abs((gelu(x + h) - gelu(x - h)) / (2 * h) - geluGrad(x))).toBeLessThan(1e-9);
    }
  });
});
