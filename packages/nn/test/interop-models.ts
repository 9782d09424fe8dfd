/**
 * @file The seeded tiny models behind the interop fixtures, shared by
 * `scripts/make_interop_models.ts` (writes them for the Python check) and
 * `interop.test.ts` (rebuilds them and compares with what Python computed).
 * Most weights come straight from the seeded generator, so they do not depend
 * on kernel arithmetic and the exported bytes are reproducible bit for bit;
 * `gqa_trained` is trained for a few SGD steps, so its bytes may move in the
 * last bits when kernels change (the test compares its logits, not its hash).
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Generator, noGrad, randint } from "@kiln/tensor";
import { Llama, normal_, saveHf, saveLlama2c, type LlamaConfigInput } from "../src/index.js";

/** One fixture model: its config and which formats it is written in. */
export interface InteropVariant {
  config: LlamaConfigInput;
  seed: number;
  /** Also written as llama2.c v0 and v1 `.bin` (needs eps 1e-5 and θ 10000). */
  llama2c: boolean;
  /** SGD steps on the counting task (next token = this one + 1) after the seeded init. */
  trainSteps?: number;
}

const common = { vocab_size: 32, num_hidden_layers: 2, max_position_embeddings: 32, initializer_range: 0.3 };

/** GQA with a tied head; MHA with an untied head; MQA with HF-only θ and eps. */
export const INTEROP_VARIANTS: Record<string, InteropVariant> = {
  gqa_tied: {
    config: { ...common, hidden_size: 32, intermediate_size: 48, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, tie_word_embeddings: true },
    seed: 1, llama2c: true,
  },
  mha_untied: {
    config: { ...common, hidden_size: 24, intermediate_size: 40, num_attention_heads: 3, num_key_value_heads: 3, rms_norm_eps: 1e-5, tie_word_embeddings: false },
    seed: 2, llama2c: true,
  },
  gqa_trained: {
    config: { ...common, hidden_size: 32, intermediate_size: 48, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, tie_word_embeddings: true, initializer_range: 0.02 },
    seed: 4, llama2c: true, trainSteps: 40,
  },
  mqa_theta: {
    config: { ...common, hidden_size: 32, intermediate_size: 40, num_attention_heads: 4, num_key_value_heads: 1, rms_norm_eps: 1e-6, rope_theta: 500000, tie_word_embeddings: true, bos_token_id: 1, eos_token_id: 2 },
    seed: 3, llama2c: false,
  },
};

/** Tokens whose logits the HF check compares, (2, 8). */
export const INTEROP_INPUT_IDS = [
  [1, 5, 9, 2, 30, 17, 17, 4],
  [1, 31, 0, 12, 8, 8, 21, 3],
];
/** Prompt of the greedy generation from the `.bin` files (run until seq_len). */
export const INTEROP_PROMPT = [1, 7, 3];

const built = new Map<string, Llama>();

/**
 * The model of variant `name` (built once, then shared: do not modify it):
 * seeded N(0, initializer_range) matrices, norms N(1, 0.1) so that every
 * weight matters, then `trainSteps` of SGD (lr 0.3, batches 4 × 16) if any.
 */
export function makeInteropModel(name: string): Llama {
  const v = INTEROP_VARIANTS[name];
  if (v === undefined) throw new Error(`no interop variant "${name}"`);
  const hit = built.get(name);
  if (hit) return hit;
  const g = new Generator(v.seed);
  const model = new Llama(v.config, { generator: g });
  noGrad(() => {
    for (const [n, p] of model.namedParameters()) if (/[nN]orm\.weight$/.test(n)) normal_(p, 1, 0.1, g);
  });
  const V = model.config.vocab_size;
  for (let step = 0; step < (v.trainSteps ?? 0); step++) {
    const x = randint(0, V - 1, [4, 16], { generator: g });
    const { loss } = model.forward(x, x.add(1));
    model.zeroGrad();
    loss!.backward();
    noGrad(() => model.parameters().forEach((p) => p.sub_(p.grad!.mul(0.3))));
  }
  model.zeroGrad();
  built.set(name, model.eval());
  return model;
}

/** The files each variant is written as, relative to its directory. */
export const interopFiles = (name: string): string[] =>
  ["hf/config.json", "hf/model.safetensors", ...(INTEROP_VARIANTS[name]!.llama2c ? ["v0.bin", "v1.bin"] : [])];

/** Writes variant `name` under `dir/name/` in every format it has; returns the SHA-256 of each file. */
export function writeInteropModel(name: string, dir: string): Record<string, string> {
  const model = makeInteropModel(name);
  const root = join(dir, name);
  saveHf(model, join(root, "hf"));
  if (INTEROP_VARIANTS[name]!.llama2c) {
    saveLlama2c(model, join(root, "v0.bin"), { version: 0 });
    saveLlama2c(model, join(root, "v1.bin"), { version: 1 });
  }
  return Object.fromEntries(interopFiles(name).map((f) => [f, sha256(readFileSync(join(root, f)))]));
}

/** Hex SHA-256 of `bytes`. */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Writes every variant plus `inputs.json` (ids and prompt) for the Python script. */
export function writeInteropModels(dir: string): void {
  const hashes = Object.fromEntries(Object.keys(INTEROP_VARIANTS).map((n) => [n, writeInteropModel(n, dir)]));
  writeFileSync(join(dir, "inputs.json"), `${JSON.stringify({ input_ids: INTEROP_INPUT_IDS, prompt: INTEROP_PROMPT, hashes }, null, 2)}\n`);
}
