/**
 * @file `Llama2cTokenizer`: llama2.c's `tokenizer.bin` (SentencePiece BPE
 * pieces with scores, as karpathy/llama2.c exports them) as a kiln tokenizer.
 * Encoding follows run.c's `encode` exactly; decoding follows run.c's
 * `decode` (byte pieces `<0xXX>`, no leading space after BOS).
 */
import { readFileSync } from "node:fs";
import { sha256 } from "../util/hash.js";
import { decodeWtf8, encodeWtf8 } from "../util/wtf8.js";
import { writeFileAtomic } from "@kiln/tensor";
import type { HfTokenizerJson } from "./hf-json.js";
import { llama2cEncode, llama2cTables, type Llama2cTables } from "./llama2c-encode.js";
import { formatLlama2cVocab, parseLlama2cVocab, type Llama2cVocab } from "./llama2c-format.js";
import type { DecodeOptions, EncodeOptions, SpecialToken, Tokenizer } from "./tokenizer.js";

/** Options of {@link Llama2cTokenizer.encode}. */
export interface Llama2cEncodeOptions extends EncodeOptions {
  /** Start with BOS (id 1), as run.c does for a prompt (default false). */
  readonly bos?: boolean;
  /** End with EOS (id 2) (default false). */
  readonly eos?: boolean;
}

/** Options of {@link Llama2cTokenizer.load}. */
export interface Llama2cLoadOptions {
  /** Read exactly this many tokens (run.c takes it from the model); default: every entry in the file. */
  readonly vocabSize?: number;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;
const SPECIAL_NAMES = ["<unk>", "<s>", "</s>"];

/**
 * A llama2.c tokenizer: ids 0, 1, 2 are `<unk>`, BOS and EOS (their pieces as
 * stored, e.g. `"\n<s>\n"`, are what decode renders); ids 3–258 are usually the
 * byte pieces `<0x00>`…`<0xFF>`. `encode` adds the dummy-prefix space of
 * SentencePiece, `decode` drops it again (a leading space of the first piece
 * or of a piece after BOS), so `decode(encode(s)) === s`.
 */
export class Llama2cTokenizer implements Tokenizer {
  /** Score-ordered BPE over pieces, reported as `bpe`. */
  readonly kind = "bpe" as const;
  readonly vocabSize: number;
  /** Ids 0–2 under the names `<unk>`, `<s>`, `</s>` (what `allowSpecial` matches in text). */
  readonly specialTokens: readonly SpecialToken[];
  readonly bosId = 1;
  readonly eosId = 2;
  private readonly vocab: Llama2cVocab;
  private readonly tables: Llama2cTables;
  /** Decoded bytes by id (byte pieces → their byte). */
  private readonly bytesById: Uint8Array[];
  private hash: string | undefined;

  /** Wraps parsed `tokenizer.bin` contents (at least the 3 special ids). */
  constructor(vocab: Llama2cVocab) {
    if (vocab.pieces.length < 3) throw new Error(`Llama2cTokenizer: ${vocab.pieces.length} tokens; ids 0–2 (<unk>, BOS, EOS) are required`);
    if (vocab.scores.length !== vocab.pieces.length) throw new Error(`Llama2cTokenizer: ${vocab.scores.length} scores for ${vocab.pieces.length} pieces`);
    this.vocab = vocab;
    this.vocabSize = vocab.pieces.length;
    this.tables = llama2cTables(vocab.pieces, vocab.scores);
    this.bytesById = vocab.pieces.map((p, id) => {
      const m = BYTE_PIECE.exec(this.tables.keys[id]!);
      return m ? Uint8Array.of(parseInt(m[1]!, 16)) : p;
    });
    this.specialTokens = SPECIAL_NAMES.map((content, id) => ({ content, id }));
  }

  /** Parses `tokenizer.bin` bytes (see {@link Llama2cLoadOptions}); `source` is named in errors. */
  static fromBytes(bytes: Uint8Array, source = "tokenizer.bin", { vocabSize }: Llama2cLoadOptions = {}): Llama2cTokenizer {
    return new Llama2cTokenizer(parseLlama2cVocab(bytes, source, vocabSize));
  }

  /** Reads a llama2.c `tokenizer.bin`. */
  static load(path: string, options: Llama2cLoadOptions = {}): Llama2cTokenizer {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(`Llama2cTokenizer.load: cannot read "${path}": ${(e as Error).message}`, { cause: e });
    }
    return Llama2cTokenizer.fromBytes(bytes, path, options);
  }

  /** Builds a tokenizer from pieces (strings are UTF-8 encoded) and their scores; `max_token_length` is the longest piece. */
  static fromPieces(pieces: readonly (string | Uint8Array)[], scores: ArrayLike<number>): Llama2cTokenizer {
    const utf8 = new TextEncoder();
    const bytes = pieces.map((p) => (typeof p === "string" ? utf8.encode(p) : p.slice()));
    return new Llama2cTokenizer({ pieces: bytes, scores: Float32Array.from(scores), maxTokenLength: Math.max(1, ...bytes.map((b) => b.length)) });
  }

  /** Piece bytes by id, as stored in the file. */
  get pieces(): readonly Uint8Array[] {
    return this.vocab.pieces;
  }

  /** Scores by id. */
  get scores(): Float32Array {
    return this.vocab.scores;
  }

  /**
   * Text → ids by run.c's rules: `[BOS] " " + text` split into UTF-8 code points
   * (unknown ones as byte ids b + 3), then best-score merges. With
   * `allowSpecial`, the strings `<unk>`, `<s>`, `</s>` in the text become ids 0–2.
   */
  encode(text: string, options: Llama2cEncodeOptions = {}): Int32Array {
    const { bos = false, eos = false, allowSpecial = false } = options;
    if (!allowSpecial) return Int32Array.from(llama2cEncode(encodeWtf8(text), this.tables, bos, eos));
    const out: number[] = bos ? [this.bosId] : [];
    let pos = 0;
    for (const m of text.matchAll(/<unk>|<s>|<\/s>/g)) {
      if (m.index > pos) out.push(...llama2cEncode(encodeWtf8(text.slice(pos, m.index)), this.tables, false, false));
      out.push(SPECIAL_NAMES.indexOf(m[0]));
      pos = m.index + m[0].length;
    }
    if (pos < text.length) out.push(...llama2cEncode(encodeWtf8(text.slice(pos)), this.tables, false, false));
    if (eos) out.push(this.eosId);
    return Int32Array.from(out);
  }

  /**
   * Ids → text as run.c prints them: byte pieces become their byte, a piece
   * after BOS (or the first piece) loses one leading space; specials render
   * as their stored piece unless `skipSpecial`. Invalid UTF-8 becomes U+FFFD.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`decode: id ${id} at position ${i} is outside the vocabulary [0, ${this.vocabSize})`);
      }
      if (options.skipSpecial && id <= 2) continue;
      let b = this.bytesById[id]!;
      if ((i === 0 || ids[i - 1] === this.bosId) && this.vocab.pieces[id]![0] === 0x20) b = b.subarray(1);
      parts.push(b);
      total += b.length;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return decodeWtf8(bytes);
  }

  /** The bytes token `id` decodes to (a byte piece's byte; otherwise the piece). */
  tokenBytes(id: number): Uint8Array {
    const b = this.bytesById[id];
    if (!b) throw new RangeError(`tokenBytes: id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    return b.slice();
  }

  /** The `tokenizer.bin` bytes (identical to the file this tokenizer was read from). */
  toBytes(): Uint8Array {
    return formatLlama2cVocab(this.vocab);
  }

  /** Hex SHA-256 of {@link toBytes}. */
  get fingerprint(): string {
    this.hash ??= sha256(this.toBytes());
    return this.hash;
  }

  /** Not available: SentencePiece-style BPE has no byte-level `tokenizer.json` form in kiln. */
  toJSON(): HfTokenizerJson {
    throw new Error("Llama2cTokenizer: a llama2.c tokenizer has no kiln tokenizer.json form; save it as tokenizer.bin (save/toBytes)");
  }

  /** Writes llama2.c's `tokenizer.bin` format to `path` atomically (a `.json` path is refused). */
  save(path: string): void {
    if (path.endsWith(".json")) this.toJSON();
    writeFileAtomic(path, this.toBytes());
  }

  /** Not available, as {@link toJSON}: transformers reads tokenizer.json, which a llama2.c tokenizer has no form of. */
  saveHf(): void {
    this.toJSON();
  }
}
