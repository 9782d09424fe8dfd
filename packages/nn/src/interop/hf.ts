/**
 * @file Hugging Face `LlamaForCausalLM` directories: `config.json` +
 * `model.safetensors` (or sharded `model-0000x-of-0000y.safetensors` with an
 * index) to and from kiln's `Llama`. kiln already keeps HF's tensor names and
 * `rotate_half` RoPE order, so weights pass through unchanged; this module
 * checks that the config means the same model on both sides.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Generator, loadSafetensors, serializeSafetensors, type FloatDType, type Tensor } from "@kiln/tensor";
import type { LlamaConfig } from "../config.js";
import { configFromHf, hfConfigJson } from "./hf-config.js";
import { Llama } from "../llama.js";
import { writeFileAtomic } from "@kiln/tensor";

/** Options of {@link loadHf}. */
export interface LoadHfOptions {
  /** Parameter dtype of the model (default float32; F16/BF16 files are widened). */
  dtype?: FloatDType;
}

/** A tokenizer `saveHf` can write beside the model (kiln's byte-level tokenizers are). */
export interface HfTokenizerWriter {
  readonly vocabSize: number;
  /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into `dir`. */
  saveHf(dir: string, options?: { modelMaxLength?: number }): void;
}

/** Options of {@link saveHf}. */
export interface SaveHfOptions {
  /** Also write this tokenizer, so `AutoTokenizer` and `pipeline("text-generation", dir)` work with no extra arguments. */
  tokenizer?: HfTokenizerWriter;
}

/**
 * Writes `model` as a Hugging Face model directory that
 * `LlamaForCausalLM.from_pretrained(dir)` loads unchanged: `config.json` and
 * float32 `model.safetensors` (metadata `format: pt`; a tied head is stored
 * once, as transformers does), plus the tokenizer files when one is given.
 * Only LLaMA's own architecture can be written.
 */
export function saveHf(model: Llama, dir: string, { tokenizer }: SaveHfOptions = {}): void {
  const c = model.config;
  const extras: [keyof LlamaConfig, unknown][] = [["norm", "rmsnorm"], ["ffn", "swiglu"], ["positions", "rope"]];
  for (const [key, want] of extras) {
    if (c[key] !== want) throw new Error(`saveHf: ${key} ${JSON.stringify(c[key])} has no LlamaForCausalLM equivalent (only ${JSON.stringify(want)}; saveCheckpoint keeps kiln's ablations)`);
  }
  if (tokenizer && tokenizer.vocabSize > c.vocab_size) throw new Error(`saveHf: the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocab_size is ${c.vocab_size}`);
  const sd = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.dtype === "float32" ? t : t.to("float32")]));
  writeFileAtomic(join(dir, "model.safetensors"), serializeSafetensors(sd, { format: "pt" }));
  writeFileAtomic(join(dir, "config.json"), `${JSON.stringify(hfConfigJson(c), null, 2)}\n`);
  tokenizer?.saveHf(dir, { modelMaxLength: c.max_position_embeddings });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Tensors of the directory: `model.safetensors`, or every shard listed in `model.safetensors.index.json`. */
function readWeights(dir: string): [Record<string, Tensor>, string] {
  const single = join(dir, "model.safetensors");
  if (existsSync(single)) return [loadSafetensors(single).tensors, single];
  const indexPath = join(dir, "model.safetensors.index.json");
  if (!existsSync(indexPath)) {
    const other = ["pytorch_model.bin", "model.bin"].find((f) => existsSync(join(dir, f)));
    throw new Error(`${dir}: no model.safetensors${other ? ` (${other} is a pickle; kiln reads safetensors only)` : ""}`);
  }
  let map: unknown;
  try {
    map = (JSON.parse(readFileSync(indexPath, "utf8")) as Record<string, unknown>).weight_map;
  } catch (e) {
    throw new Error(`${indexPath}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(map)) throw new Error(`${indexPath}: no "weight_map" object`);
  const out: Record<string, Tensor> = {};
  for (const file of new Set(Object.values(map).map(String))) Object.assign(out, loadSafetensors(join(dir, file)).tensors);
  return [out, indexPath];
}

/**
 * Loads a Hugging Face `LlamaForCausalLM` directory (one written by
 * {@link saveHf} or by transformers' `save_pretrained` with safetensors).
 * Rotary `inv_freq` buffers are ignored; biases and other unsupported
 * tensors are refused by name.
 */
export function loadHf(dir: string, { dtype = "float32" }: LoadHfOptions = {}): Llama {
  const configPath = join(dir, "config.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${configPath}: ${code ? `cannot read (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  const config = configFromHf(raw, configPath);
  const [all, source] = readWeights(dir);
  const weights: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(all)) {
    if (name.endsWith(".rotary_emb.inv_freq")) continue; // a buffer recomputed from rope_theta
    if (name.endsWith(".bias")) throw new Error(`${source}: tensor "${name}" is a bias; kiln's Llama has no biases (attention_bias / mlp_bias)`);
    weights[name] = t;
  }
  const model = new Llama(config, { dtype, generator: new Generator(0) }); // every weight is overwritten below
  try {
    model.loadStateDict(weights, { strict: true });
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  return model;
}
