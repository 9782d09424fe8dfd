/**
 * @file clipGradNorm/gradNorm: norms, clipping, p-norms, and the non-finite policy.
 */
import { tensor, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { NonFiniteGradError, clipGradNorm, gradNorm } from "./clip.js";

function withGrads(...grads: number[][]): Tensor[] {
  return grads.map((g) => {
    const p = tensor(g.map(() => 0), { requiresGrad: true });
    p.grad = tensor(g);
    return p;
  });
}
const grads = (ps: Tensor[]) => ps.map((p) => p.grad!.toArray() as number[]);

describe("clipGradNorm", () => {
  it("returns the global L2 norm before clipping and scales gradients to maxNorm", () => {
    const ps = withGrads([3], [4]);
    const r = clipGradNorm(ps, 1);
    expect(r.totalNorm).toBe(5);
    expect(r.finite).toBe(true);
    expect(r.clipCoef).toBeCloseTo(0.2, 6);
    expect(gradNorm(ps)).toBeCloseTo(1, 6);
  });

  it("leaves gradients alone when the norm is within maxNorm", () => {
    const ps = withGrads([0.3], [0.4]);
    const r = clipGradNorm(ps, 1);
    expect(r).toEqual({ totalNorm: Math.fround(0.5), finite: true, clipCoef: 1 });
    expect(grads(ps)).toEqual([[Math.fround(0.3)], [Math.fround(0.4)]]);
  });

  it("skips parameters without a gradient and returns 0 when none has one", () => {
    const none = tensor([1], { requiresGrad: true });
    expect(clipGradNorm([none, ...withGrads([3, 4])], 10).totalNorm).toBe(5);
    expect(clipGradNorm([none], 1)).toEqual({ totalNorm: 0, finite: true, clipCoef: 1 });
  });

  it("supports the max-norm (normType Infinity) and other p", () => {
    expect(gradNorm(withGrads([1, -7], [3]), Infinity)).toBe(7);
    expect(gradNorm(withGrads([1, -2], [3]), 1)).toBe(6);
    expect(() => gradNorm(withGrads([1]), 0)).toThrow("normType must be > 0 or Infinity");
  });

  it("on a NaN or infinite norm returns finite: false and never touches the gradients", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const ps = withGrads([1, bad], [2]);
      const r = clipGradNorm(ps, 1);
      expect(r.finite).toBe(false);
      expect(Number.isFinite(r.totalNorm)).toBe(false);
      expect(grads(ps)).toEqual([[1, bad], [2]]);
    }
  });

  it("throws NonFiniteGradError with errorIfNonfinite", () => {
    const ps = withGrads([1, NaN]);
    expect(() => clipGradNorm(ps, 1, { errorIfNonfinite: true })).toThrow(NonFiniteGradError);
    expect(() => clipGradNorm(ps, 1, { errorIfNonfinite: true })).toThrow("clipGradNorm: the total gradient norm is NaN; gradients were left unchanged");
    expect(grads(ps)).toEqual([[1, NaN]]);
  });

  it("rejects maxNorm ≤ 0", () => {
    expect(() => clipGradNorm(withGrads([1]), 0)).toThrow("clipGradNorm: maxNorm must be > 0, got 0");
  });
});
