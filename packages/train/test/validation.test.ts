/**
 * @file kiln's one definition of validation loss: windows spread over the
 * whole split, the standard error over windows, and the trainer and a spawned
 * `kiln eval` printing the same number for the same checkpoint; `kiln eval
 * --text` scoring a file the user names.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Llama } from "@kiln/nn";
import { Generator } from "@kiln/tensor";
import { pairedStdErr, validationLoss, validationSample } from "../src/eval/validation.js";
import { Trainer } from "../src/trainer.js";
import { makeCorpusDir, quietIO, tempRunDir, tinyConfig } from "./helpers.js";

const bin = join(import.meta.dirname, "..", "bin", "kiln.mjs");
const kiln = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("validationSample", () => {
  it("spreads windows from the first token to the last full window, never only the earliest", () => {
    const s = validationSample(1001, 10, 5);
    expect(s.starts).toEqual([0, 248, 495, 743, 990]);
    expect(s.whole).toBe(false);
    expect(s.starts.at(-1)! + 10 + 1).toBe(1001); // the last window's last target is the last token
  });

  it("is the whole split (all full windows) for null or more windows than fit", () => {
    expect(validationSample(105, 10, null)).toMatchObject({ whole: true, starts: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90] });
    expect(validationSample(105, 10, 500).starts).toHaveLength(10);
    expect(() => validationSample(10, 10, 1)).toThrow("validation: 10 tokens are fewer than one window of 10 + 1");
    expect(() => validationSample(100, 10, 0)).toThrow(/sequences must be a positive integer or null/);
  });

  it("scores the mean over windows with its standard error, whatever the batch size", () => {
    const model = new Llama({ vocab_size: 16, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2, max_position_embeddings: 8 }, { generator: new Generator(1) });
    const g = new Generator(2);
    const tokens = Int32Array.from({ length: 200 }, () => g.randint(0, 16));
    const sample = validationSample(tokens.length, 8, 7);
    const a = validationLoss(model, tokens, sample, { batchSize: 2 });
    const b = validationLoss(model, tokens, sample, { batchSize: 7 });
    expect(a.loss).toBeCloseTo(b.loss, 6);
    expect(a.windows).toBe(7);
    expect(a.tokens).toBe(56);
    expect(a.stdErr).toBeGreaterThan(0);
    expect(a.stdErr).toBeLessThan(1);
    expect(Number.isNaN(validationLoss(model, tokens, validationSample(tokens.length, 8, 1), { batchSize: 1 }).stdErr)).toBe(true);
    expect(model.training).toBe(true); // mode restored
    expect(a.windowLosses).toHaveLength(7);
  });

  it("pairs two losses on the same windows: the paired s.e. sees only the per-window differences", () => {
    const hard = [3, 5, 2, 6, 4];
    expect(pairedStdErr(hard, hard.map((x) => x + 0.1))).toBeCloseTo(0, 12); // same windows hard for both: no sampling error in Δ
    // differences 0.1, −0.1, 0.1, −0.1, 0: mean 0, sd √(0.04/4) = 0.1, s.e. 0.1/√5
    expect(pairedStdErr(hard, [3.1, 4.9, 2.1, 5.9, 4])).toBeCloseTo(0.1 / Math.sqrt(5), 12);
    expect(() => pairedStdErr([1, 2], [1])).toThrow("pairedStdErr: 2 windows against 1");
  });
});

describe("kiln eval", () => {
  const corpus = makeCorpusDir();
  const root = tempRunDir();
  const out = join(root, "run");

  it("prints the trainer's final validation loss for the same checkpoint, with the definition beside it", async () => {
    const config = tinyConfig(corpus, join(root, "cache"), { train: { steps: 6, batchSize: 4, evalInterval: 6, evalBatches: 2, checkpointInterval: 0, logInterval: 3, seed: 3 }, sample: { prompts: [], maxNewTokens: 1 } });
    const t = Trainer.create(config, out, quietIO());
    const result = await t.run();
    const trainerLoss = result.finalValidation!;
    expect(trainerLoss.definition).toMatch(/^8 windows × 32 tokens spread evenly over the whole [\d.k]+-token validation split$/);
    const r = kiln("eval", "--checkpoint", out);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`loss ${trainerLoss.loss.toFixed(4)} ± ${trainerLoss.stdErr.toFixed(4)} (s.e.) nats/token`);
    expect(r.stdout).toContain(trainerLoss.definition);
    expect(r.stdout).toContain(`unigram ${t.unigramBaseline.toFixed(4)}, bigram ${t.bigramBaseline.toFixed(4)}`);
    const all = kiln("eval", "--checkpoint", out, "--sequences", "all");
    expect(all.stdout).toMatch(/on the whole validation split: all \d+ windows × 32 tokens/);
  }, 60_000);

  it("scores any text file the user names, and names a bad one in one line", () => {
    const file = join(root, "speech.txt");
    writeFileSync(file, "the people of the union shall have power to lay and collect taxes. ".repeat(40));
    const r = kiln("eval", "--checkpoint", out, "--text", file);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`on the whole text of ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: all \\d+ windows × 32 tokens`));
    expect(r.stdout).toMatch(/baselines on the whole of the same text \(fitted on the run's training split\): unigram [\d.]+, bigram [\d.]+/);
    const bad = kiln("eval", "--checkpoint", out, "--text", join(root, "missing.txt"));
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/missing\.txt/);
    const zero = kiln("eval", "--checkpoint", out, "--sequences", "0");
    expect(zero.status).toBe(2);
    expect(zero.stderr.trim()).toBe('kiln eval: --sequences must be a positive integer or "all", got "0"');
  }, 60_000);
});
