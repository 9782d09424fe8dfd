/**
 * @file A run directory's checkpoints and what may change on resume: step
 * directories with a LATEST pointer and keepLast pruning, runs in the old
 * single-`checkpoint/` layout (including one killed between its two
 * renames), stale temporaries swept only when their writer is dead, a
 * directory holding a run refused by Trainer.create, `--set` on resume
 * limited to run-length keys, a finished run named as finished, warmup
 * longer than the run scaled with a warning, and the config-only memory
 * estimate matching the model it describes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Llama } from "@kiln/nn";
import { Generator } from "@kiln/tensor";
import { loadCheckpoint } from "../src/checkpoint/checkpoint.js";
import { latestCheckpoint, listCheckpoints, readLatestPointer, resolveCheckpointDir, sweepTemporaries } from "../src/checkpoint/store.js";
import { checkMemory, countParameters, estimateMemory, flopsPerToken } from "../src/config/memory.js";
import { modelConfigFor, parseTrainConfig } from "../src/config/train-config.js";
import { prepareData } from "../src/run-data.js";
import { Trainer, warmupFor } from "../src/trainer.js";
import { formatCount } from "../src/util/progress.js";
import { makeCorpusDir, quietIO, tempRunDir, tinyConfig } from "./helpers.js";

const corpus = makeCorpusDir();
const cache = join(tempRunDir(), "cache");
const cfg = (train: Record<string, unknown> = {}) =>
  tinyConfig(corpus, cache, { train: { steps: 8, batchSize: 2, evalInterval: 4, evalBatches: 1, checkpointInterval: 2, keepLast: 2, logInterval: 2, seed: 3, ...train } });

describe("run checkpoints", () => {
  it("step directories, a LATEST pointer, and the newest keepLast kept", async () => {
    const out = tempRunDir();
    await Trainer.create(cfg(), out, quietIO()).run();
    expect(listCheckpoints(out).map((c) => c.step)).toEqual([6, 8]);
    expect(readLatestPointer(out)).toBe("step-000008");
    expect(readdirSync(join(out, "checkpoints")).sort()).toEqual(["LATEST", "step-000006", "step-000008"]);
    expect(resolveCheckpointDir(out)).toBe(join(out, "checkpoints", "step-000008"));
    expect(resolveCheckpointDir(join(out, "checkpoints"))).toBe(join(out, "checkpoints", "step-000008"));
  });

  it("finds a newer complete directory than LATEST names (a kill between rename and pointer)", async () => {
    const out = tempRunDir();
    await Trainer.create(cfg(), out, quietIO()).run();
    writeFileSync(join(out, "checkpoints", "LATEST"), "step-000006\n");
    expect(latestCheckpoint(out)).toBe(join(out, "checkpoints", "step-000008"));
  });

  it("loads and resumes old runs with a single checkpoint/ directory, even one killed between its two renames", async () => {
    const out = tempRunDir();
    const t = Trainer.create(cfg(), out, quietIO());
    for (let i = 0; i < 4; i++) t.trainStep();
    t.checkpoint();
    renameSync(join(out, "checkpoints", "step-000004"), join(out, "checkpoint")); // the old layout
    renameSync(join(out, "checkpoints"), join(out, "elsewhere"));
    expect(latestCheckpoint(out)).toBe(join(out, "checkpoint"));
    renameSync(join(out, "checkpoint"), join(out, ".checkpoint.999999.old")); // killed after the first rename, before the second
    expect(latestCheckpoint(out)).toBeNull();
    const resumed = Trainer.resume(out, quietIO());
    expect(resumed.step).toBe(4);
    expect(existsSync(join(out, "checkpoint", "trainer.json"))).toBe(true);
    await resumed.run();
    expect(latestCheckpoint(out)).toBe(join(out, "checkpoints", "step-000008"));
  });

  it("sweeps temporaries of dead writers, never of live ones", () => {
    const out = tempRunDir();
    mkdirSync(join(out, "checkpoints", ".step-000004.999999.tmp"), { recursive: true });
    mkdirSync(join(out, "checkpoints", `.step-000002.${process.ppid}.del`));
    writeFileSync(join(out, "metrics.jsonl.999999.0a1b2c3d.tmp"), "x");
    writeFileSync(join(out, "notes.txt"), "kept");
    const removed = sweepTemporaries(out).map((p) => p.split("/").at(-1));
    expect(removed.sort()).toEqual([".step-000004.999999.tmp", "metrics.jsonl.999999.0a1b2c3d.tmp"]);
    expect(existsSync(join(out, "checkpoints", `.step-000002.${process.ppid}.del`))).toBe(true);
    expect(existsSync(join(out, "notes.txt"))).toBe(true);
  });

  it("data preparation sweeps what killed runs left in the token and tokenizer caches", () => {
    const own = join(tempRunDir(), "cache");
    mkdirSync(join(own, "tokens"), { recursive: true });
    writeFileSync(join(own, "tokens", "sotu.abc.bin.999999.0a1b2c3d.tmp"), "x");
    prepareData(tinyConfig(corpus, own));
    expect(readdirSync(join(own, "tokens")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("Trainer.create refuses a directory that holds a run", async () => {
    const out = tempRunDir();
    await Trainer.create(cfg({ steps: 2 }), out, quietIO()).run();
    expect(() => Trainer.create(cfg({ steps: 2 }), out, quietIO())).toThrow(/already holds a run \(checkpoints\/step-000002, metrics\.jsonl\)/);
  });
});

describe("resume", () => {
  it("--set may raise train.steps of a finished run (saying what changes) and the run continues", async () => {
    const out = tempRunDir();
    await Trainer.create(cfg({ steps: 4, checkpointInterval: 0 }), out, quietIO()).run();
    expect(() => Trainer.resume(out, quietIO())).toThrow(/this run is finished \(4 of 4 steps\); to train further raise its length, e\.g\. --set train\.steps=8/);
    const io = quietIO();
    const more = Trainer.resume(out, io, undefined, ["train.steps=6", "train.evalInterval=3"]);
    expect(io.lines.join("\n")).toMatch(/resume: train\.steps 4 → 6\n.*train\.evalInterval 4 → 3\n.*schedule now spans 6 steps instead of 4/);
    const r = await more.run();
    expect(r.step).toBe(6);
    expect(loadCheckpoint(latestCheckpoint(out)!).trainer!.config.train.steps).toBe(6);
  });

  it("refuses --set of anything that changes the model, data or optimizer, by name", async () => {
    const out = tempRunDir();
    const t = Trainer.create(cfg(), out, quietIO());
    t.trainStep();
    t.checkpoint();
    for (const key of ["model.hidden_size=64", "optim.lr=1", "data.contextLength=8", "train.batchSize=3", "train.seed=1"]) {
      expect(() => Trainer.resume(out, quietIO(), undefined, [key])).toThrow(new RegExp(`--set ${key.split("=")[0]!.replace(".", "\\.")} cannot change on --resume`));
    }
  });

  it("metrics past the checkpoint are dropped on resume; a torn last line too", async () => {
    const out = tempRunDir();
    const t = Trainer.create(cfg(), out, quietIO());
    for (let i = 0; i < 2; i++) t.trainStep();
    t.checkpoint();
    writeFileSync(join(out, "metrics.jsonl"), '{"step":2,"tokens":1,"elapsed":0}\n{"step":3,"tokens":1,"elapsed":0}\n{"step":4,"tok');
    Trainer.resume(out, quietIO());
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe('{"step":2,"tokens":1,"elapsed":0}\n');
  });
});

describe("config checks before any work", () => {
  it("warmup longer than the run is scaled to a tenth of it, with a warning; over half the run warns", () => {
    const model = { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2 };
    const long = parseTrainConfig({ model, optim: { warmupSteps: 50 }, train: { steps: 12 } });
    expect(warmupFor(long)).toEqual({ steps: 2, warning: expect.stringMatching(/optim\.warmupSteps 50 is longer than the run \(train\.steps 12\); warming up over 2 steps/) });
    expect(warmupFor(parseTrainConfig({ model, optim: { warmupSteps: 50 }, train: { steps: 60 } })).warning).toMatch(/50 is 83% of train\.steps 60; the learning rate decays over only 10 steps/);
    expect(warmupFor(parseTrainConfig({ model, optim: { warmupSteps: 50 }, train: { steps: 600 } }))).toEqual({ steps: 50, warning: null });
  });

  it("parameter and FLOP counts from the config equal the built model's", () => {
    for (const model of [
      { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, tie_word_embeddings: true },
      { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, norm: "layernorm", ffn: "gelu_mlp", positions: "learned" },
      { hidden_size: 48, num_hidden_layers: 3, num_attention_heads: 6, intermediate_size: 100 },
    ]) {
      const c = modelConfigFor(parseTrainConfig({ model, data: { contextLength: 16 } }), 300);
      const m = new Llama(c, { generator: new Generator(0) });
      expect(countParameters(c)).toEqual({ total: m.numParameters(), nonEmbedding: m.numParameters({ excludeEmbeddings: true }) });
      expect(flopsPerToken(c, 16)).toBe(m.flopsPerToken(16));
    }
  });

  it("a config that needs more memory than the machine has is refused with the estimate", () => {
    const huge = parseTrainConfig({ model: { hidden_size: 65536, num_hidden_layers: 2, num_attention_heads: 64 } });
    expect(estimateMemory(huge).parameters).toBeGreaterThan(2e10);
    expect(() => checkMemory(huge, 8 * 2 ** 30)).toThrow(/needs about [\d.]+ TiB \(weights .*, AdamW state .*, activations .* at batch 16 × context 128\), more than this machine's 8\.0 GiB/);
    expect(formatCount(7.86023e12)).toBe("7.86T");
  });
});
