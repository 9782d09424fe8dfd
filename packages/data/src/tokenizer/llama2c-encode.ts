/**
 * @file llama2.c's encoder (run.c's `encode`): optional BOS, a dummy-prefix
 * space, one token per UTF-8 code point with byte fallback (byte b → id b + 3),
 * then repeatedly merge the adjacent pair whose concatenation is a piece with
 * the best score (leftmost on ties). run.c rescans the sequence per merge
 * (O(n²)); here a heap of candidate pairs over a linked list gives the same
 * merges in O(n log n).
 */
import { PairHeap } from "./pair-heap.js";

/** run.c's starting `best_score`: a pair must score above it to merge. */
const FLOOR = Math.fround(-1e10);

/** Lookup tables of a vocabulary for {@link llama2cEncode}. */
export interface Llama2cTables {
  /** Piece bytes as a latin1 string → lowest id with those bytes. */
  readonly ids: ReadonlyMap<string, number>;
  /** Piece bytes as latin1 strings, by id. */
  readonly keys: readonly string[];
  readonly scores: Float32Array;
}

/** Builds the lookup tables of pieces (the first id wins when two pieces are equal). */
export function llama2cTables(pieces: readonly Uint8Array[], scores: Float32Array): Llama2cTables {
  const keys = pieces.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString("latin1"));
  const ids = new Map<string, number>();
  keys.forEach((k, id) => {
    if (!ids.has(k)) ids.set(k, id);
  });
  return { ids, keys, scores };
}

/** The ids run.c's `encode(text, bos, eos)` produces for the UTF-8 (WTF-8) `bytes`. */
export function llama2cEncode(bytes: Uint8Array, t: Llama2cTables, bos: boolean, eos: boolean): number[] {
  const tokens: number[] = bos ? [1] : [];
  const byteId = (b: number) => {
    if (b + 3 >= t.keys.length) throw new RangeError(`llama2.c encode: byte 0x${b.toString(16)} has no fallback token (vocabulary of ${t.keys.length})`);
    return b + 3;
  };
  if (bytes.length > 0) tokens.push(t.ids.get(" ") ?? byteId(0x20)); // run.c assumes " " is a piece
  for (let i = 0; i < bytes.length; ) {
    let j = i + 1;
    while (j < bytes.length && (bytes[j]! & 0xc0) === 0x80 && j - i < 4) j++; // continuation bytes of one code point
    const id = t.ids.get(String.fromCharCode(...bytes.subarray(i, j)));
    if (id !== undefined) tokens.push(id);
    else for (let k = i; k < j; k++) tokens.push(byteId(bytes[k]!));
    i = j;
  }
  mergePairs(tokens, t);
  if (eos) tokens.push(2);
  return tokens;
}

/** Applies the best-score merges to `tokens` in place. */
function mergePairs(tokens: number[], t: Llama2cTables): void {
  const n = tokens.length;
  const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
  const pairCache = new Map<string, number>();
  const merged = (a: number, b: number): number => {
    const key = `${a},${b}`;
    let id = pairCache.get(key);
    if (id === undefined) {
      id = t.ids.get(t.keys[a]! + t.keys[b]!) ?? -1;
      if (id >= 0 && !(t.scores[id]! > FLOOR)) id = -1;
      pairCache.set(key, id);
    }
    return id;
  };
  const heap = new PairHeap(); // (score, left position): best score first, then leftmost
  const consider = (i: number) => {
    const j = next[i]!;
    if (j < 0) return;
    const id = merged(tokens[i]!, tokens[j]!);
    if (id >= 0) heap.push(t.scores[id]!, i);
  };
  for (let i = 0; i < n - 1; i++) consider(i);
  for (let top = heap.pop(); top !== undefined; top = heap.pop()) {
    const [score, i] = top;
    if (tokens[i]! < 0 || next[i]! < 0) continue; // stale: merged away, or now last
    const j = next[i]!;
    const id = merged(tokens[i]!, tokens[j]!);
    if (id < 0 || t.scores[id] !== score) continue; // stale: the pair at i changed
    tokens[i] = id;
    tokens[j] = -1;
    next[i] = next[j]!;
    if (next[j]! >= 0) prev[next[j]!] = i;
    consider(i);
    if (prev[i]! >= 0) consider(prev[i]!);
  }
  let w = 0;
  for (let r = 0; r < n; r++) if (tokens[r]! >= 0) tokens[w++] = tokens[r]!;
  tokens.length = w;
}
