/**
 * @file Adam and AdamW (Kingma & Ba, 2015, arXiv:1412.6980; Loshchilov &
 * Hutter, 2019, arXiv:1711.05101). They share hyperparameters, their checks and
 * the per-parameter moment buffers, and differ only in how weight decay enters:
 * AdamW decays decoupled (`p ← p·(1 − lr·λ)`, what LLaMA and nanoGPT train
 * with), Adam adds PyTorch's coupled L2 penalty (`g ← g + λp`). Both match
 * torch.optim (torch 1.13, single-tensor path) bit for bit in float32.
 */
import { adamwUpdateAll, persistentFloat32, type Tensor } from "@kiln/tensor";
import { adamL2Update, adamScalars, adamwUpdate } from "./kernels.js";
import { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamState, type ParamUpdate, type StepOptions } from "./optimizer.js";

/** Adam/AdamW hyperparameters (each group may override any of them). */
export interface AdamHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rates of the first and second moment averages `[β₁, β₂]`. */
  betas: readonly [number, number];
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** AdamW: decoupled decay `p ← p·(1 − lr·λ)`; Adam: L2 penalty `g ← g + λp`. */
  weightDecay: number;
}

/** Parameters (or groups) for Adam/AdamW. */
export type AdamParams = Iterable<Tensor> | Iterable<ParamGroupSpec<AdamHyper>>;

/** Adam options: default hyperparameters for every group, plus optional clipping. */
export interface AdamOptions extends Partial<AdamHyper>, StepOptions {}

/** AdamW options: default hyperparameters for every group, plus optional clipping. */
export interface AdamWOptions extends Partial<AdamHyper>, StepOptions {}

/** The shared implementation; `decoupled` picks AdamW's weight decay over Adam's L2. */
abstract class AdamFamily extends Optimizer<AdamHyper> {
  /** First and second moment estimates (torch's `exp_avg`, `exp_avg_sq`). */
  readonly bufferNames = ["expAvg", "expAvgSq"] as const;
  protected abstract readonly decoupled: boolean;

  protected validate(h: Readonly<AdamHyper>, where: string): void {
    const bad = (field: string, want: string, got: unknown): never => {
      throw new RangeError(`${this.name}: ${field} must be ${want}, got ${JSON.stringify(got)} (${where})`);
    };
    if (!(h.lr >= 0 && h.lr < Infinity)) bad("lr", "a finite number ≥ 0", h.lr);
    if (!Array.isArray(h.betas) || h.betas.length !== 2) bad("betas", "a pair [β₁, β₂]", h.betas);
    h.betas.forEach((b, i) => {
      if (!(b >= 0 && b < 1)) bad(`betas[${i}]`, "in [0, 1)", b);
    });
    if (!(h.eps >= 0 && h.eps < Infinity)) bad("eps", "a finite number ≥ 0", h.eps);
    if (!(h.weightDecay >= 0 && h.weightDecay < Infinity)) bad("weightDecay", "a finite number ≥ 0", h.weightDecay);
  }

  // The moments, made on first use in the wasm heap (so the WASM kernels use them in place).
  private moments(n: number, state: ParamState): [Float32Array, Float32Array] {
    const make = () => persistentFloat32(n);
    return [(state.buffers.expAvg ??= make()), (state.buffers.expAvgSq ??= make())];
  }

  protected update(param: Float32Array, grad: Float32Array, state: ParamState, group: ParamGroup<AdamHyper>): void {
    const [m, v] = this.moments(param.length, state);
    const s = adamScalars(group.lr, group.betas, group.eps, group.weightDecay, state.step, this.decoupled);
    (this.decoupled ? adamwUpdate : adamL2Update)(param, grad, m, v, s);
  }

  /** AdamW updates every parameter in one many-tensor WASM call (same bits as `adamwUpdate`), else one loop per parameter. */
  protected override updateAll(batch: readonly ParamUpdate<AdamHyper>[]): void {
    if (!this.decoupled) return super.updateAll(batch);
    const items = batch.map(({ param, grad, state, group }) => {
      const [m, v] = this.moments(param.length, state);
      return { p: param, g: grad, m, v, scalars: adamScalars(group.lr, group.betas, group.eps, group.weightDecay, state.step, true) };
    });
    if (!adamwUpdateAll(items)) return super.updateAll(batch);
    for (const t of items) adamwUpdate(t.p, t.g, t.m, t.v, t.scalars, t.p.length & ~3); // the last n mod 4
  }
}

/**
 * AdamW: `p ← p·(1 − lr·λ) − lr · m̂ / (√v̂ + ε)` with bias-corrected moments
 * `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`. Defaults as torch: lr 1e-3,
 * betas [0.9, 0.999], eps 1e-8, weightDecay 0.01 (LLaMA: betas [0.9, 0.95], weightDecay 0.1).
 */
export class AdamW extends AdamFamily {
  protected readonly decoupled = true;

  constructor(params: AdamParams, opts: AdamWOptions = {}) {
    super("AdamW", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2 }, opts);
  }
}

/**
 * Adam: `p ← p − lr · m̂ / (√v̂ + ε)` on `g + λp`. Prefer AdamW for decay; this
 * exists for parity with torch.optim.Adam. Defaults as torch: lr 1e-3, betas
 * [0.9, 0.999], eps 1e-8, weightDecay 0.
 */
export class Adam extends AdamFamily {
  protected readonly decoupled = false;

  constructor(params: AdamParams, opts: AdamOptions = {}) {
    super("Adam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, opts);
  }
}
