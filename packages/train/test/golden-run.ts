/**
 * @file The seeded tiny run behind the golden test: a synthetic corpus, a
 * 300-token BPE, a one-layer model, 15 steps. Any numerical change in a
 * kernel, op, optimizer or sampler changes its losses.
 */
import { join } from "node:path";
import { Trainer } from "../src/trainer.js";
import { makeCorpusDir, quietIO, tempRunDir, tinyConfig } from "./helpers.js";

/** Trains the golden configuration and returns the loss of every step. */
export async function goldenRun(): Promise<number[]> {
  const corpus = makeCorpusDir();
  const out = tempRunDir();
  const config = tinyConfig(corpus, join(out, "cache"), {
    model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, dropout: 0.1 },
    train: { steps: 15, batchSize: 4, evalInterval: 15, evalBatches: 1, checkpointInterval: 0, logInterval: 5, seed: 11 },
  });
  const result = await Trainer.create(config, out, quietIO()).run();
  return result.losses;
}
