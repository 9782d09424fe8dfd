/**
 * @file Parity with PyTorch: each `fixtures/llama-<variant>.safetensors`
 * (written by `scripts/make_llama_fixtures.py`) holds a tiny LLaMA's
 * HF-named weights, a batch, and torch's logits, loss and every parameter
 * gradient. kiln loads the weights through `loadStateDict` (HF names), runs
 * forward + backward, and must match within 1e-4 relative error in float32
 * (1e-6 in float64). Relative error of a tensor = max|kiln − torch| / max|torch|.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadSafetensors, type FloatDType, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { Llama, llamaConfig, toHfName } from "../src/index.js";

const dir = join(import.meta.dirname, "fixtures");
const files = readdirSync(dir).filter((f) => /^llama-.*\.safetensors$/.test(f)).sort();

/** max|a − b| / max|b|, both read as float64. */
function relError(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.contiguous().to("float64").data;
  const y = b.contiguous().to("float64").data;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return diff / scale;
}

function run(file: string, dtype: FloatDType): { logits: number; loss: number; grads: number; worst: string } {
  const { tensors, metadata } = loadSafetensors(join(dir, file));
  const model = new Llama(llamaConfig(JSON.parse(metadata.config!)), { dtype });
  const weights = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith("model.") || k === "lm_head.weight"));
  model.loadStateDict(weights); // strict: every HF name must map onto a kiln parameter and back
  const { logits, loss } = model.forward(tensors.input_ids!, tensors.labels!);
  loss!.backward();
  let grads = 0;
  let worst = "";
  for (const [name, p] of model.namedParameters()) {
    const ref = tensors[`grad.${toHfName(name)}`];
    expect(ref, `no torch gradient for ${toHfName(name)}`).toBeDefined();
    const e = relError(p.grad!, ref!);
    if (e >= grads) [grads, worst] = [e, toHfName(name)];
  }
  const nGrads = Object.keys(tensors).filter((k) => k.startsWith("grad.")).length;
  expect(model.namedParameters().length).toBe(nGrads);
  return { logits: relError(logits, tensors.logits!), loss: relError(loss!.reshape([1]), tensors.loss!), grads, worst };
}

describe("Llama matches PyTorch (logits, loss, every parameter gradient)", () => {
  const report: string[] = [];
  for (const file of files) {
    for (const [dtype, tol] of [["float32", 1e-4], ["float64", 1e-6]] as const) {
      it(`${file} in ${dtype}`, () => {
        const r = run(file, dtype);
        report.push(`${file.padEnd(28)} ${dtype}  logits ${r.logits.toExponential(1)}  loss ${r.loss.toExponential(1)}  grads ${r.grads.toExponential(1)} (${r.worst})`);
        expect(r.logits).toBeLessThan(tol);
        expect(r.loss).toBeLessThan(tol);
        expect(r.grads, `worst gradient: ${r.worst}`).toBeLessThan(tol);
      });
    }
  }
  it("covers the base model and every ablation", () => {
    expect(files.length).toBe(6);
    if (process.env.KILN_PARITY_REPORT) console.log(report.join("\n"));
  });
});
