/**
 * @file llama2.c checkpoints (karpathy/llama2.c): `.bin` files of version 0
 * (run.c's legacy layout) and version 1 (`ak42` header) to and from kiln's
 * `Llama`. The files keep Meta's interleaved RoPE pairs; kiln keeps HF's
 * `rotate_half` order, so q/k rows are permuted on the way in and back on
 * the way out (k with `num_key_value_heads`).
 */
import { readFileSync } from "node:fs";
import { Generator, rotaryTables, Tensor } from "@kiln/tensor";
import { llamaConfig, type LlamaConfig, type LlamaConfigInput } from "../config.js";
import { Llama } from "../llama.js";
import { permuteHfToMeta, permuteMetaToHf } from "../rotary.js";
import { writeFileAtomic } from "@kiln/tensor";
import { formatLlama2cHeader, llama2cHeaderBytes, llama2cSections, parseLlama2cHeader, type Llama2cHeader } from "./llama2c-format.js";

/** run.c's RMSNorm eps (fixed in its source, not stored in the file). */
export const LLAMA2C_RMS_NORM_EPS = 1e-5;
/** run.c's RoPE base θ (fixed in its source, not stored in the file). */
export const LLAMA2C_ROPE_THETA = 10000;

/** What {@link parseLlama2c} finds in a `.bin` file. */
export interface Llama2cCheckpoint {
  header: Llama2cHeader;
  /** The model config the header implies (eps 1e-5, θ 10000, tied head when the classifier is shared). */
  config: LlamaConfig;
  /** float32 weights under HF `LlamaForCausalLM` names, q/k already in HF's `rotate_half` order. */
  weights: Record<string, Tensor>;
}

/** Options of {@link serializeLlama2c} and {@link saveLlama2c}. */
export interface Llama2cExportOptions {
  /** 0 = legacy run.c layout (default), 1 = `ak42` header. */
  version?: 0 | 1;
  /**
   * llama2.c readers hard-code RMSNorm eps 1e-5; a model with another eps is
   * refused unless this is true (kiln's default eps is 1e-6, a ~5e-6 relative change).
   */
  allowEpsMismatch?: boolean;
}

const isQk = (name: string) => /\.self_attn\.[qk]_proj\.weight$/.test(name);
const heads = (name: string, c: { num_attention_heads: number; num_key_value_heads: number }) =>
  name.includes(".k_proj.") ? c.num_key_value_heads : c.num_attention_heads;

/** Parses the bytes of a llama2.c `.bin` (version 0 or 1); `source` (the path) is named in errors. */
export function parseLlama2c(bytes: Uint8Array, source = "llama2.c checkpoint", overrides: Partial<LlamaConfigInput> = {}): Llama2cCheckpoint {
  const header = parseLlama2cHeader(bytes, source);
  let config: LlamaConfig;
  try {
    config = llamaConfig({
      vocab_size: header.vocabSize, hidden_size: header.dim, intermediate_size: header.hiddenDim, num_hidden_layers: header.nLayers,
      num_attention_heads: header.nHeads, num_key_value_heads: header.nKvHeads, max_position_embeddings: header.seqLen,
      rms_norm_eps: LLAMA2C_RMS_NORM_EPS, rope_theta: LLAMA2C_ROPE_THETA, tie_word_embeddings: header.sharedClassifier, ...overrides,
    });
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  const weights: Record<string, Tensor> = {};
  let at = llama2cHeaderBytes(header.version);
  for (const [name, shape] of llama2cSections(header)) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (!name.startsWith("freq_cis")) {
      const data = new Float32Array(n); // a copy: aligned, and independent of the file buffer
      new Uint8Array(data.buffer).set(bytes.subarray(at, at + 4 * n));
      const t = Tensor.fromData("float32", data, [...shape]);
      weights[name] = isQk(name) ? permuteMetaToHf(t, heads(name, config)).contiguous() : t;
    }
    at += 4 * n;
  }
  return { header, config, weights };
}

/** A kiln `Llama` from llama2.c `.bin` bytes; `overrides` adjust the config (e.g. `{ eos_token_id: 2 }`). */
export function llamaFromLlama2c(bytes: Uint8Array, source = "llama2.c checkpoint", overrides: Partial<LlamaConfigInput> = {}): Llama {
  const { config, weights } = parseLlama2c(bytes, source, overrides);
  const model = new Llama(config, { generator: new Generator(0) }); // every weight is overwritten below
  try {
    model.loadStateDict(weights, { strict: true });
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  return model;
}

/** Reads a llama2.c checkpoint file (version 0 or 1) into a kiln `Llama`. */
export function loadLlama2c(path: string, overrides: Partial<LlamaConfigInput> = {}): Llama {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read llama2.c checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return llamaFromLlama2c(bytes, path, overrides);
}

/** Why `c` cannot be written as a llama2.c checkpoint, or null. */
function unsupported(c: LlamaConfig, allowEpsMismatch: boolean): string | null {
  if (c.norm !== "rmsnorm") return `norm "${c.norm}" (llama2.c has RMSNorm only)`;
  if (c.ffn !== "swiglu") return `ffn "${c.ffn}" (llama2.c has SwiGLU only)`;
  if (c.positions !== "rope") return `positions "${c.positions}" (llama2.c has RoPE only)`;
  if (c.rope_theta !== LLAMA2C_ROPE_THETA) return `rope_theta ${c.rope_theta} (llama2.c readers use ${LLAMA2C_ROPE_THETA})`;
  if (!allowEpsMismatch && c.rms_norm_eps !== LLAMA2C_RMS_NORM_EPS) {
    return `rms_norm_eps ${c.rms_norm_eps} (llama2.c readers use ${LLAMA2C_RMS_NORM_EPS}; pass { allowEpsMismatch: true } to export anyway)`;
  }
  return null;
}

/** The bytes of a llama2.c `.bin` holding `model` (fp32; q/k rows back in Meta's interleaved order). */
export function serializeLlama2c(model: Llama, { version = 0, allowEpsMismatch = false }: Llama2cExportOptions = {}): Uint8Array {
  const c = model.config;
  const why = unsupported(c, allowEpsMismatch);
  if (why !== null) throw new Error(`llama2.c export: cannot write ${why}`);
  const header: Llama2cHeader = {
    version, dim: c.hidden_size, hiddenDim: c.intermediate_size, nLayers: c.num_hidden_layers, nHeads: c.num_attention_heads,
    nKvHeads: c.num_key_value_heads, vocabSize: c.vocab_size, seqLen: c.max_position_embeddings, sharedClassifier: c.tie_word_embeddings,
  };
  const sd = model.stateDict();
  const hs = c.hidden_size / c.num_attention_heads;
  const { cos, sin } = rotaryTables(hs, c.max_position_embeddings, LLAMA2C_ROPE_THETA); // run.c's legacy freq_cis tables
  const tables: Record<string, Tensor> = { freq_cis_real: cos, freq_cis_imag: sin };
  const parts: Uint8Array[] = [formatLlama2cHeader(header)];
  for (const [name, shape] of llama2cSections(header)) {
    let t = tables[name] ?? sd[name];
    if (t === undefined) throw new Error(`llama2.c export: the model has no tensor "${name}"`);
    if (t.shape.join() !== shape.join()) throw new Error(`llama2.c export: "${name}" has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
    if (isQk(name)) t = permuteHfToMeta(t, heads(name, c));
    const data = t.to("float32").contiguous().data as Float32Array;
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Writes `model` to `path` as a llama2.c checkpoint, atomically (see {@link serializeLlama2c}). */
export function saveLlama2c(model: Llama, path: string, opts: Llama2cExportOptions = {}): void {
  writeFileAtomic(path, serializeLlama2c(model, opts));
}
