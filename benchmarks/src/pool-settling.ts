/**
 * @file When a benchmark's warm-up may stop: once the memory pool has run one whole collection
 * cycle (collection to collection) without taking fresh memory, so no timed sample pays for first
 * touch of fresh pages (~12 µs per 4 KiB here). The training-step and fused-op benchmarks use it.
 */
import { memoryStats } from "@kiln/tensor";

/** Tracks the pool's collection cycles across warm-up units (steps, rounds of calls). */
export class PoolSettling {
  private collections = memoryStats().collections;
  /** A collection has been seen, so the cycle now running began at one (is a whole cycle). */
  private inCycle = false;
  private cycleFresh = 0;
  /** Whether a whole cycle has taken no fresh memory. */
  settled = false;

  /** Records one unit of work that took `freshBytes` of fresh pool memory; returns {@link settled}. */
  record(freshBytes: number): boolean {
    const now = memoryStats().collections;
    if (now !== this.collections) {
      this.settled ||= this.inCycle && this.cycleFresh === 0;
      [this.collections, this.inCycle, this.cycleFresh] = [now, true, 0];
    }
    this.cycleFresh += freshBytes;
    return this.settled;
  }
}
