/**
 * @file @kiln/data's public API: corpora (SOTU, user text), byte and byte-level
 * BPE tokenizers with a trainer, cached token datasets, batch samplers, baselines.
 */
export { corpusHash, splitEveryNth, type Corpus, type CorpusDocument, type Split } from "./corpus/corpus.js";
export { sotuCorpus, sotuDataDir, type SotuCorpusOptions, type SotuDocument } from "./corpus/sotu.js";
export { readTextFile, textCorpus, type TextCorpusOptions } from "./corpus/text-files.js";

export type { DecodeOptions, EncodeOptions, SpecialToken } from "./tokenizer/tokenizer.js";
export { Tokenizer } from "./tokenizer/load.js";
export { ByteLevelTokenizer, resolveBosEos, type BosEosOptions } from "./tokenizer/base.js";
export { ByteTokenizer, type ByteTokenizerOptions } from "./tokenizer/byte.js";
export { BpeTokenizer } from "./tokenizer/bpe.js";
export { trainBpe, type TrainBpeOptions } from "./tokenizer/train-bpe.js";
export { GPT2_SPLIT_PATTERN, pretokenize } from "./tokenizer/pretokenize.js";
export type { ByteLevelModel, HfAddedToken, HfTokenizerJson } from "./tokenizer/hf-json.js";
export type { HfTokenizerFilesOptions } from "./tokenizer/hf-files.js";
export type { PostProcessor } from "./tokenizer/post-processor.js";
export { decodeWtf8, encodeWtf8 } from "./util/wtf8.js";

export {
  RandomBatches,
  SequentialBatches,
  gatherWindows,
  type Batch,
  type BatchArrays,
  type RandomBatchesOptions,
  type RandomBatchesState,
  type SequentialBatchesOptions,
} from "./dataset/batches.js";
export { TokenDataset, defaultCacheDir, tokenizeDocuments, type CacheStatus, type TokenDatasetOptions } from "./dataset/token-dataset.js";
export { TOKEN_CACHE_VERSION, type TokenCacheManifest } from "./dataset/token-cache.js";

export {
  bigramCrossEntropy,
  bigramEntropy,
  entropyBaseline,
  unigramCrossEntropy,
  unigramEntropy,
  type EntropyBaseline,
} from "./stats/entropy.js";
export { Llama2cTokenizer, type Llama2cEncodeOptions, type Llama2cLoadOptions } from "./tokenizer/llama2c.js";
export type { Llama2cVocab } from "./tokenizer/llama2c-format.js";
