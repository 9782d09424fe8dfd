/**
 * @file What a config costs, computed from the config alone (no model is
 * built, so a 7B-shaped config is answered in microseconds): parameter
 * counts, training FLOPs per token, and the memory a training step needs —
 * weights, gradients, AdamW's two moments, and activations at the batch and
 * context — checked against the machine's memory before anything is allocated.
 */
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import type { LlamaConfig } from "@kiln/nn";
import { ConfigError } from "./schema.js";
import { modelConfigFor, type TrainConfig } from "./train-config.js";

/** Parameter counts of a LlamaConfig, as `Llama.numParameters()` would report them. */
export function countParameters(c: LlamaConfig): { total: number; nonEmbedding: number } {
  const d = c.hidden_size;
  const headDim = d / c.num_attention_heads;
  const norm = c.norm === "layernorm" ? 2 * d : d;
  const attention = 2 * d * c.num_attention_heads * headDim + 2 * d * c.num_key_value_heads * headDim;
  const ffn = (c.ffn === "swiglu" ? 3 : 2) * d * c.intermediate_size;
  const head = c.tie_word_embeddings ? 0 : c.vocab_size * d;
  const nonEmbedding = c.num_hidden_layers * (attention + ffn + 2 * norm) + norm + head;
  const embedding = c.vocab_size * d + (c.positions === "learned" ? c.max_position_embeddings * d : 0);
  return { total: nonEmbedding + embedding, nonEmbedding };
}

/** Training FLOPs per token at context `T`: `6N + 12·L·d·T` (as `Llama.flopsPerToken`). */
export function flopsPerToken(c: LlamaConfig, T: number): number {
  const tiedHead = c.tie_word_embeddings ? c.vocab_size * c.hidden_size : 0;
  return 6 * (countParameters(c).nonEmbedding + tiedHead) + 12 * c.num_hidden_layers * c.hidden_size * T;
}

/** Bytes a training run needs, by part (float32 throughout). */
export interface MemoryEstimate {
  parameters: number;
  weights: number;
  gradients: number;
  /** AdamW's first and second moments. */
  optimizer: number;
  /** Saved activations of one micro-batch: per layer ≈ B·T·(8d + 3·ffn) floats plus the B·H·T·T attention probabilities, and 3·B·T·V for the logits. */
  activations: number;
  total: number;
}

/** The memory estimate of a training config (vocabulary: 257 for the byte tokenizer, else `data.vocabSize`). */
export function estimateMemory(config: TrainConfig): MemoryEstimate {
  const V = config.data.tokenizer === "byte" ? 257 : config.data.vocabSize;
  const c = modelConfigFor(config, V);
  const B = config.train.batchSize;
  const T = config.data.contextLength;
  const n = countParameters(c).total;
  const perLayer = B * T * (8 * c.hidden_size + 3 * c.intermediate_size + c.num_attention_heads * T);
  const activations = 4 * (c.num_hidden_layers * perLayer + 3 * B * T * V);
  const weights = 4 * n;
  return { parameters: n, weights, gradients: weights, optimizer: 2 * weights, activations, total: 4 * weights + activations };
}

/** The memory this process may use: the machine's RAM, or a smaller cgroup (container) limit. */
export function availableMemory(): number {
  try {
    const limit = Number(readFileSync("/sys/fs/cgroup/memory.max", "utf8").trim());
    if (Number.isFinite(limit) && limit > 0) return Math.min(limit, totalmem());
  } catch {
    // no cgroup v2 limit
  }
  return totalmem();
}

/** `37.2 GiB`, `512.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** One line: the estimate by part. */
export function describeMemory(m: MemoryEstimate, config: TrainConfig): string {
  return `${formatBytes(m.total)} (weights ${formatBytes(m.weights)}, gradients ${formatBytes(m.gradients)}, AdamW state ${formatBytes(m.optimizer)}, activations ${formatBytes(m.activations)} at batch ${config.train.batchSize} × context ${config.data.contextLength})`;
}

/** Refuses a config whose estimate exceeds the memory available, before any allocation. */
export function checkMemory(config: TrainConfig, available = availableMemory()): MemoryEstimate {
  const m = estimateMemory(config);
  if (m.total > available) {
    throw new ConfigError(`this config needs about ${describeMemory(m, config)}, more than this machine's ${formatBytes(available)}; lower the model size, train.batchSize or data.contextLength`);
  }
  return m;
}
