/**
 * @file SGD with momentum, dampening, Nesterov momentum (Sutskever et al.,
 * 2013) and L2 weight decay, as torch.optim.SGD, which it matches bit for bit
 * in float32.
 */
import type { Tensor } from "@kiln/tensor";
import { sgdUpdate } from "./kernels.js";
import { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamState, type StepOptions } from "./optimizer.js";

/** SGD hyperparameters (each group may override any of them). */
export interface SGDHyper {
  /** Learning rate. */
  lr: number;
  /** Momentum factor μ (0 = plain SGD). */
  momentum: number;
  /** Dampening τ of the momentum: `b ← μb + (1−τ)g`. */
  dampening: number;
  /** L2 penalty added to the gradient: `g ← g + λp`. */
  weightDecay: number;
  /** Nesterov momentum: step along `g + μb` (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
}

/** SGD options: `lr` is required (as in torch); the rest default to 0 / false. */
export interface SGDOptions extends Partial<SGDHyper>, StepOptions {
  lr: number;
}

/** Stochastic gradient descent: `b ← μb + (1−τ)(g + λp)`, `p ← p − lr·(nesterov ? g + λp + μb : b)`. */
export class SGD extends Optimizer<SGDHyper> {
  /** The momentum buffer `b` (torch's `momentum_buffer`); absent without momentum. */
  readonly bufferNames = ["momentumBuffer"] as const;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<SGDHyper>>, opts: SGDOptions) {
    super("SGD", params, { lr: opts?.lr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }, opts);
  }

  protected validate(h: Readonly<SGDHyper>, where: string): void {
    const bad = (field: string, want: string, got: unknown): never => {
      throw new RangeError(`SGD: ${field} must be ${want}, got ${JSON.stringify(got)} (${where})`);
    };
    if (!(h.lr >= 0 && h.lr < Infinity)) bad("lr", "a finite number ≥ 0", h.lr);
    if (!(h.momentum >= 0 && h.momentum < Infinity)) bad("momentum", "a finite number ≥ 0", h.momentum);
    if (!(h.dampening >= 0 && h.dampening <= 1)) bad("dampening", "in [0, 1]", h.dampening);
    if (!(h.weightDecay >= 0 && h.weightDecay < Infinity)) bad("weightDecay", "a finite number ≥ 0", h.weightDecay);
    if (typeof h.nesterov !== "boolean") bad("nesterov", "a boolean", h.nesterov);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new RangeError(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${h.momentum}, dampening ${h.dampening} (${where})`);
    }
  }

  protected update(param: Float32Array, grad: Float32Array, state: ParamState, group: ParamGroup<SGDHyper>): void {
    let buf: Float32Array | null = null;
    let first = false;
    if (group.momentum !== 0) {
      first = state.buffers.momentumBuffer === undefined;
      buf = state.buffers.momentumBuffer ??= new Float32Array(param.length);
    }
    sgdUpdate(param, grad, buf, first, {
      negLr: -group.lr,
      weightDecay: group.weightDecay,
      momentum: group.momentum,
      oneMinusDampening: 1 - group.dampening,
      nesterov: group.nesterov,
    });
  }
}
