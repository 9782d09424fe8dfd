/**
 * @file A tokenized corpus split held as one int32 stream, built once and cached
 * on disk. Each document becomes `[BOS] ids EOS`, the BOS omitted when BOS = EOS
 * (GPT-2's single `<|endoftext|>` separator).
 */
import { resolve } from "node:path";
import { corpusHash, type Corpus, type CorpusDocument, type Split } from "../corpus/corpus.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { IntBuffer } from "../util/int-buffer.js";
import { RandomBatches, SequentialBatches, type RandomBatchesOptions, type SequentialBatchesOptions } from "./batches.js";
import { readTokenCache, writeTokenCache } from "./token-cache.js";

/** Options for building a {@link TokenDataset}. */
export interface TokenDatasetOptions {
  /** Cache directory (default `.cache/kiln/tokens` under the cwd); `false` disables the cache. */
  readonly cacheDir?: string | false;
}

/** Where a dataset's tokens came from. */
export type CacheStatus = "hit" | "built" | "rebuilt" | "uncached";

/** Default cache directory: `.cache/kiln/tokens` under the current directory. */
export function defaultCacheDir(): string {
  return resolve(".cache", "kiln", "tokens");
}

/** Tokenizes documents into one stream with the separators described in the file header. */
export function tokenizeDocuments(documents: readonly CorpusDocument[], tokenizer: Tokenizer): Int32Array {
  const out = new IntBuffer(1 << 16);
  const withBos = tokenizer.bosId !== tokenizer.eosId;
  for (const d of documents) {
    if (withBos) out.push(tokenizer.bosId);
    out.pushAll(tokenizer.encode(d.text, { addSpecialTokens: false })); // the separators are added here
    out.push(tokenizer.eosId);
  }
  return out.toInt32Array();
}

/** A token stream with batch samplers. */
export class TokenDataset {
  /** Wraps an existing stream of ids in `[0, vocabSize)`. */
  constructor(
    /** The token ids. */
    readonly tokens: Int32Array,
    /** Vocabulary size of the tokenizer that made them. */
    readonly vocabSize: number,
    /** Name, e.g. `sotu.train`. */
    readonly name = "tokens",
    /** How the tokens were obtained (cache hit, built, rebuilt, no cache). */
    readonly cacheStatus: CacheStatus = "uncached",
    /** Why the cache was (re)built, when it was. */
    readonly cacheNote = "",
  ) {}

  /** Number of tokens. */
  get length(): number {
    return this.tokens.length;
  }

  /** Tokenizes one split of a corpus, reusing `cacheDir`'s copy when it is current. */
  static fromCorpus(corpus: Corpus, split: Split, tokenizer: Tokenizer, options: TokenDatasetOptions = {}): TokenDataset {
    if (split !== "train" && split !== "val") throw new Error(`TokenDataset.fromCorpus: split must be "train" or "val", got ${JSON.stringify(split)}`);
    const docs = corpus[split];
    if (docs.length === 0) throw new Error(`TokenDataset.fromCorpus: corpus "${corpus.name}" has no ${split} documents`);
    return TokenDataset.fromDocuments(`${corpus.name}.${split}`, docs, tokenizer, options);
  }

  /** Tokenizes documents under a dataset `name`, reusing `cacheDir`'s copy when it is current. */
  static fromDocuments(name: string, documents: readonly CorpusDocument[], tokenizer: Tokenizer, options: TokenDatasetOptions = {}): TokenDataset {
    const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
    if (dir === false) {
      return new TokenDataset(tokenizeDocuments(documents, tokenizer), tokenizer.vocabSize, name);
    }
    const key = { name, corpusHash: corpusHash(documents), tokenizerHash: tokenizer.fingerprint };
    const cached = readTokenCache(dir, key);
    if (cached.status === "hit") {
      return new TokenDataset(cached.tokens, tokenizer.vocabSize, name, "hit");
    }
    const tokens = tokenizeDocuments(documents, tokenizer);
    writeTokenCache(dir, key, tokens, tokenizer.vocabSize, documents.length);
    return new TokenDataset(tokens, tokenizer.vocabSize, name, cached.status === "missing" ? "built" : "rebuilt", cached.reason);
  }

  /** Random `[B, T]` training batches (see {@link RandomBatches}). */
  randomBatches(options: RandomBatchesOptions): RandomBatches {
    return new RandomBatches(this.tokens, options);
  }

  /** Sequential evaluation batches covering the stream once (see {@link SequentialBatches}). */
  sequentialBatches(options: SequentialBatchesOptions): SequentialBatches {
    return new SequentialBatches(this.tokens, options);
  }
}
