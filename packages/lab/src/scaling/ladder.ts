/**
 * @file The model ladder with every counting convention made explicit:
 * N_total (all parameters once; Chinchilla's convention), N_non-embedding
 * (Kaplan's), N with the head (the weights a token is multiplied by), and
 * FLOPs per token with attention (PaLM App. B) beside 6·N.
 */
import { Llama, type LlamaConfigInput } from "@kiln/nn";
import { Generator } from "@kiln/tensor";
import type { RungConfig, SweepConfig } from "./sweep-config.js";

/** A ladder rung with its counts. */
export interface Rung extends RungConfig {
  /** All parameters, the tied embedding/head counted once (the N of C = 6·N·D here). */
  N: number;
  /** Parameters outside the embedding table (norms included). */
  nonEmbedding: number;
  /** Non-embedding parameters plus the output head (= N_total when tied). */
  withHead: number;
  /** Training FLOPs per token with attention: `6·withHead + 12·L·d·T`. */
  flopsPerToken: number;
}

/** The Llama config of a rung (tied embeddings, LLaMA defaults otherwise). */
export function rungModelConfig(r: RungConfig, vocabSize: number, contextLength: number): LlamaConfigInput {
  return { vocab_size: vocabSize, hidden_size: r.hidden, num_hidden_layers: r.layers, num_attention_heads: r.heads, tie_word_embeddings: true, max_position_embeddings: contextLength };
}

/** The ladder of `config`, sorted by N, with parameters counted on the real model. */
export function buildLadder(config: SweepConfig): Rung[] {
  const { vocabSize, contextLength } = config.data;
  return config.ladder
    .map((r) => {
      const model = new Llama(rungModelConfig(r, vocabSize, contextLength), { generator: new Generator(0) });
      const nonEmbedding = model.numParameters({ excludeEmbeddings: true });
      return { ...r, N: model.numParameters(), nonEmbedding, withHead: nonEmbedding + vocabSize * r.hidden, flopsPerToken: model.flopsPerToken(contextLength) };
    })
    .sort((a, b) => a.N - b.N);
}

/** The conventions, spelled out for logs and reports. */
export function conventionLines(config: SweepConfig): string[] {
  const { vocabSize: V, contextLength: T } = config.data;
  return [
    `N = N_total: every parameter once, the tied embedding/head (V·d, V = ${V}) included — Chinchilla's convention; every run trains D = C / (6·N) tokens.`,
    "N_non-embedding: N without the V·d table (Kaplan et al.'s convention).",
    "N_with_head: N_non-embedding + the V·d output head, i.e. the weights each token is multiplied by; equal to N_total with tied embeddings.",
    `C = 6·N·D is the budget; C_exact = (6·N_with_head + 12·L·d·T)·D adds attention's score and value products at T = ${T} (PaLM, Chowdhery et al. 2022, App. B).`,
  ];
}
