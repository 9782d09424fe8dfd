/**
 * @file The training config: every field typed, defaulted and validated
 * (unknown keys and wrong types are errors naming the field), loaded from
 * JSON with `--set key=value` overrides on top. nanoGPT's exec-based
 * configs are what this avoids.
 */
import { llamaConfig, type LlamaConfig } from "@kiln/nn";
import { readJsonObject } from "../util/json.js";
import { applyOverride, boolean, ConfigError, list, nullable, number, object, string, type Field, type Infer } from "./schema.js";

/** The model section: Hugging Face LlamaConfig fields (validated by @kiln/nn); vocab and context come from `data`. */
const modelField: Field<Record<string, unknown>> = {
  describe: "an object of LlamaConfig fields",
  parse(raw, path) {
    const v = raw ?? {};
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError(`${path} must be an object of LlamaConfig fields`);
    for (const k of ["vocab_size", "max_position_embeddings"]) {
      if (k in v) throw new ConfigError(`${path}.${k} is set from data.${k === "vocab_size" ? "vocabSize" : "contextLength"}; remove it`);
    }
    return v as Record<string, unknown>;
  },
};

/** The schema of a training config; `TrainConfig` is inferred from it. */
export const trainConfigSchema = object({
  /** Human-readable run name (used for the default output directory). */
  name: string("run"),
  model: modelField,
  data: object({
    /** `"sotu"` (the bundled State of the Union corpus) or a path to a .txt file, a directory of .txt files, or a .jsonl. */
    corpus: string("sotu"),
    tokenizer: string("bpe", ["bpe", "byte"] as const),
    /** Vocabulary size of the BPE tokenizer (ignored for `byte`, which has 257). */
    vocabSize: number(512, { integer: true, min: 257, max: 65536 }),
    contextLength: number(128, { integer: true, min: 2 }),
    /** Where token caches and trained tokenizers are kept. */
    cacheDir: string(".cache/kiln"),
  }),
  optim: object({
    lr: number(3e-3, { min: 0, exclusiveMin: true }),
    /** Cosine decay floor as a fraction of the peak (LLaMA: 0.1). */
    minLrRatio: number(0.1, { min: 0, max: 1 }),
    warmupSteps: number(50, { integer: true, min: 0 }),
    schedule: string("cosine", ["cosine", "linear", "constant", "wsd"] as const),
    weightDecay: number(0.1, { min: 0 }),
    beta1: number(0.9, { min: 0, max: 1 }),
    beta2: number(0.95, { min: 0, max: 1 }),
    eps: number(1e-8, { min: 0 }),
    /** Global-norm gradient clipping threshold, or null for none. */
    gradClip: nullable(number(1, { min: 0, exclusiveMin: true }), 1),
    /** Apply weight decay to embeddings too (LLaMA/nanoGPT: no). */
    decayEmbeddings: boolean(false),
  }),
  train: object({
    steps: number(600, { integer: true, min: 1 }),
    batchSize: number(16, { integer: true, min: 1 }),
    /** Micro-batches per optimizer step; the loss is averaged over them. */
    gradAccum: number(1, { integer: true, min: 1 }),
    seed: number(1337, { integer: true }),
    evalInterval: number(100, { integer: true, min: 1 }),
    /** Validation batches per evaluation: `evalBatches × batchSize` windows spread evenly over the whole validation split (the same ones each time; see eval/validation.ts). */
    evalBatches: number(20, { integer: true, min: 1 }),
    /** Steps between checkpoints (0: only at the end). */
    checkpointInterval: number(200, { integer: true, min: 0 }),
    /** Checkpoints kept in the run directory (older ones are deleted once a newer one is complete). */
    keepLast: number(2, { integer: true, min: 1 }),
    logInterval: number(10, { integer: true, min: 1 }),
  }),
  sample: object({
    prompts: list(string(undefined), ["The President", "Congress shall"]),
    maxNewTokens: number(120, { integer: true, min: 0 }),
    temperature: number(0.8, { min: 0 }),
    topK: nullable(number(40, { integer: true, min: 1 }), 40),
  }),
});

/** A complete, validated training config. */
export type TrainConfig = Infer<typeof trainConfigSchema>;

/** Parses raw JSON into a TrainConfig; `source` names the file in errors. */
export function parseTrainConfig(raw: unknown, source = "config"): TrainConfig {
  try {
    const config = trainConfigSchema.parse(raw, "");
    modelConfigFor(config, config.data.tokenizer === "byte" ? 257 : config.data.vocabSize); // validate the model now, not after data prep
    return config;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof RangeError) throw new ConfigError(`${source}: ${(e as Error).message}`);
    throw e;
  }
}

/** Reads a JSON config file, applies `--set` overrides, validates. */
export function loadTrainConfig(path: string | null, overrides: readonly string[] = []): TrainConfig {
  const raw = path === null ? {} : readJsonObject(path, "config", (m) => new ConfigError(m), "is not valid JSON", "a config must be a JSON object of sections (model, data, optim, train, sample)");
  for (const o of overrides) applyOverride(raw, o);
  return parseTrainConfig(raw, path ?? "config");
}

/** The full LlamaConfig of a run: the model section plus vocab size and context length. */
export function modelConfigFor(config: TrainConfig, vocabSize: number, eosId: number | null = null): LlamaConfig {
  try {
    return llamaConfig({ ...config.model, vocab_size: vocabSize, max_position_embeddings: config.data.contextLength, eos_token_id: eosId });
  } catch (e) {
    throw new ConfigError(`model: ${(e as Error).message.replace(/^LlamaConfig: /, "")}`);
  }
}
