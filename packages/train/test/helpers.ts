/**
 * @file Shared set-up for trainer tests: a small synthetic corpus on disk and
 * a tiny config that trains in a second or two.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Generator } from "@kiln/tensor";
import { parseTrainConfig, type TrainConfig } from "../src/config/train-config.js";
import { Progress } from "../src/util/progress.js";

const WORDS = "the people of the union shall have power to lay and collect taxes for the common defence and general welfare of our nation".split(" ");

/** A directory of 12 small text documents with learnable structure. */
export function makeCorpusDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kiln-corpus-"));
  const g = new Generator(7);
  for (let d = 0; d < 12; d++) {
    const sentences: string[] = [];
    for (let s = 0; s < 60; s++) {
      const start = g.randint(0, WORDS.length - 8);
      sentences.push(`${WORDS.slice(start, start + 4 + g.randint(0, 4)).join(" ")}.`);
    }
    writeFileSync(join(dir, `doc${String(d).padStart(2, "0")}.txt`), sentences.join(" "));
  }
  return dir;
}

/** A fresh temporary directory for a run. */
export function tempRunDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kiln-run-"));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A tiny, fast training config over `corpusDir`. */
export function tinyConfig(corpusDir: string, cacheDir: string, overrides: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig({
    name: "tiny-test",
    model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, tie_word_embeddings: true },
    data: { corpus: corpusDir, tokenizer: "bpe", vocabSize: 300, contextLength: 32, cacheDir },
    optim: { lr: 1e-2, warmupSteps: 5 },
    train: { steps: 30, batchSize: 4, evalInterval: 10, evalBatches: 2, checkpointInterval: 10, logInterval: 5, seed: 3 },
    sample: { prompts: ["the people"], maxNewTokens: 8 },
    ...overrides,
  });
}

/** Trainer I/O that records lines instead of printing. */
export function quietIO(): { log: (line: string) => void; progress: Progress; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l), progress: new Progress({ write: () => true, isTTY: false }) };
}
