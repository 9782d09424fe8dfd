/**
 * @file LRScheduler: drives an optimizer's learning rates from a `Schedule`
 * (torch.optim.lr_scheduler.LambdaLR, with the schedule giving the lr rather
 * than a factor). Its state is one integer, saved beside the optimizer's.
 */
import type { Schedule } from "./schedules.js";

/** The part of an optimizer a scheduler touches. */
export interface ScheduledOptimizer {
  readonly defaults: { readonly lr: number };
  readonly paramGroups: readonly { lr: number; initialLr: number }[];
}

/** A scheduler's saved state. */
export interface SchedulerState {
  /** Index of the next optimizer step (the number of `step()` calls so far). */
  step: number;
}

/**
 * Sets each group's lr to `schedule(step) · group.initialLr / optimizer.defaults.lr`:
 * groups at the optimizer's default lr follow the schedule exactly, a group built
 * with twice the default lr gets twice the scheduled lr. Construction applies
 * `schedule(0)`; call `step()` after each `optimizer.step()`.
 */
export class LRScheduler {
  private count = 0;

  constructor(
    readonly optimizer: ScheduledOptimizer,
    readonly schedule: Schedule,
  ) {
    if (!(optimizer.defaults.lr > 0)) {
      throw new RangeError(`LRScheduler: the optimizer's default lr must be > 0 to scale groups from, got ${optimizer.defaults.lr}`);
    }
    this.apply();
  }

  /** Index of the optimizer step the current lr is for. */
  get stepCount(): number {
    return this.count;
  }

  /** The scheduled lr for the current step (groups at the default lr use exactly this). */
  get lr(): number {
    return this.schedule(this.count);
  }

  /** Every group's current lr. */
  get groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advances one step and sets the groups' lr for it; returns the scheduled lr. */
  step(): number {
    this.count++;
    return this.apply();
  }

  /** `{ step }`: all a resumed run needs, with the same schedule, to continue identically. */
  stateDict(): SchedulerState {
    return { step: this.count };
  }

  /** Restores `stateDict()` and re-applies the lr for that step. */
  loadStateDict(state: SchedulerState): void {
    if (state === null || typeof state !== "object" || !Number.isInteger(state.step) || state.step < 0) {
      throw new Error(`LRScheduler.loadStateDict: expected { step: integer ≥ 0 }, got ${JSON.stringify(state)}`);
    }
    this.count = state.step;
    this.apply();
  }

  private apply(): number {
    const lr = this.schedule(this.count);
    const base = this.optimizer.defaults.lr;
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr === base ? lr : lr * (g.initialLr / base);
    return lr;
  }
}
