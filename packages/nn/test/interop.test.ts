/**
 * @file Interop against independent references: the seeded models of
 * interop-models.ts are exported here, their bytes compared with the hashes
 * the Python check read, and their logits / greedy tokens compared with what
 * scripts/make_interop_fixtures.py computed from those files (plain-torch
 * modeling_llama for HF, a run.c-style reader for llama2.c). Then round trips
 * of a trained model through both formats, which must be exact.
 * `KILN_INTEROP_REPORT=1` prints the measured differences.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Generator, noGrad, randint, tensor, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { Llama, generate, loadHf, loadLlama2c, parseLlama2c, saveHf, saveLlama2c, serializeLlama2c, type LlamaConfigInput } from "../src/index.js";
import { INTEROP_INPUT_IDS, INTEROP_PROMPT, INTEROP_VARIANTS, makeInteropModel, writeInteropModel } from "./interop-models.js";

interface VariantFixture {
  hashes: Record<string, string>;
  hf_logits: number[];
  torch_f32_max_abs_diff: number;
  greedy_tokens?: number[];
  greedy_logits?: number[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/interop.json", import.meta.url), "utf8")) as {
  input_ids: number[][];
  prompt: number[];
  variants: Record<string, VariantFixture>;
};
const report: string[] = [];
const tmp = () => mkdtempSync(join(tmpdir(), "kiln-interop-"));

function logits(model: Llama, ids: number[][]): Tensor {
  return noGrad(() => model.eval().forward(tensor(ids, { dtype: "int32" })).logits);
}

/** max |a − b| between a tensor and a flat reference. */
function maxAbs(a: Tensor, ref: readonly number[]): number {
  const x = a.contiguous().data;
  expect(x.length).toBe(ref.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - ref[i]!));
  return m;
}

const maxDiff = (a: Tensor, b: Tensor) => maxAbs(a, Array.from(b.contiguous().data));

describe("interop fixtures (independent Python references)", () => {
  expect(fixture.input_ids).toEqual(INTEROP_INPUT_IDS);
  expect(fixture.prompt).toEqual(INTEROP_PROMPT);
  for (const name of Object.keys(INTEROP_VARIANTS)) {
    it(`${name}: exported bytes, HF logits${INTEROP_VARIANTS[name]!.llama2c ? ", llama2.c greedy tokens and logits" : ""}`, () => {
      const want = fixture.variants[name]!;
      const dir = tmp();
      const hashes = writeInteropModel(name, dir);
      expect(writeInteropModel(name, tmp())).toEqual(hashes); // deterministic export
      // the exact bytes Python checked (a trained model's last bits may move with kernel changes: its logits are checked below)
      if (INTEROP_VARIANTS[name]!.trainSteps === undefined) expect(hashes).toEqual(want.hashes);
      const fromHf = loadHf(join(dir, name, "hf"));
      expect(fromHf.config).toEqual(makeInteropModel(name).config);
      const hf = maxAbs(logits(fromHf, INTEROP_INPUT_IDS), want.hf_logits);
      report.push(`${name}: HF dir vs plain-torch modeling_llama (float64) max |Δlogit| ${hf.toExponential(2)} (torch float32 itself: ${want.torch_f32_max_abs_diff.toExponential(2)})`);
      expect(hf).toBeLessThan(1e-4);
      if (!INTEROP_VARIANTS[name]!.llama2c) return;
      for (const v of ["v0.bin", "v1.bin"]) {
        const model = loadLlama2c(join(dir, name, v));
        const maxT = model.config.max_position_embeddings;
        const tokens = generate(model, INTEROP_PROMPT, { maxNewTokens: maxT - INTEROP_PROMPT.length, temperature: 0, eosTokenId: 1 });
        expect(tokens).toEqual(want.greedy_tokens);
        const fed = tokens.slice(0, want.greedy_logits!.length / model.config.vocab_size);
        const d = maxAbs(logits(model, [fed]), want.greedy_logits!);
        report.push(`${name}/${v}: kiln vs run.c-style reader: ${tokens.length - INTEROP_PROMPT.length} greedy tokens equal, max |Δlogit| ${d.toExponential(2)} over ${fed.length} positions`);
        expect(d).toBeLessThan(1e-4);
      }
    });
  }
});

const trained = new Map<string, Llama>();

/** A small GQA model trained for a few steps to count (next token = this one + 1); built once per config. */
function trainedModel(overrides: Partial<LlamaConfigInput> = {}): Llama {
  const key = JSON.stringify(overrides);
  if (overrides.tie_word_embeddings === true) return makeInteropModel("gqa_trained");
  const hit = trained.get(key);
  if (hit) return hit;
  const model = new Llama(
    { vocab_size: 40, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 48, max_position_embeddings: 24, rms_norm_eps: 1e-5, ...overrides },
    { generator: new Generator(5) },
  );
  const g = new Generator(6);
  for (let step = 0; step < 15; step++) {
    const x = randint(0, 39, [4, 12], { generator: g });
    const { loss } = model.forward(x, x.add(1));
    model.zeroGrad();
    loss!.backward();
    noGrad(() => model.parameters().forEach((p) => p.sub_(p.grad!.mul(0.3))));
  }
  trained.set(key, model.eval());
  return model;
}

const IDS = [[3, 4, 5, 6, 7, 8, 9, 10], [20, 21, 22, 1, 2, 3, 30, 31]];

describe("round trips of a trained model are exact", () => {
  for (const tied of [true, false]) {
    it(`llama2.c v0 and v1 (${tied ? "tied" : "untied"} head): same weights, logits and greedy tokens; bytes re-export identically`, () => {
      const model = trainedModel({ tie_word_embeddings: tied });
      const ref = logits(model, IDS);
      const greedy = generate(model, [3, 4], { maxNewTokens: 12, temperature: 0 });
      for (const version of [0, 1] as const) {
        const bytes = serializeLlama2c(model, { version });
        const { header, config } = parseLlama2c(bytes);
        expect([header.version, header.sharedClassifier, header.nKvHeads]).toEqual([version, tied, 2]);
        expect(config).toEqual(model.config);
        const path = join(tmp(), `model-v${version}.bin`);
        saveLlama2c(model, path, { version });
        expect(Buffer.compare(readFileSync(path), bytes)).toBe(0);
        const reimported = loadLlama2c(path);
        const d = maxDiff(logits(reimported, IDS), ref);
        report.push(`trained ${tied ? "tied" : "untied"} → .bin v${version} → kiln: max |Δlogit| ${d}`);
        expect(d).toBe(0);
        expect(generate(reimported, [3, 4], { maxNewTokens: 12, temperature: 0 })).toEqual(greedy);
        expect(Buffer.compare(serializeLlama2c(reimported, { version }), bytes)).toBe(0);
      }
    });

    it(`HF directory (${tied ? "tied" : "untied"} head): same config, weights and logits`, () => {
      const model = trainedModel({ tie_word_embeddings: tied });
      const dir = tmp();
      saveHf(model, dir);
      const back = loadHf(dir);
      expect(back.config).toEqual(model.config);
      expect(Object.keys(back.stateDict()).includes("lm_head.weight")).toBe(!tied);
      const d = maxDiff(logits(back, IDS), logits(model, IDS));
      report.push(`trained ${tied ? "tied" : "untied"} → HF dir → kiln: max |Δlogit| ${d}`);
      expect(d).toBe(0);
    });
  }

  it("prints the measured differences with KILN_INTEROP_REPORT=1", () => {
    if (process.env.KILN_INTEROP_REPORT) console.log(report.join("\n"));
    expect(report.length).toBeGreaterThan(0);
  });
});
