/**
 * @file The `kiln` command line: train/sample/eval/info end to end on a tiny
 * run, one-line errors with non-zero exits, and Ctrl-C saving a checkpoint.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureConsole } from "./console.js";
import { main } from "../src/cli/main.js";
import { readMetrics } from "../src/metrics.js";
import { makeCorpusDir, tempRunDir } from "./helpers.js";

const corpus = makeCorpusDir();
const root = tempRunDir();
const configPath = join(root, "tiny.json");
writeFileSync(
  configPath,
  JSON.stringify({
    name: "tiny-cli",
    model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, tie_word_embeddings: true },
    data: { corpus, tokenizer: "bpe", vocabSize: 300, contextLength: 32, cacheDir: join(root, "cache") },
    train: { steps: 12, batchSize: 4, evalInterval: 6, evalBatches: 2, checkpointInterval: 6, logInterval: 3 },
    sample: { prompts: ["the people"], maxNewTokens: 6 },
  }),
);

const { out, err } = captureConsole({ stdout: true });

describe("kiln CLI", () => {
  it("train → sample → eval → info", async () => {
    const run = join(root, "run");
    expect(await main(["train", "--config", configPath, "--out", run, "--set", "optim.lr=0.01"])).toBe(0);
    const text = out.join("");
    expect(text).toMatch(/parameters .* non-embedding/);
    expect(text).toMatch(/baselines \(nats\/token; .*\): uniform [\d.]+, unigram [\d.]+, bigram [\d.]+/);
    expect(text).toMatch(/final val loss [\d.]+ ± [\d.]+ \(s\.e\.\) nats\/token on 8 windows × 32 tokens spread evenly/);
    expect(existsSync(join(run, "checkpoints", "step-000012", "model.safetensors"))).toBe(true);
    expect(readFileSync(join(run, "checkpoints", "LATEST"), "utf8")).toBe("step-000012\n");
    expect(existsSync(join(run, "checkpoints", "step-000006"))).toBe(true); // keepLast 2
    out.length = 0;
    expect(await main(["sample", "--checkpoint", run, "--prompt", "the union", "--max-new-tokens", "5", "--seed", "1"])).toBe(0);
    expect(out.join("")).toMatch(/^the union/);
    out.length = 0;
    expect(await main(["sample", "--checkpoint", join(run, "checkpoints", "step-000012"), "--prompt-ids", "1,2,3", "--output", "ids", "--max-new-tokens", "4", "--temperature", "0"])).toBe(0);
    expect(out.join("").trim()).toMatch(/^1,2,3(,\d+){4}$/);
    out.length = 0;
    expect(await main(["eval", run])).toBe(0);
    expect(out.join("")).toMatch(/loss [\d.]+ ± [\d.]+ \(s\.e\.\) nats\/token, perplexity [\d.]+/);
    out.length = 0;
    expect(await main(["info", "--config", configPath])).toBe(0);
    expect(out.join("")).toMatch(/tokens\/step 128/);
    out.length = 0;
    expect(await main(["info", run])).toBe(0);
    expect(out.join("\n")).toMatch(/step-000012: loads .*\nstep 12 of 12/);
    expect(await main(["train", configPath, "--out", run, "--overwrite", "--set", "train.steps=6"])).toBe(0); // a lone path is the --config
    expect(readMetrics(join(run, "metrics.jsonl")).filter((r) => r.loss !== undefined).map((r) => r.step)).toEqual([3, 6]);
    expect(readdirSync(join(run, "checkpoints")).sort()).toEqual(["LATEST", "step-000006"]);
  });

  it("errors are one line naming the problem, with non-zero exit codes", async () => {
    expect(await main(["frobnicate"])).toBe(2);
    expect(err[0]).toMatch(/unknown command "frobnicate"/);
    expect(await main(["trian"])).toBe(2);
    expect(err.at(-1)).toMatch(/unknown command "trian" \(did you mean "train"\?\)/);
    expect(await main(["train", "--config", configPath, "--set", "optim.lrr=1"])).toBe(1);
    expect(err.at(-1)).toMatch(/unknown config key "optim.lrr" \(did you mean "optim.lr"\?\)/);
    expect(await main(["train", "--config", configPath, "--set", "train.steps=-3"])).toBe(1);
    expect(err.at(-1)).toMatch(/train.steps must be an integer ≥ 1, got -3/);
    expect(await main(["train", "--config", join(root, "missing.json")])).toBe(1);
    expect(err.at(-1)).toMatch(/missing\.json: cannot read config \(ENOENT\)/);
    expect(await main(["train", "--config", configPath, "--set", "model.hidden_size=33"])).toBe(1);
    expect(err.at(-1)).toMatch(/hidden_size 33 is not divisible by num_attention_heads 2/);
    expect(await main(["sample", "--checkpoint", join(root, "nope")])).toBe(1);
    expect(err.at(-1)).toMatch(/no such checkpoint directory/);
    expect(err.every((l) => !l.includes("    at "))).toBe(true); // no stack traces without --verbose
  });

  it("Ctrl-C saves a checkpoint and exits cleanly (code 130)", async () => {
    const run = join(root, "interrupted");
    const bin = join(import.meta.dirname, "..", "bin", "kiln.mjs");
    const child = spawn(process.execPath, [bin, "train", "--config", configPath, "--out", run, "--set", "train.steps=100000", "--set", "train.checkpointInterval=0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        log += d.toString();
        if (log.includes("step 3/") && !child.killed) child.kill("SIGINT");
      });
      child.stderr.on("data", (d: Buffer) => (log += d.toString()));
      child.on("exit", (c) => resolve(c));
    });
    expect(log).toMatch(/interrupted at step \d+: checkpoint saved/);
    expect(code).toBe(130);
    expect(readdirSync(join(run, "checkpoints")).filter((n) => n.startsWith("step-"))).toHaveLength(1);
  }, 60_000);
});
