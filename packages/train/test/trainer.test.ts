/**
 * @file End to end: a tiny model trains in seconds; checkpoints round-trip;
 * resume is bit-identical; a NaN stops the run and keeps the checkpoint; a
 * corrupt checkpoint gives a clear error.
 */
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { noGrad } from "@kiln/tensor";
import { latestCheckpoint } from "../src/checkpoint/store.js";
import { loadCheckpoint, modelFromCheckpoint, CheckpointError } from "../src/checkpoint/checkpoint.js";
import { readMetrics } from "../src/metrics.js";
import { Trainer } from "../src/trainer.js";
import { makeCorpusDir, quietIO, tempRunDir, tinyConfig } from "./helpers.js";

const corpus = makeCorpusDir();
const cache = join(tempRunDir(), "cache");

describe("Trainer", () => {
  it("trains: loss falls well below its start, metrics and a checkpoint are written", async () => {
    const out = tempRunDir();
    const t = Trainer.create(tinyConfig(corpus, cache, { train: { steps: 40, batchSize: 4, evalInterval: 20, evalBatches: 2, checkpointInterval: 20, logInterval: 5, seed: 3 } }), out, quietIO());
    const r = await t.run();
    expect(r.status).toBe("completed");
    expect(r.losses).toHaveLength(40);
    const first = r.losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = r.losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(first - 1);
    expect(r.finalValLoss).toBeLessThan(r.unigramBaseline);
    const rows = readMetrics(join(out, "metrics.jsonl"));
    expect(rows.some((row) => row.valLoss !== undefined)).toBe(true);
    expect(rows.filter((row) => row.loss !== undefined).map((row) => row.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    expect(r.samples[0]).toMatch(/^the people/);
  });

  it("checkpoints round-trip: same weights, config, tokenizer and trainer state", async () => {
    const out = tempRunDir();
    const t = Trainer.create(tinyConfig(corpus, cache, { train: { steps: 10, batchSize: 4, checkpointInterval: 10, evalInterval: 10, evalBatches: 1, seed: 3 } }), out, quietIO());
    await t.run();
    const ckpt = loadCheckpoint(latestCheckpoint(out)!);
    const model = modelFromCheckpoint(ckpt);
    for (const [name, p] of Object.entries(t.model.stateDict())) expect(model.stateDict()[name]!.toArray()).toEqual(p.toArray());
    expect(Object.keys(ckpt.weights)).toContain("model.layers.0.self_attn.q_proj.weight");
    expect(ckpt.trainer?.step).toBe(10);
    expect(ckpt.tokenizer?.encode("the people")).toEqual(t.data.tokenizer.encode("the people"));
    expect(JSON.parse(readFileSync(join(latestCheckpoint(out)!, "config.json"), "utf8")).architectures).toEqual(["LlamaForCausalLM"]);
  });

  it("resume is bit-identical to an uninterrupted run", async () => {
    const cfg = tinyConfig(corpus, cache, { model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, dropout: 0.1 } });
    const straight = await Trainer.create(cfg, tempRunDir(), quietIO()).run();
    const out = tempRunDir();
    const partial = Trainer.create(cfg, out, quietIO());
    for (let i = 0; i < 10; i++) partial.trainStep();
    partial.checkpoint();
    const resumed = Trainer.resume(out, quietIO());
    expect(resumed.step).toBe(10);
    const rest = await resumed.run();
    expect(rest.losses).toEqual(straight.losses.slice(10));
    expect(rest.finalValLoss).toBe(straight.finalValLoss);
  });

  it("stops on a non-finite loss and leaves the last checkpoint intact", async () => {
    const out = tempRunDir();
    const t = Trainer.create(tinyConfig(corpus, cache), out, quietIO());
    for (let i = 0; i < 3; i++) t.trainStep();
    t.checkpoint();
    const before = readFileSync(join(out, "checkpoints", "step-000003", "model.safetensors"));
    noGrad(() => t.model.parameters()[0]!.fill_(NaN));
    await expect(t.run()).rejects.toThrow(/step 3: loss is NaN; stopped\. The last good checkpoint .* is intact/);
    expect(readFileSync(join(latestCheckpoint(out)!, "model.safetensors")).equals(before)).toBe(true);
    expect(loadCheckpoint(latestCheckpoint(out)!).trainer?.step).toBe(3);
  });

  it("reports a truncated or corrupt checkpoint clearly", async () => {
    const out = tempRunDir();
    const t = Trainer.create(tinyConfig(corpus, cache, { train: { steps: 2, batchSize: 2, evalInterval: 2, evalBatches: 1, seed: 3 } }), out, quietIO());
    await t.run();
    const dir = latestCheckpoint(out)!;
    const weights = join(dir, "model.safetensors");
    truncateSync(weights, 100);
    expect(() => loadCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(dir)).toThrow(/model\.safetensors.*truncated/);
    writeFileSync(join(dir, "trainer.json"), "{ not json");
    expect(() => loadCheckpoint(join(out, "nope"))).toThrow(/no such checkpoint directory/);
  });
});
