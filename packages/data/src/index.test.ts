import { describe, expect, it } from "vitest";
import * as data from "./index.js";

describe("@kiln/data public API", () => {
  it("exports exactly these values (review API changes here)", () => {
    expect(Object.keys(data).sort()).toMatchInlineSnapshot(`
      [
        "BpeTokenizer",
        "ByteLevelTokenizer",
        "ByteTokenizer",
        "GPT2_SPLIT_PATTERN",
        "Llama2cTokenizer",
        "RandomBatches",
        "SequentialBatches",
        "TOKEN_CACHE_VERSION",
        "TokenDataset",
        "Tokenizer",
        "bigramCrossEntropy",
        "bigramEntropy",
        "corpusHash",
        "decodeWtf8",
        "defaultCacheDir",
        "encodeWtf8",
        "entropyBaseline",
        "gatherWindows",
        "pretokenize",
        "readTextFile",
        "resolveBosEos",
        "sotuCorpus",
        "sotuDataDir",
        "splitEveryNth",
        "textCorpus",
        "tokenizeDocuments",
        "trainBpe",
        "unigramCrossEntropy",
        "unigramEntropy",
      ]
    `);
  });
});
