/**
 * @file Byte-level BPE training (Sennrich et al. 2016; GPT-2's byte-level variant):
 * count pre-tokens once, then merge the most frequent adjacent pair repeatedly,
 * updating pair counts incrementally (only words containing the pair are touched,
 * as in Hugging Face `tokenizers`' BpeTrainer) instead of recounting per merge.
 */
import { encodeWtf8 } from "../util/wtf8.js";
import type { BosEosOptions } from "./base.js";
import { BpeTokenizer } from "./bpe.js";
import { checkSpecialTokens } from "./byte.js";
import { PairHeap } from "./pair-heap.js";
import { forEachPretoken } from "./pretokenize.js";

/** Options for {@link trainBpe}. */
export interface TrainBpeOptions extends BosEosOptions {
  /** Total vocabulary: 256 bytes + merges + special tokens (256 + specials .. 65536). */
  readonly vocabSize: number;
  /** Special tokens, given the last ids (default `["<|endoftext|>"]`). */
  readonly specialTokens?: readonly string[];
  /** Stop early when the best pair occurs fewer times than this (default 2). */
  readonly minFrequency?: number;
  /** Called every 256 merges and at the end with `(merges done, merges wanted)`. */
  readonly onProgress?: (merges: number, target: number) => void;
}

const S = 65536; // pair key = left * S + right

/**
 * Trains a byte-level BPE tokenizer on `texts`. Ids 0–255 are the bytes, then one
 * id per merge in order, then the special tokens. If no pair reaches
 * `minFrequency` first, the vocabulary is smaller than `vocabSize`.
 */
export function trainBpe(texts: Iterable<string>, options: TrainBpeOptions): BpeTokenizer {
  if (typeof texts === "string") throw new TypeError("trainBpe: texts must be an iterable of strings (one per document), not a single string");
  const specials = options.specialTokens ?? ["<|endoftext|>"];
  checkSpecialTokens(specials, "trainBpe");
  const { vocabSize, minFrequency = 2 } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 256 + specials.length || vocabSize > S) {
    throw new RangeError(`trainBpe: vocabSize must be an integer in [${256 + specials.length}, ${S}] (256 bytes + ${specials.length} special), got ${vocabSize}`);
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) throw new RangeError(`trainBpe: minFrequency must be an integer ≥ 1, got ${minFrequency}`);
  const target = vocabSize - 256 - specials.length;

  // 1. Pre-token frequencies.
  const wordCounts = new Map<string, number>();
  for (const text of texts) {
    if (typeof text !== "string") throw new TypeError(`trainBpe: texts must be strings, got ${typeof text}`);
    forEachPretoken(text, (p) => wordCounts.set(p, (wordCounts.get(p) ?? 0) + 1));
  }

  // 2. Words as byte-symbol arrays; pair counts and the words each pair occurs in.
  const words: Int32Array[] = [];
  const freqs: number[] = [];
  for (const [word, f] of wordCounts) {
    const bytes = encodeWtf8(word);
    if (bytes.length > 1) {
      words.push(Int32Array.from(bytes));
      freqs.push(f);
    }
  }
  wordCounts.clear();
  const lens = Int32Array.from(words, (w) => w.length);
  const counts = new Map<number, number>();
  const where = new Map<number, number[]>();
  const note = (key: number, w: number): void => {
    const list = where.get(key);
    if (!list) where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  words.forEach((s, w) => {
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i]! * S + s[i + 1]!;
      counts.set(key, (counts.get(key) ?? 0) + freqs[w]!);
      note(key, w);
    }
  });
  const heap = new PairHeap();
  for (const [key, c] of counts) heap.push(c, key);

  // 3. Merge loop.
  const tokenBytes: Uint8Array[] = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  const merges: [number, number, number][] = [];
  const stamp = new Int32Array(words.length).fill(-1);
  const touched = new Set<number>();
  const add = (key: number, delta: number, w: number): void => {
    const c = (counts.get(key) ?? 0) + delta;
    if (c > 0) counts.set(key, c);
    else counts.delete(key);
    if (delta > 0) {
      touched.add(key);
      note(key, w);
    }
  };
  while (merges.length < target && heap.size > 0) {
    const [count, key] = heap.pop()!;
    const live = counts.get(key) ?? 0;
    if (live !== count) {
      if (live > 0) heap.push(live, key);
      continue;
    }
    if (count < minFrequency) break;
    const a = Math.floor(key / S);
    const b = key - a * S;
    const c = 256 + merges.length;
    merges.push([a, b, c]);
    const joined = new Uint8Array(tokenBytes[a]!.length + tokenBytes[b]!.length);
    joined.set(tokenBytes[a]!);
    joined.set(tokenBytes[b]!, tokenBytes[a]!.length);
    tokenBytes.push(joined);
    touched.clear();
    for (const w of where.get(key) ?? []) {
      if (stamp[w] === c) continue;
      stamp[w] = c;
      const s = words[w]!;
      const n = lens[w]!;
      const f = freqs[w]!;
      let o = 0;
      for (let i = 0; i < n; ) {
        if (i + 1 < n && s[i] === a && s[i + 1] === b) {
          // NOTE: s[o-1] is the already-merged left neighbour, s[i+2] the untouched right one.
          if (o > 0) {
            add(s[o - 1]! * S + a, -f, w);
            add(s[o - 1]! * S + c, f, w);
          }
          if (i + 2 < n) {
            add(b * S + s[i + 2]!, -f, w);
            add(c * S + s[i + 2]!, f, w);
          }
          s[o++] = c;
          i += 2;
        } else s[o++] = s[i++]!;
      }
      lens[w] = o;
    }
    counts.delete(key);
    where.delete(key);
    for (const k of touched) {
      const live2 = counts.get(k);
      if (live2 !== undefined) heap.push(live2, k);
    }
    if (merges.length % 256 === 0) options.onProgress?.(merges.length, target);
  }
  options.onProgress?.(merges.length, target);
  const base = 256 + merges.length;
  return new BpeTokenizer(
    { tokenBytes, merges, specials: specials.map((content, i) => ({ content, id: base + i })) },
    options,
  );
}
