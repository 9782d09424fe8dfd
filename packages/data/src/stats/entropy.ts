/**
 * @file Count-based baselines for a token stream, in nats/token: the unigram and
 * bigram entropies (plug-in estimates) and their held-out cross-entropies. A
 * language model's validation loss has to beat these to have learned anything.
 */

function maxId(tokens: ArrayLike<number>): number {
  let m = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!Number.isInteger(t) || t < 0) throw new RangeError(`entropy: token ${t} at position ${i} is not a non-negative integer id`);
    if (t > m) m = t;
  }
  return m;
}

function unigramCounts(tokens: ArrayLike<number>, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < tokens.length; i++) counts[tokens[i]!]! += 1;
  return counts;
}

/** Counts of consecutive pairs, visited row by row (`a` ascending). */
interface PairCounts {
  /** Calls `fn(a, b, count)` for every pair seen, grouped by `a` in ascending order. */
  forEach(fn: (a: number, b: number, count: number) => void): void;
  /** Count of the pair `(a, b)`. */
  get(a: number, b: number): number;
}

/** Largest vocabulary counted in a dense V×V table (16 MiB of int32); larger ones sort pair keys. */
const DENSE_MAX_VOCAB = 2048;

/** Pair counts of `tokens`: a dense table for small vocabularies, sorted keys otherwise. */
function pairCounts(tokens: ArrayLike<number>, v: number): PairCounts {
  if (v <= DENSE_MAX_VOCAB) {
    const table = new Int32Array(v * v);
    for (let i = 0; i + 1 < tokens.length; i++) table[tokens[i]! * v + tokens[i + 1]!]! += 1;
    return {
      forEach(fn) {
        for (let k = 0; k < table.length; k++) if (table[k]! > 0) fn(Math.floor(k / v), k % v, table[k]!);
      },
      get: (a, b) => table[a * v + b]!,
    };
  }
  const keys = new Float64Array(Math.max(0, tokens.length - 1));
  for (let i = 0; i + 1 < tokens.length; i++) keys[i] = tokens[i]! * v + tokens[i + 1]!;
  keys.sort();
  const map = new Map<number, number>();
  for (let i = 0; i < keys.length; ) {
    let j = i;
    while (j < keys.length && keys[j] === keys[i]) j++;
    map.set(keys[i]!, j - i);
    i = j;
  }
  return {
    forEach(fn) {
      for (const [k, c] of map) fn(Math.floor(k / v), k % v, c);
    },
    get: (a, b) => map.get(a * v + b) ?? 0,
  };
}

/** Unigram entropy `H = -Σ p(a) ln p(a)` of the empirical token distribution. */
export function unigramEntropy(tokens: ArrayLike<number>): number {
  const n = tokens.length;
  if (n === 0) return 0;
  let h = 0;
  for (const c of unigramCounts(tokens, maxId(tokens) + 1)) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Bigram conditional entropy `H(Xₜ | Xₜ₋₁) = -Σ p(a,b) ln p(b|a)` of the empirical pair counts. */
export function bigramEntropy(tokens: ArrayLike<number>): number {
  const m = tokens.length - 1;
  if (m <= 0) return 0;
  const v = maxId(tokens) + 1;
  // H = (Σ_a c(a) ln c(a) − Σ_ab c(a,b) ln c(a,b)) / M, c(a) = pairs starting with a.
  let sumPair = 0;
  let sumRow = 0;
  let rowCount = 0;
  let row = -1;
  pairCounts(tokens, v).forEach((a, _b, c) => {
    if (a !== row) {
      if (rowCount > 0) sumRow += rowCount * Math.log(rowCount);
      row = a;
      rowCount = 0;
    }
    rowCount += c;
    sumPair += c * Math.log(c);
  });
  sumRow += rowCount * Math.log(rowCount);
  return (sumRow - sumPair) / m;
}

/**
 * Held-out cross-entropy (nats/token) of `evalTokens` under a unigram model of
 * `train` with add-one (Laplace) smoothing: `p(b) = (c(b) + 1) / (N + V)`.
 */
export function unigramCrossEntropy(train: ArrayLike<number>, evalTokens: ArrayLike<number>, vocabSize: number): number {
  if (evalTokens.length === 0) return 0;
  const counts = unigramCounts(train, Math.max(vocabSize, maxId(train) + 1));
  const denom = train.length + vocabSize;
  let nll = 0;
  for (let i = 0; i < evalTokens.length; i++) nll -= Math.log(((counts[evalTokens[i]!] ?? 0) + 1) / denom);
  return nll / evalTokens.length;
}

/**
 * Held-out cross-entropy (nats/token) of `evalTokens` under a Witten–Bell
 * interpolated bigram model of `train` (Witten & Bell 1991; Chen & Goodman 1998):
 * `p(b|a) = (c(a,b) + t(a)·p₁(b)) / (c(a) + t(a))`, `t(a)` = distinct successors
 * of `a`, `p₁` the add-one unigram. The first eval token is scored by `p₁`.
 */
export function bigramCrossEntropy(train: ArrayLike<number>, evalTokens: ArrayLike<number>, vocabSize: number): number {
  const n = evalTokens.length;
  if (n === 0) return 0;
  const v = Math.max(vocabSize, maxId(train) + 1, maxId(evalTokens) + 1);
  const uni = unigramCounts(train, v);
  const p1 = (b: number): number => (uni[b]! + 1) / (train.length + vocabSize);
  const pairs = pairCounts(train, v);
  const rowTotal = new Float64Array(v);
  const rowTypes = new Float64Array(v);
  pairs.forEach((a, _b, c) => {
    rowTotal[a]! += c;
    rowTypes[a]! += 1;
  });
  let nll = -Math.log(p1(evalTokens[0]!));
  for (let i = 1; i < n; i++) {
    const a = evalTokens[i - 1]!;
    const b = evalTokens[i]!;
    const t = rowTypes[a]!;
    const p = t === 0 ? p1(b) : (pairs.get(a, b) + t * p1(b)) / (rowTotal[a]! + t);
    nll -= Math.log(p);
  }
  return nll / n;
}

/** The count-based baselines a trainer reports next to its validation loss. */
export interface EntropyBaseline {
  /** `ln V`: the loss of a uniform guess. */
  readonly uniform: number;
  /** Plug-in unigram entropy of the training stream. */
  readonly unigram: number;
  /** Plug-in bigram conditional entropy of the training stream (optimistic: fitted and scored on the same data). */
  readonly bigram: number;
  /** Add-one unigram cross-entropy on the eval stream (when given). */
  readonly unigramHeldOut?: number;
  /** Witten–Bell bigram cross-entropy on the eval stream (when given). */
  readonly bigramHeldOut?: number;
}

/** Computes {@link EntropyBaseline} for a training stream and, optionally, an eval stream. */
export function entropyBaseline(train: ArrayLike<number>, vocabSize: number, evalTokens?: ArrayLike<number>): EntropyBaseline {
  const base = { uniform: Math.log(vocabSize), unigram: unigramEntropy(train), bigram: bigramEntropy(train) };
  if (!evalTokens) return base;
  return {
    ...base,
    unigramHeldOut: unigramCrossEntropy(train, evalTokens, vocabSize),
    bigramHeldOut: bigramCrossEntropy(train, evalTokens, vocabSize),
  };
}
