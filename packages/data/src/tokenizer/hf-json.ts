/**
 * @file The Hugging Face `tokenizer.json` layout for byte-level BPE (as GPT-2's),
 * written by `save` and read back by `Tokenizer.load`: ByteLevel pre-tokenizer
 * and decoder, a `BPE` model whose `vocab`/`merges` spell bytes with GPT-2's map.
 */
import { bytesToByteLevel, byteLevelToBytes } from "./byte-level.js";
import { parsePostProcessor, type PostProcessor } from "./post-processor.js";
import type { SpecialToken } from "./tokenizer.js";

/** One entry of `added_tokens`. */
export interface HfAddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** The subset of `tokenizer.json` kiln writes (and requires when reading). */
export interface HfTokenizerJson {
  version: "1.0";
  truncation: null;
  padding: null;
  added_tokens: HfAddedToken[];
  normalizer: null;
  pre_tokenizer: { type: "ByteLevel"; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  /** null, or the `post_processor` a loaded file had (written back as read). */
  post_processor: unknown;
  decoder: { type: "ByteLevel"; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: "BPE";
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: string | null;
    end_of_word_suffix: string | null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: string[];
  };
}

/** What a byte-level tokenizer is made of: token bytes by id, ranked merges, specials. */
export interface ByteLevelModel {
  /** Bytes of every non-special id (`undefined` at special ids). */
  readonly tokenBytes: readonly (Uint8Array | undefined)[];
  /** Merges in rank order as `[left, right, merged]` ids. */
  readonly merges: readonly (readonly [number, number, number])[];
  /** Special tokens in id order. */
  readonly specials: readonly SpecialToken[];
  /** What `TemplateProcessing` adds around the ids (none when absent). */
  readonly postProcessor?: PostProcessor | null;
}

/** Builds the `tokenizer.json` document of a byte-level model. */
export function toHfJson(model: ByteLevelModel): HfTokenizerJson {
  const vocab: Record<string, number> = {};
  const spell: string[] = [];
  model.tokenBytes.forEach((b, id) => {
    if (b) vocab[(spell[id] = bytesToByteLevel(b))] = id;
  });
  for (const s of model.specials) vocab[s.content] = s.id;
  const flags = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: model.specials.map((s) => ({
      id: s.id,
      content: s.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", ...flags },
    post_processor: model.postProcessor?.json ?? null,
    decoder: { type: "ByteLevel", ...flags },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: model.merges.map(([a, b]) => `${spell[a]} ${spell[b]}`),
    },
  };
}

/** Pretty-prints `tokenizer.json` with the vocab in id order, one entry per line. */
export function stringifyHfJson(json: HfTokenizerJson): string {
  const placeholder = { ...json, model: { ...json.model, vocab: "@VOCAB@", merges: "@MERGES@" } };
  const vocab = Object.entries(json.model.vocab)
    .sort((x, y) => x[1] - y[1])
    .map(([k, id]) => `      ${JSON.stringify(k)}: ${id}`);
  const merges = json.model.merges.map((m) => `      ${JSON.stringify(m)}`);
  return (
    JSON.stringify(placeholder, null, 2)
      .replace('"@VOCAB@"', () => (vocab.length ? `{\n${vocab.join(",\n")}\n    }` : "{}"))
      .replace('"@MERGES@"', () => (merges.length ? `[\n${merges.join(",\n")}\n    ]` : "[]")) + "\n"
  );
}

function fail(source: string, field: string, problem: string): never {
  throw new Error(`Tokenizer.load: ${source}: ${field} ${problem}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkByteLevel(source: string, field: string, v: unknown): void {
  if (!isObject(v) || v.type !== "ByteLevel") fail(source, field, `must be {"type": "ByteLevel", ...} (got ${JSON.stringify(v)?.slice(0, 80)})`);
  // HF's ByteLevel decoder ignores add_prefix_space; the pre-tokenizer would prepend a space to every text
  if (field === "pre_tokenizer" && v.add_prefix_space === true) fail(source, `${field}.add_prefix_space`, "= true is not supported");
  if (field === "pre_tokenizer" && v.use_regex === false) fail(source, `${field}.use_regex`, "= false is not supported");
}

/**
 * Reads a `tokenizer.json` document (already parsed) into a {@link ByteLevelModel}.
 * `source` (usually the file path) prefixes every error, with the offending field.
 */
export function fromHfJson(json: unknown, source: string): ByteLevelModel {
  if (!isObject(json)) fail(source, "the document", "must be a JSON object");
  const model = json.model;
  if (!isObject(model)) fail(source, "model", "is missing");
  if (model.type !== undefined && model.type !== "BPE") fail(source, "model.type", `"${String(model.type)}" is not supported (only "BPE")`);
  if (json.normalizer != null) fail(source, "normalizer", "must be null (normalizers are not supported)");
  checkByteLevel(source, "pre_tokenizer", json.pre_tokenizer);
  if (json.decoder != null) checkByteLevel(source, "decoder", json.decoder);
  if (model.dropout != null && model.dropout !== 0) fail(source, "model.dropout", "must be null");
  for (const f of ["continuing_subword_prefix", "end_of_word_suffix"]) {
    if (model[f] != null && model[f] !== "") fail(source, `model.${f}`, "must be null or empty");
  }
  for (const f of ["byte_fallback", "ignore_merges"]) if (model[f] === true) fail(source, `model.${f}`, "= true is not supported");
  if (!isObject(model.vocab)) fail(source, "model.vocab", "must be an object of token → id");
  if (!Array.isArray(model.merges)) fail(source, "model.merges", "must be an array");

  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) fail(source, "added_tokens", "must be an array");
  const specials: SpecialToken[] = [];
  const specialIds = new Set<number>();
  added.forEach((t: unknown, i) => {
    if (!isObject(t) || typeof t.content !== "string" || !Number.isInteger(t.id)) fail(source, `added_tokens[${i}]`, "needs a string content and an integer id");
    if (t.special !== true) fail(source, `added_tokens[${i}]`, `("${t.content}") is not special; non-special added tokens are not supported`);
    specials.push({ content: t.content, id: t.id as number });
    specialIds.add(t.id as number);
  });
  specials.sort((a, b) => a.id - b.id);

  const ids = new Map<string, number>();
  const tokenBytes: (Uint8Array | undefined)[] = [];
  let size = 0;
  for (const [token, id] of Object.entries(model.vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0) fail(source, `model.vocab["${token}"]`, `must be a non-negative integer id, got ${JSON.stringify(id)}`);
    const n = id as number;
    size = Math.max(size, n + 1);
    if (specialIds.has(n)) continue;
    const bytes = byteLevelToBytes(token);
    if (!bytes || bytes.length === 0) fail(source, `model.vocab["${token}"]`, "is not a byte-level token (GPT-2 byte-to-unicode spelling)");
    if (tokenBytes[n]) fail(source, `model.vocab["${token}"]`, `reuses id ${n}`);
    tokenBytes[n] = bytes;
    ids.set(token, n);
  }
  for (const s of specials) size = Math.max(size, s.id + 1);
  for (let id = 0; id < size; id++) {
    if (!tokenBytes[id] && !specialIds.has(id)) fail(source, "model.vocab", `has no token with id ${id} (ids must be contiguous from 0)`);
  }
  const seenBytes = new Set<number>();
  tokenBytes.forEach((b) => b?.length === 1 && seenBytes.add(b[0]!));
  for (let b = 0; b < 256; b++) if (!seenBytes.has(b)) fail(source, "model.vocab", `lacks the single-byte token for byte 0x${b.toString(16).padStart(2, "0")}`);

  const merges = model.merges.map((m: unknown, i): [number, number, number] => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
      fail(source, `model.merges[${i}]`, `must be "left right" or ["left", "right"], got ${JSON.stringify(m)}`);
    }
    const [l, r] = pair as [string, string];
    const a = ids.get(l);
    const b = ids.get(r);
    const c = ids.get(l + r);
    if (a === undefined || b === undefined || c === undefined) {
      fail(source, `model.merges[${i}]`, `("${l} ${r}") uses a token missing from model.vocab: "${a === undefined ? l : b === undefined ? r : l + r}"`);
    }
    return [a, b, c];
  });
  const postProcessor = parsePostProcessor(json.post_processor, (field, problem) => fail(source, field, problem));
  for (const id of [...(postProcessor?.prefix ?? []), ...(postProcessor?.suffix ?? [])]) {
    if (id >= size) fail(source, "post_processor", `adds id ${id}, outside the vocabulary [0, ${size})`);
  }
  return { tokenBytes, merges, specials, postProcessor };
}
