/**
 * @file Data for a run: the corpus, a tokenizer trained on its training
 * split only (cached by corpus hash and size), the train/validation token
 * streams, and the n-gram baselines a model must beat.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  ByteTokenizer, Tokenizer, TokenDataset, corpusHash, entropyBaseline, sotuCorpus, textCorpus, trainBpe,
  type Corpus, type EntropyBaseline,
} from "@kiln/data";
import { removeDeadTemporaries } from "./checkpoint/store.js";
import type { TrainConfig } from "./config/train-config.js";

/** Everything a run reads from disk, prepared once. */
export interface RunData {
  corpus: Corpus;
  tokenizer: Tokenizer;
  train: TokenDataset;
  val: TokenDataset;
  baseline: EntropyBaseline;
  /** Bytes of text per token on the validation split (compression). */
  bytesPerToken: number;
}

/** Loads the configured corpus. */
export function loadCorpus(config: TrainConfig): Corpus {
  return config.data.corpus === "sotu" ? sotuCorpus() : textCorpus(config.data.corpus);
}

/** The run's tokenizer: a byte tokenizer, or a BPE trained on the corpus's training split (cached). */
export function tokenizerFor(config: TrainConfig, corpus: Corpus, log: (line: string) => void = () => {}): Tokenizer {
  if (config.data.tokenizer === "byte") return new ByteTokenizer();
  const V = config.data.vocabSize;
  const path = join(config.data.cacheDir, "tokenizers", `${corpus.name.replace(/\W+/g, "_")}-${corpusHash(corpus.train).slice(0, 12)}-bpe${V}.json`);
  if (existsSync(path)) {
    try {
      return Tokenizer.load(path);
    } catch (e) {
      log(`tokenizer cache ${path} is unreadable (${(e as Error).message}); retraining`);
    }
  }
  const t0 = performance.now();
  const tok = trainBpe(corpus.train.map((d) => d.text), { vocabSize: V });
  tok.save(path);
  log(`trained a ${V}-token BPE on ${corpus.train.length} training documents in ${((performance.now() - t0) / 1000).toFixed(1)}s → ${path}`);
  return tok;
}

/** Prepares corpus, tokenizer, token streams and baselines for `config`. */
export function prepareData(config: TrainConfig, log: (line: string) => void = () => {}, tokenizer?: Tokenizer): RunData {
  const corpus = loadCorpus(config);
  for (const sub of ["tokens", "tokenizers"]) removeDeadTemporaries(join(config.data.cacheDir, sub)); // left by killed runs
  const tok = tokenizer ?? tokenizerFor(config, corpus, log);
  const cacheDir = join(config.data.cacheDir, "tokens");
  const train = TokenDataset.fromCorpus(corpus, "train", tok, { cacheDir });
  const val = TokenDataset.fromCorpus(corpus, "val", tok, { cacheDir });
  const minTokens = config.data.contextLength + 1;
  for (const [name, ds] of [["training", train], ["validation", val]] as const) {
    if (ds.length < minTokens) {
      throw new Error(`${corpus.name}: the ${name} split has ${ds.length} tokens, fewer than one context window of ${minTokens}; use more text or a shorter data.contextLength`);
    }
  }
  const valBytes = corpus.val.reduce((s, d) => s + Buffer.byteLength(d.text, "utf8"), 0);
  return {
    corpus,
    tokenizer: tok,
    train,
    val,
    baseline: entropyBaseline(train.tokens, tok.vocabSize, val.tokens),
    bytesPerToken: valBytes / val.length,
  };
}
