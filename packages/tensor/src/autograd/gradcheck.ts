/**
 * @file `gradcheck`: compares the analytical Jacobian (one backward pass
 * per output element) with central finite differences, in float64
 * (`torch.autograd.gradcheck`).
 */
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw a descriptive error on mismatch (default true); otherwise return false. */
  raiseException?: boolean;
}

/**
 * Checks `fn`'s gradients w.r.t. every input that requires grad. Inputs must
 * be contiguous float64 tensors; returns true when every Jacobian entry
 * satisfies `|analytical − numerical| ≤ atol + rtol·|numerical|`.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  inputs.forEach((x, i) => {
    if (x.requiresGrad && x.dtype !== "float64") {
      throw new TypeError(`gradcheck: input ${i} is ${x.dtype}; finite differences need float64 (use .to("float64"))`);
    }
    if (x.requiresGrad && !x.isContiguous) throw new TypeError(`gradcheck: input ${i} must be contiguous`);
  });
  const evaluate = () => noGrad(() => fn(...inputs).contiguous().to("float64").data.slice());
  const out0 = noGrad(() => fn(...inputs));
  const nOut = out0.numel;
  for (const [i, x] of inputs.entries()) {
    if (!x.requiresGrad) continue;
    const data = x.data as Float64Array;
    // numerical: column j of the Jacobian by central differences
    const numerical: Float64Array[] = [];
    for (let j = 0; j < data.length; j++) {
      const orig = data[j]!;
      data[j] = orig + eps;
      const plus = evaluate();
      data[j] = orig - eps;
      const minus = evaluate();
      data[j] = orig;
      numerical.push(plus.map((p, k) => (p - minus[k]!) / (2 * eps)));
    }
    // analytical: row k of the Jacobian from a backward pass with a one-hot gradient
    for (let k = 0; k < nOut; k++) {
      for (const t of inputs) t.grad = null;
      const out = fn(...inputs);
      if (!out.requiresGrad) {
        if (numerical.some((col) => col[k] !== 0)) return fail(`output does not require grad but input ${i} changes it`);
        continue;
      }
      const seed = noGrad(() => out.detach().mul(0).contiguous());
      (seed.data as Float64Array | Float32Array)[k] = 1;
      out.backward(seed);
      const grad = x.grad?.contiguous().to("float64").data;
      for (let j = 0; j < data.length; j++) {
        const a = grad ? grad[j]! : 0;
        const n = numerical[j]![k]!;
        if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
          return fail(
            `Jacobian mismatch for input ${i} (shape ${fmtShape(x.shape)}) at output element ${k}, input element ${j}: ` +
              `analytical ${a}, numerical ${n}`,
          );
        }
      }
    }
  }
  for (const t of inputs) t.grad = null;
  return true;

  function fail(message: string): boolean {
    if (raiseException) throw new Error(`gradcheck: ${message}`);
    return false;
  }
}
