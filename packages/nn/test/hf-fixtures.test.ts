/**
 * @file Models written by transformers 5 (`save_pretrained` in float32,
 * float16 and bfloat16; tied and untied; GQA; θ and ε off their defaults; one
 * sharded) load in kiln from disk, as a user loads them, and give transformers'
 * logits and greedy ids. Fixtures: packages/nn/scripts/make_hf_fixtures.py.
 * `KILN_INTEROP_REPORT=1` prints the measured differences.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSafetensors } from "@kiln/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { loadHf } from "../src/index.js";
import { compareWithHf, type HfExpectation } from "./hf-compare.js";

const ROOT = new URL("./fixtures/hf/", import.meta.url).pathname;
const names = readdirSync(ROOT).sort();
const report: string[] = [];

describe("transformers save_pretrained → kiln loadHf", () => {
  it("covers every dtype, tied and untied heads, GQA and a sharded model", () => {
    expect(names).toEqual(["bf16-tied", "f16-untied-gqa", "f32-sharded", "f32-tied-gqa", "f32-untied-theta-eps"]);
    expect(readdirSync(join(ROOT, "f32-sharded")).filter((f) => f.startsWith("model-")).length).toBeGreaterThan(1);
  });

  it.each(names)("%s: config fields mapped, logits and greedy ids as transformers computes them", (name) => {
    const dir = join(ROOT, name);
    const hf = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, any>;
    const want = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Omit<HfExpectation, "logits"> & { dtype: string };
    expect(hf.dtype).toBe(want.dtype);
    const model = loadHf(dir);
    expect(model.config.rope_theta).toBe(hf.rope_parameters.rope_theta);
    expect(model.config.rms_norm_eps).toBe(hf.rms_norm_eps);
    expect(model.config.tie_word_embeddings).toBe(hf.tie_word_embeddings);
    expect(model.config.num_key_value_heads).toBe(hf.num_key_value_heads);
    const logits = loadSafetensors(join(dir, "expected.safetensors")).tensors.logits!.contiguous().data;
    const c = compareWithHf(model, { ...want, logits });
    report.push(`${name} (${want.dtype}): max |Δlogit| ${c.maxAbs.toExponential(2)} (${c.maxRel.toExponential(2)} of max |logit|), greedy ids ${c.greedySame ? "equal" : "DIFFER"}`);
    expect(c.maxRel).toBeLessThan(1e-5);
    expect(c.greedy).toEqual(want.greedy_ids);
  });
});

afterAll(() => {
  if (process.env.KILN_INTEROP_REPORT) console.log(report.join("\n"));
});
