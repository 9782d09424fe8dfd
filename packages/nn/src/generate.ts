/**
 * @file Autoregressive sampling with a KV cache: the prompt is run once, then
 * one token per step. Greedy at temperature 0; otherwise temperature, top-k
 * and nucleus (top-p; Holtzman et al. 2020) sampling from a seeded generator.
 * Past `max_position_embeddings` the context slides, as nanoGPT's does: each
 * new token sees only the last `max_position_embeddings` tokens, recomputed.
 * A batch of prompts is left-padded into one batched KV cache; each sequence
 * attends only to its own tokens, so greedy output is that of one at a time.
 */
import { defaultGenerator, noGrad, tensor, type Generator, type Tensor } from "@kiln/tensor";
import type { Llama } from "./llama.js";

/** Options of {@link sampleNext}. */
export interface SamplingOptions {
  /** Softmax temperature; 0 picks the argmax (default 1). */
  temperature?: number;
  /** Keep only the k most likely tokens (ties with the k-th kept, as torch's `logits < v[-1]`). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (the first token always stays). */
  topP?: number;
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

/** Options of {@link generate}. */
export interface GenerateOptions extends SamplingOptions {
  /** Tokens to append at most. */
  maxNewTokens: number;
  /** Stop after emitting this id (default the config's `eos_token_id`; null never stops early). */
  eosTokenId?: number | null;
  /** Use the KV cache (default true); false recomputes the whole sequence each step (for tests). */
  useCache?: boolean;
}

/** Picks the next token id from one row of logits. */
export function sampleNext(logits: ArrayLike<number>, { temperature = 1, topK, topP, generator = defaultGenerator }: SamplingOptions = {}): number {
  const V = logits.length;
  if (!(temperature >= 0)) throw new RangeError(`generate: temperature must be ≥ 0, got ${temperature}`);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
  let keep = V;
  if (topK !== undefined) {
    if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`generate: topK must be a positive integer, got ${topK}`);
    const kth = logits[order[Math.min(topK, V) - 1]!]!;
    while (keep > 1 && logits[order[keep - 1]!]! < kth) keep--;
  }
  const top = logits[order[0]!]!;
  const probs = order.slice(0, keep).map((i) => Math.exp((logits[i]! - top) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  if (topP !== undefined) {
    if (!(topP > 0 && topP <= 1)) throw new RangeError(`generate: topP must be in (0, 1], got ${topP}`);
    let cum = 0;
    let n = 0;
    while (n < probs.length && cum < topP * total) cum += probs[n++]!;
    probs.length = Math.max(n, 1);
    total = probs.reduce((a, b) => a + b, 0);
  }
  let u = generator.random() * total;
  for (let i = 0; i < probs.length; i++) {
    u -= probs[i]!;
    if (u < 0) return order[i]!;
  }
  return order[probs.length - 1]!;
}

/**
 * Extends `promptIds` by up to `maxNewTokens` tokens (stopping after EOS) and
 * returns prompt + new tokens. Runs in eval mode under `noGrad`.
 * Any length works: once the sequence outgrows `max_position_embeddings`, each
 * step conditions on its last `max_position_embeddings` tokens (positions
 * restart at 0), recomputed without the cache — the same tokens either way.
 *
 * Given a batch (an array of prompts, any lengths), decodes them together —
 * left-padded, one batched KV cache, each sequence stopping at its own EOS —
 * and returns one array per prompt. Greedy output equals generating each
 * prompt alone; sampled output draws from the one generator in batch order, so
 * it differs from one at a time. A batch must fit `max_position_embeddings`.
 */
export function generate(model: Llama, prompts: readonly (readonly number[])[], opts: GenerateOptions): number[][];
export function generate(model: Llama, promptIds: readonly number[] | Tensor, opts: GenerateOptions): number[];
export function generate(model: Llama, promptIds: readonly number[] | readonly (readonly number[])[] | Tensor, opts: GenerateOptions): number[] | number[][] {
  const { maxNewTokens } = opts;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new RangeError(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  const batch = Array.isArray(promptIds) && promptIds.length > 0 && promptIds.every((p) => Array.isArray(p));
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => (batch ? generateBatch(model, promptIds as readonly (readonly number[])[], opts) : generateOne(model, promptIds as readonly number[] | Tensor, opts)));
  } finally {
    model.train(wasTraining);
  }
}

function generateOne(model: Llama, promptIds: readonly number[] | Tensor, opts: GenerateOptions): number[] {
  const { maxNewTokens, useCache = true, eosTokenId = model.config.eos_token_id } = opts;
  const ids = Array.isArray(promptIds) ? [...promptIds] : Array.from((promptIds as Tensor).contiguous().data, Number);
  if (ids.length === 0) throw new RangeError("generate: the prompt must hold at least one token");
  const maxT = model.config.max_position_embeddings;
  let cache = useCache ? model.newKVCache(1, Math.min(ids.length + maxNewTokens, maxT)) : null;
  let input = ids.slice(-maxT);
  for (let step = 0; step < maxNewTokens; step++) {
    const { logits } = model.forward(tensor([input], { dtype: "int32" }), null, { cache }); // (1, T, V)
    const last = logits.select(0, 0).select(0, input.length - 1).to("float64").contiguous().data; // (V)
    const next = sampleNext(last, opts);
    ids.push(next);
    if (next === eosTokenId) break;
    if (ids.length > maxT) cache = null; // the window slides from here on
    input = cache ? [next] : ids.slice(-maxT);
  }
  return ids;
}

function generateBatch(model: Llama, prompts: readonly (readonly number[])[], opts: GenerateOptions): number[][] {
  const { maxNewTokens, useCache = true, eosTokenId = model.config.eos_token_id } = opts;
  const empty = prompts.findIndex((p) => p.length === 0);
  if (empty >= 0) throw new RangeError(`generate: prompt ${empty} of the batch is empty; each must hold at least one token`);
  if (!useCache) throw new RangeError("generate: a batch decodes with the KV cache; useCache: false is for one sequence");
  const longest = Math.max(...prompts.map((p) => p.length));
  const maxT = model.config.max_position_embeddings;
  if (longest + maxNewTokens > maxT) {
    throw new RangeError(`generate: a batch must fit the context: longest prompt ${longest} + maxNewTokens ${maxNewTokens} > max_position_embeddings ${maxT}`);
  }
  const starts = prompts.map((p) => longest - p.length); // left padding per sequence
  const cache = model.newKVCache(prompts.length, longest + maxNewTokens).padLeft(starts);
  const ids = prompts.map((p) => [...p]);
  const done = prompts.map(() => false);
  // pad slots hold the sequence's first token: any id works, attention never reads them
  let input = prompts.map((p, b) => [...new Array<number>(starts[b]!).fill(p[0]!), ...p]); // (B, longest)
  for (let step = 0; step < maxNewTokens && done.includes(false); step++) {
    const { logits } = model.forward(tensor(input, { dtype: "int32" }), null, { cache }); // (B, T, V)
    const last = logits.select(1, input[0]!.length - 1).to("float64").contiguous().data; // (B, V)
    const V = model.config.vocab_size;
    input = ids.map((row, b) => {
      if (done[b]) return [row[row.length - 1]!];
      const next = sampleNext(last.subarray(b * V, (b + 1) * V), opts);
      row.push(next);
      done[b] = next === eosTokenId;
      return [next];
    });
  }
  return ids;
}
