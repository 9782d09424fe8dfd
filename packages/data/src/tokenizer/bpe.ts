/**
 * @file Byte-level BPE (GPT-2 style): pre-split text with the GPT-2 pattern, spell
 * each piece as UTF-8 bytes, apply ranked merges. Any string round-trips exactly.
 */
import type { IntBuffer } from "../util/int-buffer.js";
import { encodeWtf8 } from "../util/wtf8.js";
import { ByteLevelTokenizer, type BosEosOptions } from "./base.js";
import { bpeMerge, type MergeTable } from "./bpe-merge.js";
import type { ByteLevelModel } from "./hf-json.js";
import { forEachPretoken } from "./pretokenize.js";

const CACHE_LIMIT = 100_000;
const CACHE_MAX_PIECE = 64;

/** A byte-level BPE tokenizer; build one with `trainBpe` or `Tokenizer.load`. */
export class BpeTokenizer extends ByteLevelTokenizer {
  readonly kind = "bpe" as const;
  /** Number of merges (ranks 0 .. numMerges-1). */
  readonly numMerges: number;
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly table: MergeTable;
  private readonly cache = new Map<string, Int32Array>();

  /** Wraps a model (token bytes, ranked merges, specials); validates merge ids. */
  constructor(model: ByteLevelModel, options: BosEosOptions = {}) {
    super(model, options);
    model.tokenBytes.forEach((b, id) => {
      if (b?.length === 1 && this.byteIds[b[0]!] === -1) this.byteIds[b[0]!] = id;
    });
    const missing = this.byteIds.indexOf(-1);
    if (missing >= 0) throw new Error(`BpeTokenizer: no token for byte 0x${missing.toString(16).padStart(2, "0")}`);
    const stride = this.vocabSize;
    const ranks = new Map<number, number>();
    const mergedIds = new Int32Array(model.merges.length);
    model.merges.forEach(([a, b, c], rank) => {
      for (const id of [a, b, c]) {
        if (!Number.isInteger(id) || id < 0 || id >= stride) throw new RangeError(`BpeTokenizer: merge ${rank} uses id ${id} outside [0, ${stride})`);
      }
      const key = a * stride + b;
      if (!ranks.has(key)) ranks.set(key, rank);
      mergedIds[rank] = c;
    });
    this.table = { ranks, mergedIds, stride };
    this.numMerges = model.merges.length;
  }

  /** The merges in rank order as `[left, right, merged]` ids. */
  get merges(): readonly (readonly [number, number, number])[] {
    return this.model.merges;
  }

  /** Ids of one pre-token (cached for short pieces, which repeat a lot). */
  private encodePiece(piece: string): Int32Array {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    const bytes = encodeWtf8(piece);
    const symbols = new Int32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) symbols[i] = this.byteIds[bytes[i]!]!;
    const ids = bpeMerge(symbols, this.table).slice();
    if (piece.length <= CACHE_MAX_PIECE) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(piece, ids);
    }
    return ids;
  }

  protected override encodeOrdinary(text: string, out: IntBuffer): void {
    forEachPretoken(text, (piece) => out.pushAll(this.encodePiece(piece)));
  }
}
