/**
 * @file Adam (Kingma & Ba, 2015, arXiv:1412.6980) with PyTorch's coupled L2
 * weight decay (`g ← g + λp`). Prefer AdamW for decay; this exists for parity
 * with torch.optim.Adam, which it matches bit for bit in float32.
 */
import { AdamFamily, type AdamHyper, type AdamParams } from "./adam-family.js";
import type { StepOptions } from "./optimizer.js";

/** Adam options: default hyperparameters for every group, plus optional clipping. */
export interface AdamOptions extends Partial<AdamHyper>, StepOptions {}

/** Adam: `p ← p − lr · m̂ / (√v̂ + ε)` on `g + λp`. Defaults as torch: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0. */
export class Adam extends AdamFamily {
  protected readonly decoupled = false;

  constructor(params: AdamParams, opts: AdamOptions = {}) {
    super("Adam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, opts);
  }
}
