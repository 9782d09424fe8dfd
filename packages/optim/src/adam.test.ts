/**
 * @file AdamW/Adam: the update against a float64 reference, decoupled vs L2 decay,
 * clipping and the non-finite skip, and convergence on an ill-conditioned
 * quadratic and the Rosenbrock function.
 */
import { Generator, randn, tensor, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { Adam, AdamW } from "./adam.js";
import { NonFiniteGradError } from "./clip.js";
import { LRScheduler } from "./scheduler.js";
import { warmupCosine } from "./schedules.js";

const param = (values: number[]) => tensor(values, { requiresGrad: true }) as Tensor<"float32">;
const grad = (values: number[]) => tensor(values) as Tensor<"float32">;

describe("AdamW update", () => {
  it("follows the bias-corrected formula (float64 reference, float32 tolerance)", () => {
    const p0 = [0.5, -1, 2], lr = 0.01, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1;
    const grads = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.6], [0.7, 0.01, -0.9]];
    const p = param(p0);
    const opt = new AdamW([p], { lr, betas: [b1, b2], eps, weightDecay: wd });
    const ref = [...p0], m = [0, 0, 0], v = [0, 0, 0];
    grads.forEach((g, t) => {
      p.grad = grad(g);
      opt.step();
      for (let i = 0; i < 3; i++) {
        ref[i] = ref[i]! * (1 - lr * wd);
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        const mHat = m[i]! / (1 - b1 ** (t + 1)), vHat = v[i]! / (1 - b2 ** (t + 1));
        ref[i] = ref[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    (p.toArray() as number[]).forEach((x, i) => expect(x).toBeCloseTo(ref[i]!, 6));
    expect(opt.stateOf(p)!.step).toBe(3);
  });

  it("decays weights decoupled from the gradient: a zero gradient still shrinks p by (1 − lr·λ)", () => {
    const p = param([1, -2]);
    const opt = new AdamW([p], { lr: 0.5, weightDecay: 0.1 });
    p.grad = grad([0, 0]);
    opt.step();
    expect(p.toArray()).toEqual([Math.fround(0.95), Math.fround(-1.9)]);
  });

  it("Adam's L2 decay enters the moments instead (same zero gradient moves p by ≈ lr)", () => {
    const p = param([1, -2]);
    const opt = new Adam([p], { lr: 0.5, weightDecay: 0.1 });
    p.grad = grad([0, 0]);
    opt.step();
    (p.toArray() as number[]).forEach((x, i) => expect(x).toBeCloseTo([0.5, -1.5][i]!, 5));
  });

  it("the first step moves every coordinate by ≈ lr·sign(g), whatever its scale", () => {
    const p = param([0, 0, 0]);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0 });
    p.grad = grad([1e-3, -5, 300]);
    opt.step();
    (p.toArray() as number[]).forEach((x, i) => expect(x).toBeCloseTo([-0.1, 0.1, -0.1][i]!, 5));
  });
});

describe("AdamW with maxGradNorm", () => {
  it("clips before the update and reports the norm", () => {
    const p = param([0, 0]);
    const opt = new AdamW([p], { lr: 0.1, maxGradNorm: 1 });
    p.grad = grad([3, 4]);
    expect(opt.step()).toEqual({ skipped: false, gradNorm: 5 });
    (p.grad.toArray() as number[]).forEach((x, i) => expect(x).toBeCloseTo([0.6, 0.8][i]!, 6));
  });

  it("skips the whole step on a NaN or infinite norm: parameters and state unchanged", () => {
    const a = param([1, 2]), b = param([3]);
    const opt = new AdamW([a, b], { lr: 0.1, maxGradNorm: 1 });
    a.grad = grad([0.1, 0.2]);
    b.grad = grad([0.3]);
    opt.step();
    const before = opt.stateDict();
    const values = [a.toArray(), b.toArray()];
    a.grad = grad([NaN, 0.2]);
    b.grad = grad([Infinity]);
    const r = opt.step();
    expect(r.skipped).toBe(true);
    expect(r.gradNorm).toBeNaN();
    expect([a.toArray(), b.toArray()]).toEqual(values);
    expect(opt.stateDict()).toEqual(before);
  });

  it("throws NonFiniteGradError with onNonFinite: 'error'", () => {
    const p = param([1]);
    const opt = new AdamW([p], { maxGradNorm: 1, onNonFinite: "error" });
    p.grad = grad([Infinity]);
    expect(() => opt.step()).toThrow(NonFiniteGradError);
    expect(p.toArray()).toEqual([1]);
  });
});

describe("AdamW convergence (fixed start, fixed schedule)", () => {
  it("minimises a rotated quadratic with condition number 1e3", () => {
    const n = 8;
    const g = new Generator(1);
    const basis: number[][] = [];
    for (const row of randn([n, n], { generator: g, dtype: "float64" }).toArray() as number[][]) {
      const w = [...row]; // Gram–Schmidt → a fixed random rotation Q
      for (const u of basis) {
        const d = w.reduce((s, x, i) => s + x * u[i]!, 0);
        w.forEach((_, i) => (w[i] = w[i]! - d * u[i]!));
      }
      const norm = Math.hypot(...w);
      basis.push(w.map((x) => x / norm));
    }
    const lambda = basis.map((_, k) => 10 ** ((3 * k) / (n - 1)));
    const A = tensor(basis.map((_, i) => basis.map((_, j) => basis.reduce((s, u, k) => s + lambda[k]! * u[i]! * u[j]!, 0)))); // Q Λ Qᵀ
    const x = param(Array(n).fill(1));
    const f = () => x.matmul(A).mul(x).sum().mul(0.5); // ½ xᵀAx
    const f0 = f().item();
    const opt = new AdamW([x], { lr: 0.1, weightDecay: 0 });
    const sched = new LRScheduler(opt, warmupCosine({ peakLr: 0.1, warmupSteps: 50, totalSteps: 3000, minLrRatio: 0.01 }));
    for (let s = 0; s < 3000; s++) {
      f().backward();
      opt.step();
      opt.zeroGrad();
      sched.step();
    }
    expect(f().item()).toBeLessThan(1e-10 * f0);
    for (const xi of x.toArray() as number[]) expect(Math.abs(xi)).toBeLessThan(1e-4);
  });

  it("finds the minimum (1, 1) of the Rosenbrock function from (−1.2, 1)", () => {
    const p = param([-1.2, 1]);
    const opt = new AdamW([p], { lr: 0.02, weightDecay: 0 });
    const sched = new LRScheduler(opt, warmupCosine({ peakLr: 0.02, totalSteps: 5000, minLrRatio: 0.01 }));
    const rosenbrock = () => {
      const x = p.select(0, 0), y = p.select(0, 1);
      return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)); // (1 − x)² + 100(y − x²)²
    };
    for (let s = 0; s < 5000; s++) {
      rosenbrock().backward();
      opt.step();
      opt.zeroGrad();
      sched.step();
    }
    expect(rosenbrock().item()).toBeLessThan(1e-5);
    for (const xi of p.toArray() as number[]) expect(xi).toBeCloseTo(1, 2);
  });
});
