/**
 * @file The byte tokenizer: ids 0–255 are the UTF-8 bytes of the text, special
 * tokens follow (256, 257, ...). The baseline every BPE vocabulary is built on.
 */
import type { IntBuffer } from "../util/int-buffer.js";
import { encodeWtf8 } from "../util/wtf8.js";
import { ByteLevelTokenizer, type BosEosOptions } from "./base.js";
import type { ByteLevelModel } from "./hf-json.js";

/** Options for {@link ByteTokenizer}. */
export interface ByteTokenizerOptions extends BosEosOptions {
  /** Special tokens, given ids 256, 257, ... (default `["<|endoftext|>"]`). */
  readonly specialTokens?: readonly string[];
}

/** Checks special-token strings: non-empty and unique. */
export function checkSpecialTokens(tokens: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (typeof t !== "string" || t.length === 0) throw new Error(`${where}: specialTokens must be non-empty strings, got ${JSON.stringify(t)}`);
    if (seen.has(t)) throw new Error(`${where}: specialTokens lists "${t}" twice`);
    seen.add(t);
  }
}

/** A tokenizer with one id per byte (256) plus special tokens. */
export class ByteTokenizer extends ByteLevelTokenizer {
  readonly kind = "byte" as const;

  /** A byte tokenizer with the given special tokens (default `<|endoftext|>`, BOS = EOS). */
  constructor(options: ByteTokenizerOptions = {}) {
    const special = options.specialTokens ?? ["<|endoftext|>"];
    checkSpecialTokens(special, "ByteTokenizer");
    super(ByteTokenizer.model(special), options);
  }

  /** The model behind a byte tokenizer: 256 byte tokens, no merges. */
  static model(specialTokens: readonly string[]): ByteLevelModel {
    return {
      tokenBytes: Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)),
      merges: [],
      specials: specialTokens.map((content, i) => ({ content, id: 256 + i })),
    };
  }

  protected override encodeOrdinary(text: string, out: IntBuffer): void {
    out.pushAll(encodeWtf8(text));
  }
}
