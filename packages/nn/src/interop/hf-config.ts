/**
 * @file Hugging Face `config.json` ↔ kiln `LlamaConfig`. Reads both layouts
 * transformers has written: 4.x (`torch_dtype`, top-level `rope_theta`,
 * `rope_scaling`) and ≥ 4.56 / 5.x (`dtype`, `rope_parameters`); every field
 * that changes the maths is either mapped or refused by name.
 */
import { llamaConfig, type LlamaConfig } from "../config.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The `config.json` object transformers' `LlamaConfig` reads for `c` (HF fields only; 4.x and 5.x both read it). */
export function hfConfigJson(c: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_act: "silu",
    vocab_size: c.vocab_size, hidden_size: c.hidden_size, intermediate_size: c.intermediate_size,
    num_hidden_layers: c.num_hidden_layers, num_attention_heads: c.num_attention_heads, num_key_value_heads: c.num_key_value_heads,
    max_position_embeddings: c.max_position_embeddings, rms_norm_eps: c.rms_norm_eps, rope_theta: c.rope_theta, rope_scaling: null,
    attention_bias: false, attention_dropout: 0, mlp_bias: false, pretraining_tp: 1, tie_word_embeddings: c.tie_word_embeddings,
    initializer_range: c.initializer_range, bos_token_id: c.bos_token_id, eos_token_id: c.eos_token_id,
    torch_dtype: "float32", use_cache: true,
  };
}

/**
 * θ from `rope_parameters` (transformers 5) or `rope_scaling` (4.x): only
 * `rope_type: "default"` (plain RoPE) is kiln's; every other type, and any key
 * beside `rope_type` / `rope_theta`, is refused by name. Returns undefined when
 * the section does not give θ.
 */
function ropeThetaOf(section: string, value: unknown, source: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isObject(value)) throw new Error(`${source}: ${section} ${JSON.stringify(value)} is not supported (expected an object)`);
  const type = value.rope_type ?? value.type;
  if (type !== "default") {
    throw new Error(`${source}: ${section}.rope_type ${JSON.stringify(type)} is not supported (kiln implements only "default" RoPE; got ${JSON.stringify(value)})`);
  }
  for (const key of Object.keys(value)) {
    if (!["rope_type", "type", "rope_theta"].includes(key)) throw new Error(`${source}: ${section}.${key} is not supported (kiln implements only plain "default" RoPE)`);
  }
  const theta = value.rope_theta;
  if (theta !== undefined && !(typeof theta === "number" && theta > 0)) throw new Error(`${source}: ${section}.rope_theta must be a number > 0, got ${JSON.stringify(theta)}`);
  return theta as number | undefined;
}

/**
 * A kiln config from a parsed HF `config.json` (kiln checkpoint configs too).
 * Every field kiln cannot honour (a non-default `rope_type`, biases, another
 * `head_dim`, several EOS ids, ...) is refused with an error naming it.
 */
export function configFromHf(raw: unknown, source = "config.json"): LlamaConfig {
  if (!isObject(raw)) throw new Error(`${source}: expected a JSON object`);
  const { kiln: _kiln, _name_or_path: _name, head_dim: headDim, dtype, torch_dtype: torchDtype, rope_parameters: ropeParams, rope_scaling: ropeScaling, ...hf } = raw;
  for (const [key, v] of [["dtype", dtype], ["torch_dtype", torchDtype]] as const) {
    if (v !== undefined && v !== null && typeof v !== "string") throw new Error(`${source}: ${key} ${JSON.stringify(v)} must be a dtype name such as "float32"`);
  }
  const thetas: [string, number][] = [];
  for (const [section, value] of [["rope_parameters", ropeParams], ["rope_scaling", ropeScaling]] as const) {
    const theta = ropeThetaOf(section, value, source);
    if (theta !== undefined) thetas.push([`${section}.rope_theta`, theta]);
  }
  if (typeof hf.rope_theta === "number") thetas.push(["rope_theta", hf.rope_theta]);
  const [first, ...rest] = thetas;
  for (const [where, theta] of rest) {
    if (theta !== first![1]) throw new Error(`${source}: ${where} ${theta} disagrees with ${first![0]} ${first![1]}`);
  }
  if (first !== undefined) hf.rope_theta = first[1];
  else if (isObject(ropeParams)) throw new Error(`${source}: rope_parameters has no rope_theta (transformers would assume 10000; kiln will not guess)`);
  for (const k of ["bos_token_id", "eos_token_id"]) {
    const v = hf[k];
    if (!Array.isArray(v)) continue;
    if (v.length !== 1) throw new Error(`${source}: ${k} ${JSON.stringify(v)} is not supported (kiln's Llama has a single ${k})`);
    hf[k] = v[0];
  }
  if (hf.intermediate_size === undefined) {
    throw new Error(`${source}: intermediate_size is missing (transformers would assume 11008; kiln will not guess)`);
  }
  if (headDim !== undefined && headDim !== null && headDim !== (hf.hidden_size as number) / (hf.num_attention_heads as number)) {
    throw new Error(`${source}: head_dim ${JSON.stringify(headDim)} is not supported (kiln's head dim is hidden_size / num_attention_heads = ${(hf.hidden_size as number) / (hf.num_attention_heads as number)})`);
  }
  try {
    return llamaConfig(hf);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}
