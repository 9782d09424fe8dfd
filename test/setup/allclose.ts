/**
 * @file `expect(actual).toBeAllclose(expected, { atol, rtol })`: every element
 * within `atol + rtol·|expected|` (torch.allclose's rule), shapes equal, NaN
 * matching NaN and infinities matching exactly. Values may be tensors (anything
 * with `shape` and `toArray()`), nested number arrays or typed arrays. Registered
 * for every test by vitest.config.ts's `setupFiles`; the failure names the worst
 * element by index and how many elements are off.
 */
import { expect } from "vitest";

/** Tolerances of `toBeAllclose` (torch's defaults: rtol 1e-5, atol 1e-8). */
export interface AllcloseOptions {
  /** Absolute tolerance. */
  atol?: number;
  /** Tolerance relative to |expected|. */
  rtol?: number;
}

declare module "vitest" {
  interface Assertion<T> {
    /** Every element of the received value within `atol + rtol·|expected|` of `expected`, same shape. */
    toBeAllclose(expected: unknown, options?: AllcloseOptions): T;
  }
  interface AsymmetricMatchersContaining {
    /** Every element within `atol + rtol·|expected|` of `expected`, same shape. */
    toBeAllclose(expected: unknown, options?: AllcloseOptions): unknown;
  }
}

interface Flat {
  shape: number[];
  values: number[];
}

/** The shape and row-major values of a tensor, nested array, typed array or number. */
function flatten(x: unknown, what: string): Flat {
  if (typeof x === "number" || typeof x === "boolean") return { shape: [], values: [Number(x)] };
  if (typeof x === "object" && x !== null && "shape" in x && typeof (x as { toArray?: unknown }).toArray === "function") {
    const t = x as { shape: readonly number[]; toArray(): unknown };
    return { shape: [...t.shape], values: flatten(t.toArray(), what).values };
  }
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return { shape: [(x as unknown as ArrayLike<number>).length], values: Array.from(x as unknown as ArrayLike<number>, Number) };
  if (Array.isArray(x)) {
    if (x.length === 0) return { shape: [0], values: [] };
    const parts = x.map((v) => flatten(v, what));
    const inner = parts[0]!.shape;
    if (parts.some((p) => p.shape.join() !== inner.join())) throw new TypeError(`toBeAllclose: ${what} is a ragged array`);
    return { shape: [x.length, ...inner], values: parts.flatMap((p) => p.values) };
  }
  throw new TypeError(`toBeAllclose: ${what} must be a tensor, an array or a number, got ${typeof x}`);
}

/** Multi-index of flat position `i` in `shape`. */
function indexOf(i: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return `[${idx.join(", ")}]`;
}

expect.extend({
  toBeAllclose(received: unknown, expected: unknown, options: AllcloseOptions = {}) {
    const { atol = 1e-8, rtol = 1e-5 } = options;
    const a = flatten(received, "the received value");
    const e = flatten(expected, "the expected value");
    const tol = `atol ${atol}, rtol ${rtol}`;
    if (a.shape.join() !== e.shape.join()) {
      return { pass: false, message: () => `expected shape [${e.shape.join(", ")}], received shape [${a.shape.join(", ")}]` };
    }
    let bad = 0;
    let worst = -1;
    let worstExcess = -Infinity;
    a.values.forEach((v, i) => {
      const w = e.values[i]!;
      const ok = Number.isNaN(w) ? Number.isNaN(v) : Number.isFinite(w) ? Math.abs(v - w) <= atol + rtol * Math.abs(w) : v === w;
      if (ok) return;
      bad++;
      const excess = Number.isFinite(v) && Number.isFinite(w) ? Math.abs(v - w) - (atol + rtol * Math.abs(w)) : Infinity;
      if (excess > worstExcess) [worst, worstExcess] = [i, excess];
    });
    const n = a.values.length;
    if (bad === 0) return { pass: true, message: () => `expected some of ${n} elements to differ beyond ${tol}, all are close` };
    const v = a.values[worst]!;
    const w = e.values[worst]!;
    return {
      pass: false,
      message: () => `${bad} of ${n} elements differ beyond ${tol}; worst at ${indexOf(worst, e.shape)}: received ${v}, expected ${w} (|Δ| ${Math.abs(v - w)})`,
    };
  },
});
