/**
 * @file A tiny training config for CLI ablation tests (a 1-layer, 32-wide
 * LLaMA on the test corpus; runs of a few steps take well under a second),
 * written to a fresh temp directory.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeCorpusDir, tempRunDir } from "../../train/test/helpers.js";

/** Writes the tiny config into a new temp directory; returns that directory and the config's path. */
export function tinyConfigFile(): { root: string; configPath: string } {
  const root = tempRunDir();
  const configPath = join(root, "tiny.json");
  writeFileSync(configPath, JSON.stringify({
    model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2 },
    data: { corpus: makeCorpusDir(), tokenizer: "bpe", vocabSize: 300, contextLength: 32, cacheDir: join(root, "cache") },
    optim: { lr: 1e-2, warmupSteps: 2 },
    train: { batchSize: 4, evalBatches: 2, logInterval: 2, seed: 5 },
  }));
  return { root, configPath };
}
