/**
 * @file The corpus model shared by every source: whole documents plus a
 * train/val split made of whole documents, so no text leaks across the split.
 */
import { createHash } from "node:crypto";

/** One document of a corpus: an id unique within the corpus and its text. */
export interface CorpusDocument {
  /** Stable identifier, e.g. a file name or `file.jsonl:12`. */
  readonly id: string;
  /** The document text, exactly as read (UTF-8 decoded). */
  readonly text: string;
}

/** Names of the two splits of a corpus. */
export type Split = "train" | "val";

/** A named collection of documents with a deterministic train/val split. */
export interface Corpus<D extends CorpusDocument = CorpusDocument> {
  /** Short name used in cache file names, e.g. `sotu`. */
  readonly name: string;
  /** Every document, in corpus order. */
  readonly documents: readonly D[];
  /** Training documents (corpus order). */
  readonly train: readonly D[];
  /** Validation documents (corpus order); disjoint from `train`. */
  readonly val: readonly D[];
}

/**
 * Splits documents by position: document `i` (0-based) goes to val when
 * `i % every === every - 1`, i.e. the `every`-th, `2·every`-th, ... document.
 */
export function splitEveryNth<D>(documents: readonly D[], every: number): { train: D[]; val: D[] } {
  if (!Number.isInteger(every) || every < 2) {
    throw new RangeError(`splitEveryNth: valEvery must be an integer ≥ 2, got ${every}`);
  }
  const train: D[] = [];
  const val: D[] = [];
  documents.forEach((d, i) => (i % every === every - 1 ? val : train).push(d));
  return { train, val };
}

/**
 * Content hash of a document list (ids and texts, in order): the cache key that
 * tells a token cache built from this exact text apart from a stale one.
 */
export function corpusHash(documents: readonly CorpusDocument[]): string {
  const h = createHash("sha256");
  for (const d of documents) {
    h.update(`${d.id.length}:${d.id}\n${d.text.length}:`);
    h.update(d.text);
    h.update("\n");
  }
  return h.digest("hex");
}
