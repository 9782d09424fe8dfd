/**
 * @file The llama2.c checkpoint layout (karpathy/llama2.c, run.c and
 * export.py): the version-0 header (7 int32, negative vocab = separate
 * classifier) and the version-1 header (`ak42` magic, 256 bytes), and the
 * order of the fp32 tensors after each, named with Hugging Face names.
 */

/** A llama2.c `.bin` header: run.c's `Config` plus the format version and the shared-classifier flag. */
export interface Llama2cHeader {
  /** 0: legacy (run.c), 1: `ak42` header of export.py's `version1_export`. */
  version: 0 | 1;
  dim: number;
  /** Rows of w1 (the SwiGLU hidden width). */
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  /** Always positive here; the legacy header's sign is `sharedClassifier`. */
  vocabSize: number;
  seqLen: number;
  /** The classifier is the token embedding (no `wcls` in the file). */
  sharedClassifier: boolean;
}

/** "ak42" read as a little-endian uint32. */
export const LLAMA2C_MAGIC = 0x616b3432;
const V0_HEADER = 28;
const V1_HEADER = 256;

/** One tensor of the file: its HF name (or a skipped table) and shape. */
export type Llama2cSection = readonly [name: string, shape: readonly number[]];

const layerwise = (h: Llama2cHeader, leaf: string, shape: number[]): Llama2cSection[] =>
  Array.from({ length: h.nLayers }, (_, l) => [`model.layers.${l}.${leaf}.weight`, shape] as const);

/**
 * The tensors after the header, in file order. Legacy files carry run.c's RoPE
 * tables (`freq_cis_real`, `freq_cis_imag`: seqLen × headSize/2 each) before
 * the optional classifier; version 1 has none.
 */
export function llama2cSections(h: Llama2cHeader): Llama2cSection[] {
  const hs = h.dim / h.nHeads;
  const [d, q, kv, hid] = [h.dim, h.nHeads * hs, h.nKvHeads * hs, h.hiddenDim];
  const attnNorm = layerwise(h, "input_layernorm", [d]);
  const ffnNorm = layerwise(h, "post_attention_layernorm", [d]);
  const emb: Llama2cSection = ["model.embed_tokens.weight", [h.vocabSize, d]];
  const norm: Llama2cSection = ["model.norm.weight", [d]];
  const matrices = [
    ...layerwise(h, "self_attn.q_proj", [q, d]),
    ...layerwise(h, "self_attn.k_proj", [kv, d]),
    ...layerwise(h, "self_attn.v_proj", [kv, d]),
    ...layerwise(h, "self_attn.o_proj", [d, q]),
  ];
  const ffn = [...layerwise(h, "mlp.gate_proj", [hid, d]), ...layerwise(h, "mlp.down_proj", [d, hid]), ...layerwise(h, "mlp.up_proj", [hid, d])];
  const head: Llama2cSection[] = h.sharedClassifier ? [] : [["lm_head.weight", [h.vocabSize, d]]];
  if (h.version === 1) return [...attnNorm, ...ffnNorm, norm, emb, ...matrices, ...ffn, ...head];
  const rope: Llama2cSection[] = [["freq_cis_real", [h.seqLen, hs / 2]], ["freq_cis_imag", [h.seqLen, hs / 2]]];
  return [emb, ...attnNorm, ...matrices, ...ffnNorm, ...ffn, norm, ...rope, ...head];
}

/** Bytes of the header of `version`. */
export const llama2cHeaderBytes = (version: 0 | 1): number => (version === 0 ? V0_HEADER : V1_HEADER);

/** Total file size in bytes that `h` implies. */
export function llama2cFileBytes(h: Llama2cHeader): number {
  let floats = 0;
  for (const [, shape] of llama2cSections(h)) floats += shape.reduce((a, b) => a * b, 1);
  return llama2cHeaderBytes(h.version) + 4 * floats;
}

/** Reads and validates the header of a `.bin` file; `source` (the path) is named in errors. */
export function parseLlama2cHeader(bytes: Uint8Array, source: string): Llama2cHeader {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a valid llama2.c checkpoint: ${why}`);
  };
  if (bytes.length < V0_HEADER) fail(`only ${bytes.length} bytes, fewer than the ${V0_HEADER}-byte header (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const int = (i: number) => view.getInt32(i, true);
  let version: 0 | 1 = 0;
  let at = 0;
  if (view.getUint32(0, true) === LLAMA2C_MAGIC) {
    const v = int(4);
    if (v === 2) fail("version 2 (Q8_0 int8-quantized weights) is not supported; export version 0 or 1 (fp32)");
    if (v !== 1) fail(`unknown version ${v} after the "ak42" magic (kiln reads versions 0 and 1)`);
    if (bytes.length < V1_HEADER) fail(`only ${bytes.length} bytes, fewer than the ${V1_HEADER}-byte version 1 header (truncated?)`);
    version = 1;
    at = 8;
  }
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocab, seqLen] = Array.from({ length: 7 }, (_, i) => int(at + 4 * i)) as [number, number, number, number, number, number, number];
  const sharedClassifier = version === 1 ? view.getUint8(at + 28) !== 0 : vocab > 0;
  const h: Llama2cHeader = { version, dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize: Math.abs(vocab), seqLen, sharedClassifier };
  const fields = `dim=${dim} hidden_dim=${hiddenDim} n_layers=${nLayers} n_heads=${nHeads} n_kv_heads=${nKvHeads} vocab_size=${vocab} seq_len=${seqLen}`;
  for (const [name, v] of Object.entries({ dim, hidden_dim: hiddenDim, n_layers: nLayers, n_heads: nHeads, n_kv_heads: nKvHeads, vocab_size: h.vocabSize, seq_len: seqLen })) {
    if (!(v > 0 && v < 1 << 24)) fail(`header field ${name} = ${v} is out of range (${fields})`);
  }
  if (dim % nHeads !== 0 || (dim / nHeads) % 2 !== 0) fail(`dim ${dim} does not split into ${nHeads} heads of even size (${fields})`);
  if (nHeads % nKvHeads !== 0) fail(`n_heads ${nHeads} is not a multiple of n_kv_heads ${nKvHeads} (${fields})`);
  const expected = llama2cFileBytes(h);
  if (bytes.length !== expected) {
    fail(`expected ${expected} bytes for a version ${version} file with ${fields}${version === 1 ? ` shared_classifier=${+sharedClassifier}` : ""}, ` +
      `got ${bytes.length} (${bytes.length < expected ? "truncated" : "trailing data"}?)`);
  }
  return h;
}

/** The header bytes of `h` (28 for version 0, 256 for version 1). */
export function formatLlama2cHeader(h: Llama2cHeader): Uint8Array {
  const out = new Uint8Array(llama2cHeaderBytes(h.version));
  const view = new DataView(out.buffer);
  let at = 0;
  if (h.version === 1) {
    view.setUint32(0, LLAMA2C_MAGIC, true);
    view.setInt32(4, 1, true);
    at = 8;
  }
  const vocab = h.version === 0 && !h.sharedClassifier ? -h.vocabSize : h.vocabSize;
  [h.dim, h.hiddenDim, h.nLayers, h.nHeads, h.nKvHeads, vocab, h.seqLen].forEach((v, i) => view.setInt32(at + 4 * i, v, true));
  if (h.version === 1) view.setUint8(at + 28, h.sharedClassifier ? 1 : 0);
  return out;
}
