/**
 * @file AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019,
 * arXiv:1711.05101), the optimizer LLaMA and nanoGPT train with. Matches
 * torch.optim.AdamW (torch 1.13, single-tensor path) bit for bit in float32.
 */
import { AdamFamily, type AdamHyper, type AdamParams } from "./adam-family.js";
import type { StepOptions } from "./optimizer.js";

/** AdamW options: default hyperparameters for every group, plus optional clipping. */
export interface AdamWOptions extends Partial<AdamHyper>, StepOptions {}

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
