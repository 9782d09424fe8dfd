/**
 * @file Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_), with
 * an explicit policy for NaN/Inf norms: gradients are then left untouched and
 * the result says so (or `NonFiniteGradError` is thrown) — never silently NaN.
 */
import { sumOfSquares, type Tensor } from "@kiln/tensor";

/** What `clipGradNorm` measured and did. */
export interface ClipResult {
  /** The total norm of all gradients before clipping, rounded to float32 (as torch returns it). */
  totalNorm: number;
  /** False when `totalNorm` is NaN or ±Infinity: the gradients were not modified. */
  finite: boolean;
  /** The factor the gradients were multiplied by (1 when already within `maxNorm`; NaN when not finite). */
  clipCoef: number;
}

/** Options of `clipGradNorm` and `gradNorm`. */
export interface ClipOptions {
  /** The p of the p-norm: 2 (default), any p > 0, or `Infinity` for the max-abs norm. */
  normType?: number;
  /** Throw `NonFiniteGradError` instead of returning `finite: false` (torch's `error_if_nonfinite`). */
  errorIfNonfinite?: boolean;
}

/** Thrown by `clipGradNorm(..., { errorIfNonfinite: true })` when the total norm is NaN or infinite. */
export class NonFiniteGradError extends Error {
  constructor(
    /** The non-finite total norm. */
    readonly totalNorm: number,
  ) {
    super(`clipGradNorm: the total gradient norm is ${totalNorm}; gradients were left unchanged (skip this step or lower the learning rate)`);
    this.name = "NonFiniteGradError";
  }
}

function gradsOf(params: Iterable<Tensor>, op: string): Float32Array[] {
  const out: Float32Array[] = [];
  for (const p of params) {
    const g = p.grad;
    if (g === null) continue;
    if (g.dtype !== "float32") throw new TypeError(`${op}: gradients must be float32, got ${g.dtype}`);
    if (!g.isContiguous) throw new Error(`${op}: a gradient of shape [${g.shape.join(", ")}] is a non-contiguous view`);
    out.push(g.data as Float32Array);
  }
  return out;
}

function normOf(grads: readonly Float32Array[], p: number): number {
  if (!(p > 0)) throw new RangeError(`clipGradNorm: normType must be > 0 or Infinity, got ${p}`);
  let acc = 0;
  if (p === Infinity) {
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]!);
        if (a > acc || a !== a) acc = a;
      }
    }
    return acc;
  }
  // NOTE: accumulated in float64, so the float32 result is the correctly rounded norm;
  // torch accumulates in float32 and may differ by one ulp.
  if (p === 2) acc = sumOfSquares(grads); // on WASM SIMD over the pool when available
  else {
    for (const g of grads) for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]!) ** p;
  }
  return Math.fround(p === 2 ? Math.sqrt(acc) : acc ** (1 / p));
}

/** The global p-norm of the gradients of `params` (those with a `.grad`): `‖(‖g₁‖, …, ‖gₙ‖)‖ₚ`. */
export function gradNorm(params: Iterable<Tensor>, normType = 2): number {
  return normOf(gradsOf(params, "gradNorm"), normType);
}

/**
 * Scales all gradients in place so their global norm is at most `maxNorm`, as torch
 * does: `g ← g · min(1, maxNorm / (‖g‖ + 1e-6))`. Returns the norm before clipping.
 * A NaN/Inf norm leaves every gradient untouched and returns `finite: false`
 * (or throws `NonFiniteGradError` with `errorIfNonfinite`): skip that optimizer step.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, opts: ClipOptions = {}): ClipResult {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const list = [...params];
  const grads = gradsOf(list, "clipGradNorm");
  const totalNorm = normOf(grads, opts.normType ?? 2);
  if (!Number.isFinite(totalNorm)) {
    if (opts.errorIfNonfinite === true) throw new NonFiniteGradError(totalNorm);
    return { totalNorm, finite: false, clipCoef: NaN };
  }
  const f = Math.fround;
  // NOTE: torch's order in float32: `max_norm / (total + 1e-6)` is `reciprocal(total + 1e-6) * max_norm`
  const coef = f(f(1 / f(totalNorm + f(1e-6))) * f(maxNorm));
  if (coef >= 1) return { totalNorm, finite: true, clipCoef: 1 };
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  }
  for (const p of list) if (p.grad !== null) p.grad.storage.version++;
  return { totalNorm, finite: true, clipCoef: coef };
}
