/**
 * @file llama2.c's `tokenizer.bin` (karpathy/llama2.c, tokenizer.py export and
 * run.c's build_tokenizer): an int32 `max_token_length`, then per token a
 * float32 score, an int32 byte length and the piece's bytes (SentencePiece's
 * `▁` already turned into a space).
 */

/** The contents of a `tokenizer.bin`. */
export interface Llama2cVocab {
  /** Piece bytes by id. */
  readonly pieces: readonly Uint8Array[];
  /** float32 scores by id (the merge priority: higher merges first). */
  readonly scores: Float32Array;
  /** The header's `max_token_length` (kept so that the file round-trips byte for byte). */
  readonly maxTokenLength: number;
}

/**
 * Parses `tokenizer.bin` bytes. The file does not store its vocabulary size
 * (run.c takes it from the model): every entry up to the end is read, or
 * exactly `vocabSize` when given. `source` (the path) is named in errors.
 */
export function parseLlama2cVocab(bytes: Uint8Array, source = "tokenizer.bin", vocabSize?: number): Llama2cVocab {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a valid llama2.c tokenizer: ${why}`);
  };
  if (bytes.length < 4) fail(`only ${bytes.length} bytes, fewer than the 4-byte header (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength <= 0) fail(`max_token_length ${maxTokenLength} must be positive`);
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let at = 4;
  while (vocabSize === undefined ? at < bytes.length : pieces.length < vocabSize) {
    const id = pieces.length;
    if (at + 8 > bytes.length) fail(`token ${id} starts at byte ${at} but the file ends at ${bytes.length} (truncated${vocabSize === undefined ? "" : `; expected ${vocabSize} tokens`}?)`);
    const len = view.getInt32(at + 4, true);
    if (len < 0 || at + 8 + len > bytes.length) fail(`token ${id} at byte ${at} claims ${len} bytes, but ${bytes.length - at - 8} remain (truncated or corrupt)`);
    scores.push(view.getFloat32(at, true));
    pieces.push(bytes.slice(at + 8, at + 8 + len));
    at += 8 + len;
  }
  if (pieces.length === 0) fail("no tokens");
  return { pieces, scores: Float32Array.from(scores), maxTokenLength };
}

/** The `tokenizer.bin` bytes of `vocab`. */
export function formatLlama2cVocab(vocab: Llama2cVocab): Uint8Array {
  const size = 4 + vocab.pieces.reduce((n, p) => n + 8 + p.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, vocab.maxTokenLength, true);
  let at = 4;
  vocab.pieces.forEach((p, id) => {
    view.setFloat32(at, vocab.scores[id]!, true);
    view.setInt32(at + 4, p.length, true);
    out.set(p, at + 8);
    at += 8 + p.length;
  });
  return out;
}
