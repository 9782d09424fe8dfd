/**
 * @file The one table mapping kiln's module paths onto Hugging Face
 * `LlamaForCausalLM` tensor names (`layers.0.attention.wq.weight` ↔
 * `model.layers.0.self_attn.q_proj.weight`), used by `Llama.stateDict()` and
 * `loadStateDict()`. `*` stands for a layer index.
 */

/** [kiln module path, HF module path]; the parameter name (`weight`, `bias`) follows unchanged. */
export const HF_NAMES: readonly (readonly [string, string])[] = [
  ["tokEmbeddings", "model.embed_tokens"],
  ["posEmbeddings", "model.embed_positions"], // kiln extra: learned positions (OPT's name)
  ["layers.*.attentionNorm", "model.layers.*.input_layernorm"],
  ["layers.*.attention.wq", "model.layers.*.self_attn.q_proj"],
  ["layers.*.attention.wk", "model.layers.*.self_attn.k_proj"],
  ["layers.*.attention.wv", "model.layers.*.self_attn.v_proj"],
  ["layers.*.attention.wo", "model.layers.*.self_attn.o_proj"],
  ["layers.*.ffnNorm", "model.layers.*.post_attention_layernorm"],
  ["layers.*.feedForward.w1", "model.layers.*.mlp.gate_proj"],
  ["layers.*.feedForward.w3", "model.layers.*.mlp.up_proj"],
  ["layers.*.feedForward.w2", "model.layers.*.mlp.down_proj"],
  ["norm", "model.norm"],
  ["output", "lm_head"],
];

const escape = (s: string) => s.replace(/[.]/g, "\\.").replace("*", "(\\d+)");
const compiled = HF_NAMES.map(([k, h]) => [new RegExp(`^${escape(k)}\\.(\\w+)$`), new RegExp(`^${escape(h)}\\.(\\w+)$`), k, h] as const);

function translate(name: string, toHf: boolean): string {
  for (const [kRe, hRe, k, h] of compiled) {
    const m = (toHf ? kRe : hRe).exec(name);
    if (m === null) continue;
    const [layer, leaf] = m.length === 3 ? [m[1]!, m[2]!] : [null, m[1]!];
    return `${(toHf ? h : k).replace("*", layer ?? "*")}.${leaf}`;
  }
  throw new RangeError(`hf-names: no mapping for ${toHf ? "kiln parameter" : "Hugging Face tensor"} "${name}"`);
}

/** kiln parameter name → Hugging Face tensor name. */
export const toHfName = (name: string): string => translate(name, true);
/** Hugging Face tensor name → kiln parameter name. */
export const fromHfName = (name: string): string => translate(name, false);
