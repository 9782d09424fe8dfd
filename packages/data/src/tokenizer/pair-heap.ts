/**
 * @file Max-heap of (count, pair key) for BPE training: the most frequent pair
 * first, ties to the smaller key (so training is deterministic). Entries may be
 * stale; the trainer rechecks each popped count against the live table.
 */

/** Binary max-heap over `(count, key)` pairs. */
export class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  /** Number of entries (stale ones included). */
  get size(): number {
    return this.keys.length;
  }

  private above(ci: number, ki: number, cj: number, kj: number): boolean {
    return ci > cj || (ci === cj && ki < kj);
  }

  /** Adds an entry. */
  push(count: number, key: number): void {
    const c = this.counts;
    const k = this.keys;
    let i = c.length;
    c.push(count);
    k.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(count, key, c[p]!, k[p]!)) break;
      c[i] = c[p]!;
      k[i] = k[p]!;
      i = p;
    }
    c[i] = count;
    k[i] = key;
  }

  /** Removes the top entry and returns it as `[count, key]` (undefined when empty). */
  pop(): [number, number] | undefined {
    const c = this.counts;
    const k = this.keys;
    if (c.length === 0) return undefined;
    const top: [number, number] = [c[0]!, k[0]!];
    const lc = c.pop()!;
    const lk = k.pop()!;
    const n = c.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.above(c[r]!, k[r]!, c[l]!, k[l]!) ? r : l;
        if (!this.above(c[m]!, k[m]!, lc, lk)) break;
        c[i] = c[m]!;
        k[i] = k[m]!;
        i = m;
      }
      c[i] = lc;
      k[i] = lk;
    }
    return top;
  }
}
