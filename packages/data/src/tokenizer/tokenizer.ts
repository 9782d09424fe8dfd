/**
 * @file The contract every kiln tokenizer meets (byte-level and BPE alike):
 * text → Int32Array of ids → text, exactly, plus BOS/EOS ids and JSON save.
 */
import type { HfTokenizerFilesOptions } from "./hf-files.js";
import type { HfTokenizerJson } from "./hf-json.js";

/** Options for {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /**
   * When true, occurrences of special-token strings (e.g. `<|endoftext|>`) in the
   * text become their special ids. Default false: they are encoded as plain text,
   * so text from a corpus can never inject a control token.
   */
  readonly allowSpecial?: boolean;
  /**
   * Apply the tokenizer.json's `TemplateProcessing` post-processor (e.g. BOS
   * before, EOS after), as HF `tokenizer.encode(text)` does by default. Default
   * true; only loaded tokenizers that have such a template add anything.
   */
  readonly addSpecialTokens?: boolean;
}

/** Options for {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Drop special tokens instead of rendering their text (default false). */
  readonly skipSpecial?: boolean;
}

/** A special token and its id. */
export interface SpecialToken {
  readonly content: string;
  readonly id: number;
}

/**
 * A tokenizer: `decode(encode(s)) === s` for every JavaScript string `s`
 * (lone surrogates included, see `encodeWtf8`).
 */
export interface Tokenizer {
  /** `byte` (256 byte symbols + specials) or `bpe` (byte-level BPE). */
  readonly kind: "byte" | "bpe";
  /** Number of ids, specials included; every id is in `[0, vocabSize)`. */
  readonly vocabSize: number;
  /** Special tokens in id order. */
  readonly specialTokens: readonly SpecialToken[];
  /** Id that starts a document. */
  readonly bosId: number;
  /** Id that ends a document (equal to `bosId` for a single `<|endoftext|>`). */
  readonly eosId: number;
  /** Hex SHA-256 of the saved JSON: identifies the tokenizer in cache keys. */
  readonly fingerprint: string;
  /** Text → ids. */
  encode(text: string, options?: EncodeOptions): Int32Array;
  /** Ids → text; invalid UTF-8 from a bad id sequence becomes U+FFFD. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The raw bytes of one token (a special token's UTF-8 text). */
  tokenBytes(id: number): Uint8Array;
  /** The Hugging Face `tokenizer.json` document for this tokenizer. */
  toJSON(): HfTokenizerJson;
  /** Writes `toJSON()` to `path` atomically. */
  save(path: string): void;
  /**
   * Writes `tokenizer.json`, `tokenizer_config.json` and `special_tokens_map.json`
   * into `dir` (atomically, each), so transformers' `AutoTokenizer` loads it with BOS/EOS.
   */
  saveHf(dir: string, options?: HfTokenizerFilesOptions): void;
}
