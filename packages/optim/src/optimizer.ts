/**
 * @file Optimizer: the base every optimizer extends (torch.optim.Optimizer).
 * Parameter groups with per-group hyperparameters, lazily created per-parameter
 * state, `step()` (optionally clipping first), `zeroGrad()`, and an exact
 * `stateDict()` / `loadStateDict()` round trip.
 */
import { Tensor, noGrad } from "@kiln/tensor";
import { clipGradNorm } from "./clip.js";
import { loadState, snapshotState, type OptimizerStateDict } from "./state-dict.js";

/** Hyperparameter values a group may hold: numbers, flags and tuples such as `betas`. */
export type HyperValue = number | boolean | readonly number[];

/** An optimizer's hyperparameters, one record per group (e.g. `{ lr, betas, eps, weightDecay }`); values are `HyperValue`s. */
export interface Hyperparameters {
  lr: number;
}

/** One group as the user passes it: its parameters plus any hyperparameters it overrides. */
export type ParamGroupSpec<H extends Hyperparameters = Hyperparameters> = Partial<H> & {
  params: Iterable<Tensor>;
  name?: string;
};

/** A group as the optimizer holds it: every hyperparameter filled in from the defaults. */
export type ParamGroup<H extends Hyperparameters = Hyperparameters> = H & {
  params: Tensor[];
  name?: string;
  /** The group's lr when the optimizer was built; schedulers scale from it (`initial_lr`). */
  initialLr: number;
};

/** Per-parameter state: how many updates it has had and its float32 buffers (shaped like the parameter). */
export interface ParamState {
  step: number;
  buffers: Record<string, Float32Array>;
}

/** Options every optimizer accepts besides its hyperparameters. */
export interface StepOptions {
  /** Clip the global grad norm to this before every step (`clipGradNorm`); off when undefined. */
  maxGradNorm?: number;
  /** With `maxGradNorm`: on a non-finite grad norm, skip the step (default) or throw `NonFiniteGradError`. */
  onNonFinite?: "skip" | "error";
}

/** One parameter's update within a step: its data, gradient, state (step already incremented) and group. */
export interface ParamUpdate<H extends Hyperparameters> {
  param: Float32Array;
  grad: Float32Array;
  state: ParamState;
  group: ParamGroup<H>;
}

/** What `step()` did. */
export interface StepResult {
  /** True when the update was skipped because the grad norm was not finite (no parameter or state changed). */
  skipped: boolean;
  /** The global grad norm before clipping, or null without `maxGradNorm`. */
  gradNorm: number | null;
}

const RESERVED = new Set(["params", "name", "initialLr"]);

/** `overrides` without undefined values; throws naming any key `known` lacks (e.g. a snake_case `weight_decay`). */
function definedOnly(op: string, where: string, overrides: Record<string, unknown>, known: object, extra: readonly string[] = ["params", "name"]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in known)) throw new Error(`${op}: ${where} has unknown option "${k}" (known: ${[...Object.keys(known), ...extra].join(", ")})`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Base class: owns groups and state; subclasses supply the fused per-parameter update. */
export abstract class Optimizer<H extends Hyperparameters = Hyperparameters> {
  /** The parameter groups, in order; hyperparameters (e.g. `lr`) may be changed between steps. */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Clip before each step to this global norm (see `StepOptions`). */
  maxGradNorm: number | undefined;
  /** Policy for a non-finite norm when clipping. */
  onNonFinite: "skip" | "error";
  protected readonly state = new Map<Tensor, ParamState>();

  /** Hyperparameters of groups that do not override them. */
  readonly defaults: Readonly<H>;

  protected constructor(
    /** Class name used in error messages, e.g. "AdamW". */
    readonly name: string,
    params: Iterable<Tensor> | Iterable<ParamGroupSpec<H>>,
    builtIn: H,
    opts: Partial<H> & StepOptions = {},
  ) {
    const { maxGradNorm, onNonFinite, ...overrides } = opts;
    this.defaults = { ...builtIn, ...definedOnly(name, "options", overrides as Record<string, unknown>, builtIn, ["maxGradNorm", "onNonFinite"]) };
    this.validate(this.defaults, "options");
    if (maxGradNorm !== undefined && !(maxGradNorm > 0)) throw new RangeError(`${name}: maxGradNorm must be > 0, got ${maxGradNorm}`);
    if (onNonFinite !== undefined && onNonFinite !== "skip" && onNonFinite !== "error") {
      throw new RangeError(`${name}: onNonFinite must be "skip" or "error", got ${JSON.stringify(onNonFinite)}`);
    }
    this.maxGradNorm = maxGradNorm;
    this.onNonFinite = onNonFinite ?? "skip";
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<H>>)];
    const specs = list.every((p) => p instanceof Tensor) ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>] : (list as ParamGroupSpec<H>[]);
    for (const spec of specs) this.addParamGroup(spec);
    if (this.params.length === 0) throw new Error(`${name}: got an empty parameter list`);
  }

  /** Checks one group's hyperparameters; throws a RangeError naming the field and `where`. */
  protected abstract validate(h: Readonly<H>, where: string): void;

  /** Names of the float32 buffers this optimizer keeps per parameter (e.g. `expAvg`, `expAvgSq`). */
  abstract readonly bufferNames: readonly string[];

  /**
   * Updates one parameter in place from its gradient, in one pass over the buffers;
   * `state.step` has already been incremented for this update.
   */
  protected abstract update(param: Float32Array, grad: Float32Array, state: ParamState, group: ParamGroup<H>): void;

  /** Every parameter, group by group: the order `stateDict` indexes them in. */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Appends a group; hyperparameters it leaves out come from the defaults (`add_param_group`). */
  addParamGroup(spec: ParamGroupSpec<H>): void {
    if (spec === null || typeof spec !== "object" || !(Symbol.iterator in Object(spec.params))) {
      throw new TypeError(`${this.name}: group ${this.paramGroups.length} must be { params: Tensor[], ... } (or pass a plain list of Tensors)`);
    }
    const where = `group ${this.paramGroups.length}${spec.name === undefined ? "" : ` ("${spec.name}")`}`;
    const { params, name, ...overrides } = spec;
    const group = { ...this.defaults, ...definedOnly(this.name, where, overrides, this.defaults), params: [...params] } as ParamGroup<H>;
    if (name !== undefined) group.name = name;
    group.initialLr = group.lr;
    this.validate(group, where);
    const seen = new Set(this.params);
    group.params.forEach((p, i) => {
      const what = `${where} parameter ${i}`;
      if (!(p instanceof Tensor)) throw new TypeError(`${this.name}: ${what} is not a Tensor`);
      if (p.dtype !== "float32") throw new TypeError(`${this.name}: ${what} has dtype ${p.dtype}; optimizers update float32 parameters`);
      if (!p.isLeaf) throw new Error(`${this.name}: ${what} is not a leaf tensor (it was computed by an op); optimize its leaves`);
      if (!p.isContiguous) throw new Error(`${this.name}: ${what} is a non-contiguous view; optimizers update contiguous tensors`);
      if (seen.has(p)) throw new Error(`${this.name}: ${what} appears more than once (a tensor may belong to one group only)`);
      seen.add(p);
    });
    this.paramGroups.push(group);
  }

  /**
   * Applies one update to every parameter whose `.grad` is set, reading `.grad` as it is.
   * Gradients accumulated over several `backward()` calls are summed, so scale the
   * loss by 1/k for k micro-batches. With `maxGradNorm`, clips first and skips the
   * whole update (returning `skipped: true`) if the norm is NaN or infinite.
   */
  step(): StepResult {
    let gradNorm: number | null = null;
    if (this.maxGradNorm !== undefined) {
      const clip = clipGradNorm(this.params, this.maxGradNorm, { errorIfNonfinite: this.onNonFinite === "error" });
      gradNorm = clip.totalNorm;
      if (!clip.finite) return { skipped: true, gradNorm };
    }
    const batch: ParamUpdate<H>[] = [];
    for (const group of this.paramGroups) {
      group.params.forEach((p, i) => {
        if (p.grad === null) return;
        const grad = this.gradData(p, i, group);
        let state = this.state.get(p);
        if (state === undefined) {
          state = { step: 0, buffers: {} };
          this.state.set(p, state);
        }
        state.step++;
        batch.push({ param: p.data as Float32Array, grad, state, group });
        p.storage.version++;
      });
    }
    this.updateAll(batch);
    return { skipped: false, gradNorm };
  }

  /** Applies {@link update} to every parameter of one step; an optimizer with a many-tensor kernel overrides this. */
  protected updateAll(batch: readonly ParamUpdate<H>[]): void {
    for (const u of batch) this.update(u.param, u.grad, u.state, u.group);
  }

  private gradData(p: Tensor, i: number, group: ParamGroup<H>): Float32Array {
    const g = p.grad!;
    if (g.dtype !== "float32" || g.numel !== p.numel) {
      const where = `group ${this.paramGroups.indexOf(group)} parameter ${i}`;
      throw new TypeError(`${this.name}.step: ${where} has a ${g.dtype} grad of shape [${g.shape.join(", ")}] for a float32 parameter of shape [${p.shape.join(", ")}]`);
    }
    return (g.isContiguous ? g : g.contiguous()).data as Float32Array;
  }

  /** Clears gradients: to null (default, frees memory) or, with `setToNull: false`, fills them with zeros. */
  zeroGrad({ setToNull = true }: { setToNull?: boolean } = {}): void {
    for (const p of this.params) {
      if (p.grad === null) continue;
      if (setToNull) {
        p.grad = null;
      } else if (p.grad.isContiguous) {
        p.grad.data.fill(0);
        p.grad.storage.version++;
      } else {
        const g = p.grad;
        noGrad(() => g.zero_());
      }
    }
  }

  /** The live state of one parameter (undefined before its first update). */
  stateOf(param: Tensor): ParamState | undefined {
    return this.state.get(param);
  }

  /**
   * A snapshot (copies, not views) of every group's hyperparameters and every
   * parameter's state, indexed by the parameter's position in `params`; see `state-dict.ts`.
   */
  stateDict(): OptimizerStateDict {
    return snapshotState(this.paramGroups, this.params, this.state, RESERVED);
  }

  /**
   * Restores a `stateDict()`: hyperparameters, step counts and buffers (copied).
   * The groups must hold the same number of parameters with the same shapes.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const loaded = loadState(this.name, sd, this.paramGroups, this.defaults as unknown as Record<string, HyperValue>, this.bufferNames);
    loaded.groups.forEach((h, i) => this.validate({ ...this.paramGroups[i]!, ...h }, `loadStateDict: group ${i}`));
    loaded.groups.forEach((h, i) => Object.assign(this.paramGroups[i]!, h));
    this.state.clear();
    const params = this.params;
    for (const [index, st] of loaded.state) this.state.set(params[index]!, st);
  }
}
