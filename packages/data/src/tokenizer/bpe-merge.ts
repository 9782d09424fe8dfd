/**
 * @file Applying ranked BPE merges to one pre-token (Sennrich et al. 2016): repeatedly
 * merge the adjacent pair with the lowest rank. Short words use a plain scan; long
 * ones a heap over a linked list, so a pathological 1 MB "word" stays O(n log n).
 */

/** Merge table: `ranks.get(left * stride + right)` is the rank of a merge, `mergedIds[rank]` its result. */
export interface MergeTable {
  readonly ranks: ReadonlyMap<number, number>;
  readonly mergedIds: Int32Array;
  readonly stride: number;
}

const LONG_WORD = 64;

/** Merges `symbols` in place and returns the merged prefix (a subarray). */
export function bpeMerge(symbols: Int32Array, table: MergeTable): Int32Array {
  return symbols.length > LONG_WORD ? mergeLong(symbols, table) : mergeShort(symbols, table);
}

function mergeShort(s: Int32Array, { ranks, mergedIds, stride }: MergeTable): Int32Array {
  let n = s.length;
  while (n > 1) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i + 1 < n; i++) {
      const r = ranks.get(s[i]! * stride + s[i + 1]!);
      if (r !== undefined && r < best) {
        best = r;
        at = i;
      }
    }
    if (at < 0) break;
    const a = s[at]!;
    const b = s[at + 1]!;
    const c = mergedIds[best]!;
    let o = at;
    for (let i = at; i < n; ) {
      if (i + 1 < n && s[i] === a && s[i + 1] === b) {
        s[o++] = c;
        i += 2;
      } else s[o++] = s[i++]!;
    }
    n = o;
  }
  return s.subarray(0, n);
}

/** Min-heap of `rank * 2^32 + position` keys: lowest rank first, then leftmost. */
class KeyHeap {
  private readonly keys: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(key: number): void {
    const h = this.keys;
    let i = h.push(key) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= key) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = key;
  }
  pop(): number {
    const h = this.keys;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

const POS = 2 ** 32;

function mergeLong(s: Int32Array, { ranks, mergedIds, stride }: MergeTable): Int32Array {
  const n = s.length;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const heap = new KeyHeap();
  const consider = (i: number): void => {
    if (i < 0) return;
    const j = next[i]!;
    if (j < 0) return;
    const r = ranks.get(s[i]! * stride + s[j]!);
    if (r !== undefined) heap.push(r * POS + i);
  };
  for (let i = 0; i + 1 < n; i++) consider(i);
  while (heap.size > 0) {
    const key = heap.pop();
    const rank = Math.floor(key / POS);
    const i = key - rank * POS;
    const j = next[i]!;
    // NOTE: entries go stale when a neighbour merged first; recheck the pair.
    if (!alive[i] || j < 0 || ranks.get(s[i]! * stride + s[j]!) !== rank) continue;
    s[i] = mergedIds[rank]!;
    alive[j] = 0;
    next[i] = next[j]!;
    if (next[j]! >= 0) prev[next[j]!] = i;
    consider(prev[i]!);
    consider(i);
  }
  let o = 0;
  for (let i = 0; i >= 0; i = next[i]!) s[o++] = s[i]!;
  return s.subarray(0, o);
}
