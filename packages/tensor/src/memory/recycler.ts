/**
 * @file Which storage a backward pass may free, and when: every storage created while the pass
 * runs is recorded, and a `Recycler` returns each to the memory pool once no pending gradient,
 * leaf `.grad` or retained grad uses it. Autograd's graph walk (autograd/backward.ts) drives it.
 */
import type { Storage } from "../storage.js";
import type { Tensor } from "../tensor.js";
import { release } from "./pool.js";

let created: Storage[] | null = null;

// Starts (a list) or stops (null) recording every storage created; returns the previous list.
function trackStorages(list: Storage[] | null): Storage[] | null {
  const prev = created;
  created = list;
  return prev;
}

/**
 * @internal Records `s` as made by the backward pass now running, if any, which frees it once
 * unused: `Storage` calls it for every new storage, and a backward rule for storage it made in
 * the forward pass and hands over (cross-entropy's gradient).
 */
export function recordStorage(s: Storage): void {
  created?.push(s);
}

/**
 * Runs `fn` and returns its result with every storage created meanwhile (innermost recording
 * only: a pass or scope inside `fn` keeps its own). See `freeWithGraph` (autograd/activations.ts).
 */
export function storagesMadeBy<T>(fn: () => T): [T, Storage[]] {
  const list: Storage[] = [];
  const outer = trackStorages(list);
  try {
    return [fn(), list];
  } finally {
    trackStorages(outer);
  }
}

/**
 * Storage bookkeeping of one pass. Only the pass can reach storage it created: backward rules
 * keep nothing they make (see `BackwardFn`), so such storage is dead once no pending gradient,
 * leaf `.grad` or retained grad shares it, and it goes back to the pool at the next `sweep`.
 */
export class Recycler {
  /** Every storage created since the pass began (filled by `recordStorage`). */
  readonly made: Storage[] = [];
  private readonly ours = new Set<Storage>();
  private readonly uses = new Map<Storage, number>();
  private readonly candidates: Storage[] = [];
  private seen = 0;

  /** Runs `fn` with every storage it creates recorded as made by this pass. */
  during<T>(fn: () => T): T {
    const outer = trackStorages(this.made);
    try {
      return fn();
    } finally {
      trackStorages(outer);
    }
  }

  /** One more pending use of `t`'s storage (a gradient waiting to be consumed, a leaf's `.grad`). */
  hold(t: Tensor): void {
    this.uses.set(t.storage, (this.uses.get(t.storage) ?? 0) + 1);
  }

  /** One use fewer; at zero the storage becomes a candidate for the next `sweep`. */
  drop(t: Tensor): void {
    const n = this.uses.get(t.storage);
    if (n === undefined) return; // not held by this pass (e.g. a `.grad` from an earlier one)
    if (n > 1) this.uses.set(t.storage, n - 1);
    else {
      this.uses.delete(t.storage);
      this.candidates.push(t.storage);
    }
  }

  /**
   * Whether `t` is the whole of a contiguous storage this pass made that no use holds: only the
   * pass can reach it, so it can become a leaf's `.grad` as it is instead of being copied.
   */
  unshared(t: Tensor): boolean {
    this.collectMade();
    return this.ours.has(t.storage) && !this.uses.has(t.storage) && t.offset === 0 && t.isContiguous && t.numel === t.storage.data.length;
  }

  // Takes in the storages made since the last look: ours, and candidates for the next sweep.
  private collectMade(): void {
    for (; this.seen < this.made.length; this.seen++) {
      const s = this.made[this.seen]!;
      this.ours.add(s);
      this.candidates.push(s);
    }
  }

  /**
   * Returns `list` (storage a forward pass made that only the graph this pass has freed could
   * reach) to the pool, except what a use of this pass holds (a leaf's `.grad`, a retained grad).
   */
  releaseUnheld(list: readonly Storage[]): void {
    for (const s of list) if (!this.uses.has(s)) release(s.data);
  }

  /** Returns every storage made by this pass that no use holds to the pool. */
  sweep(): void {
    this.collectMade();
    for (const s of this.candidates) {
      if (this.ours.has(s) && !this.uses.has(s)) {
        this.ours.delete(s);
        release(s.data); // nothing may use `s` (or a view of it) afterwards
      }
    }
    this.candidates.length = 0;
  }
}
