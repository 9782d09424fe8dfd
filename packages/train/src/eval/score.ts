/**
 * @file What `kiln eval` does: scores a checkpoint on its run's validation
 * split (by default on the same windows the trainer scored, so both print
 * the same number), on all of it, on its training split, or on any text the
 * user names (a .txt file, a directory of them, or a .jsonl corpus), beside
 * unigram and bigram baselines fitted on the run's training split and
 * scored on the same text.
 */
import { bigramCrossEntropy, textCorpus, tokenizeDocuments, unigramCrossEntropy, type Tokenizer } from "@kiln/data";
import type { Llama } from "@kiln/nn";
import type { TrainConfig } from "../config/train-config.js";
import { prepareData } from "../run-data.js";
import { formatLoss, validationLoss, validationSample, type ValidationLoss } from "./validation.js";

/** What to score and how many windows. */
export interface ScoreOptions {
  /** A text file, directory of .txt files or .jsonl corpus to score instead of the run's own split. */
  text?: string;
  /** The run's split to score when no `text` is given (default "val"). */
  split?: "val" | "train";
  /** Windows spread evenly over the text; null: all of it; undefined: the run's own evaluation sample (`evalBatches × batchSize`) for its validation split, all of any other text. */
  sequences?: number | null;
}

/** A score and the held-out baselines on the same text. */
export interface Score {
  validation: ValidationLoss;
  unigram: number;
  bigram: number;
}

/** Scores `model` (trained with `config`, tokenizing with `tokenizer`) as `opts` says. */
export function scoreCheckpoint(model: Llama, config: TrainConfig, tokenizer: Tokenizer, opts: ScoreOptions = {}): Score {
  const data = prepareData(config, () => {}, tokenizer);
  const split = opts.split ?? "val";
  let tokens: Int32Array;
  let what: string;
  if (opts.text !== undefined) {
    tokens = tokenizeDocuments(textCorpus(opts.text).documents, tokenizer);
    what = `text of ${opts.text}`;
  } else {
    tokens = (split === "val" ? data.val : data.train).tokens;
    what = split === "val" ? "validation split" : "training split";
  }
  const T = config.data.contextLength;
  if (tokens.length < T + 1) throw new Error(`${opts.text ?? split}: ${tokens.length} tokens, fewer than one window of ${T} + 1`);
  const ownSample = opts.text === undefined && split === "val" ? config.train.evalBatches * config.train.batchSize : null;
  const sample = validationSample(tokens.length, T, opts.sequences === undefined ? ownSample : opts.sequences);
  const train = data.train.tokens;
  const V = tokenizer.vocabSize;
  return {
    validation: validationLoss(model, tokens, sample, { batchSize: config.train.batchSize, what }),
    unigram: unigramCrossEntropy(train, tokens, V),
    bigram: bigramCrossEntropy(train, tokens, V),
  };
}

/** The lines `kiln eval` prints for a score. */
export function scoreLines(s: Score): string[] {
  const v = s.validation;
  return [
    `loss ${formatLoss(v)} nats/token, perplexity ${Math.exp(v.loss).toFixed(2)}, on ${v.definition}`,
    `baselines on the whole of the same text (fitted on the run's training split): unigram ${s.unigram.toFixed(4)}, bigram ${s.bigram.toFixed(4)}`,
  ];
}
