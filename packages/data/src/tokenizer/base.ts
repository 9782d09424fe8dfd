/**
 * @file Shared machinery of byte-level tokenizers: special tokens and BOS/EOS,
 * decoding bytes back to text, and `tokenizer.json` output. Subclasses only say
 * how ordinary text becomes ids (`encodeOrdinary`).
 */
import { sha256 } from "../util/hash.js";
import { IntBuffer } from "../util/int-buffer.js";
import { decodeWtf8 } from "../util/wtf8.js";
import { writeFileAtomic } from "@kiln/tensor";
import { join } from "node:path";
import { hfTokenizerFiles, type HfTokenizerFilesOptions } from "./hf-files.js";
import { stringifyHfJson, toHfJson, type ByteLevelModel, type HfTokenizerJson } from "./hf-json.js";
import type { DecodeOptions, EncodeOptions, SpecialToken, Tokenizer } from "./tokenizer.js";

/** Which special tokens serve as BOS and EOS (by content). */
export interface BosEosOptions {
  /** Content of the BOS token (default: see {@link resolveBosEos}). */
  readonly bos?: string;
  /** Content of the EOS token (default: see {@link resolveBosEos}). */
  readonly eos?: string;
}

const BOS_NAMES = ["<|bos|>", "<s>", "<|begin_of_text|>", "<|startoftext|>", "<|endoftext|>"];
const EOS_NAMES = ["<|eos|>", "</s>", "<|end_of_text|>", "<|endoftext|>"];

/**
 * Picks BOS/EOS among the special tokens: the explicit option, else the first of
 * the conventional names (`<|bos|>`, `<s>`, `<|begin_of_text|>`, `<|startoftext|>`,
 * `<|endoftext|>`; `<|eos|>`, `</s>`, `<|end_of_text|>`, `<|endoftext|>`), else the
 * first special token. `tokenizer.json` has no field for them, hence the convention.
 */
export function resolveBosEos(specials: readonly SpecialToken[], options: BosEosOptions = {}): { bosId: number; eosId: number } {
  if (specials.length === 0) throw new Error("tokenizer: at least one special token is needed to serve as BOS/EOS");
  const pick = (role: "bos" | "eos", names: string[]): number => {
    const want = options[role];
    if (want !== undefined) {
      const s = specials.find((t) => t.content === want);
      if (!s) throw new Error(`tokenizer: ${role} "${want}" is not one of the special tokens [${specials.map((t) => t.content).join(", ")}]`);
      return s.id;
    }
    for (const name of names) {
      const s = specials.find((t) => t.content === name);
      if (s) return s.id;
    }
    return specials[0]!.id;
  };
  return { bosId: pick("bos", BOS_NAMES), eosId: pick("eos", EOS_NAMES) };
}

/** Base class of {@link ByteTokenizer} and {@link BpeTokenizer}. */
export abstract class ByteLevelTokenizer implements Tokenizer {
  abstract readonly kind: "byte" | "bpe";
  readonly vocabSize: number;
  readonly specialTokens: readonly SpecialToken[];
  readonly bosId: number;
  readonly eosId: number;
  protected readonly model: ByteLevelModel;
  private readonly bytesById: Uint8Array[];
  private readonly specialIds: Set<number>;
  private readonly specialPattern: RegExp | undefined;
  private hash: string | undefined;

  protected constructor(model: ByteLevelModel, options: BosEosOptions = {}) {
    this.model = model;
    this.specialTokens = model.specials;
    this.vocabSize = Math.max(model.tokenBytes.length, ...model.specials.map((s) => s.id + 1));
    ({ bosId: this.bosId, eosId: this.eosId } = resolveBosEos(model.specials, options));
    const utf8 = new TextEncoder();
    this.bytesById = [];
    for (let id = 0; id < this.vocabSize; id++) this.bytesById[id] = model.tokenBytes[id] ?? new Uint8Array(0);
    for (const s of model.specials) this.bytesById[s.id] = utf8.encode(s.content);
    this.specialIds = new Set(model.specials.map((s) => s.id));
    const escaped = model.specials
      .map((s) => s.content)
      .sort((a, b) => b.length - a.length)
      .map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.specialPattern = escaped.length ? new RegExp(escaped.join("|"), "g") : undefined;
  }

  /** Appends the ids of `text` (no special-token parsing) to `out`. */
  protected abstract encodeOrdinary(text: string, out: IntBuffer): void;

  /** Text → ids; see {@link EncodeOptions.allowSpecial}. */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const out = new IntBuffer(text.length / 3 + 16);
    const template = options.addSpecialTokens === false ? null : this.model.postProcessor;
    if (template) out.pushAll(template.prefix);
    this.encodeSegments(text, options, out);
    if (template) out.pushAll(template.suffix);
    return out.toInt32Array();
  }

  /** Ids of `text`, special-token strings parsed out of it when `allowSpecial`. */
  private encodeSegments(text: string, options: EncodeOptions, out: IntBuffer): void {
    if (!options.allowSpecial || !this.specialPattern) {
      this.encodeOrdinary(text, out);
      return;
    }
    const re = new RegExp(this.specialPattern);
    let pos = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > pos) this.encodeOrdinary(text.slice(pos, m.index), out);
      out.push(this.specialTokens.find((s) => s.content === m![0])!.id);
      pos = m.index + m[0].length;
    }
    if (pos < text.length) this.encodeOrdinary(text.slice(pos), out);
  }

  /** Ids → text (special tokens as their text unless `skipSpecial`). */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`decode: id ${id} at position ${i} is outside the vocabulary [0, ${this.vocabSize})`);
      }
      if (!(options.skipSpecial && this.specialIds.has(id))) total += this.bytesById[id]!.length;
    }
    const bytes = new Uint8Array(total);
    let o = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (options.skipSpecial && this.specialIds.has(id)) continue;
      const b = this.bytesById[id]!;
      bytes.set(b, o);
      o += b.length;
    }
    return decodeWtf8(bytes);
  }

  /** The raw bytes of token `id` (a copy). */
  tokenBytes(id: number): Uint8Array {
    const b = this.bytesById[id];
    if (!b) throw new RangeError(`tokenBytes: id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
    return b.slice();
  }

  /** Hex SHA-256 of the saved JSON plus the BOS/EOS choice. */
  get fingerprint(): string {
    this.hash ??= sha256(`${stringifyHfJson(this.toJSON())}\nbos=${this.bosId} eos=${this.eosId}`);
    return this.hash;
  }

  /** The Hugging Face `tokenizer.json` document. */
  toJSON(): HfTokenizerJson {
    return toHfJson(this.model);
  }

  /** Saves as a `tokenizer.json` file (atomic write). */
  save(path: string): void {
    writeFileAtomic(path, stringifyHfJson(this.toJSON()));
  }

  /** Saves `tokenizer.json` plus transformers' `tokenizer_config.json` and `special_tokens_map.json` into `dir`. */
  saveHf(dir: string, options: HfTokenizerFilesOptions = {}): void {
    this.save(join(dir, "tokenizer.json"));
    for (const [name, text] of Object.entries(hfTokenizerFiles(this, options))) writeFileAtomic(join(dir, name), text);
  }
}
