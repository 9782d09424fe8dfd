/**
 * @file Interop refusals: truncated or foreign llama2.c files, HF directories
 * with fields or tensors kiln does not implement, and models a format cannot
 * hold. Each error names the file and the field (or byte counts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Generator, saveSafetensors, zeros } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { Llama, configFromHf, loadHf, loadLlama2c, parseLlama2c, saveHf, serializeLlama2c, type LlamaConfigInput } from "../src/index.js";

const tmp = () => mkdtempSync(join(tmpdir(), "kiln-interop-err-"));
const base: LlamaConfigInput = { vocab_size: 16, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 24, max_position_embeddings: 8, rms_norm_eps: 1e-5, tie_word_embeddings: true };
const small = (extra: Partial<LlamaConfigInput> = {}) => new Llama({ ...base, ...extra }, { generator: new Generator(0) });

describe("llama2.c files", () => {
  const bytes = serializeLlama2c(small(), { version: 0 });
  const v1 = serializeLlama2c(small(), { version: 1 });

  it("names the file with expected and actual sizes when truncated or padded", () => {
    const path = join(tmp(), "cut.bin");
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    const fields = "dim=16 hidden_dim=24 n_layers=1 n_heads=2 n_kv_heads=1 vocab_size=16 seq_len=8";
    expect(() => loadLlama2c(path)).toThrow(`${path}: not a valid llama2.c checkpoint: expected ${bytes.length} bytes for a version 0 file with ${fields}, got ${bytes.length - 10} (truncated?)`);
    const padded = new Uint8Array(v1.length + 4);
    padded.set(v1);
    expect(() => parseLlama2c(padded, "p.bin")).toThrow(`p.bin: not a valid llama2.c checkpoint: expected ${v1.length} bytes for a version 1 file with ${fields} shared_classifier=1, got ${v1.length + 4} (trailing data?)`);
    expect(() => parseLlama2c(bytes.subarray(0, 12), "h.bin")).toThrow("h.bin: not a valid llama2.c checkpoint: only 12 bytes, fewer than the 28-byte header (truncated?)");
    expect(() => loadLlama2c(join(tmp(), "missing.bin"))).toThrow(/missing\.bin: cannot read llama2\.c checkpoint \(ENOENT\)/);
  });

  it("refuses quantized, unknown and nonsensical headers", () => {
    const q = v1.slice();
    new DataView(q.buffer).setInt32(4, 2, true);
    expect(() => parseLlama2c(q, "q.bin")).toThrow("q.bin: not a valid llama2.c checkpoint: version 2 (Q8_0 int8-quantized weights) is not supported");
    const text = new TextEncoder().encode("{\"hello\": \"this is JSON, not a checkpoint\"}");
    expect(() => parseLlama2c(text, "t.bin")).toThrow(/t\.bin: not a valid llama2\.c checkpoint: header field \w+ = -?\d+ is out of range/);
    const odd = bytes.slice();
    new DataView(odd.buffer).setInt32(16, 3, true); // n_kv_heads 3 does not divide n_heads 2
    expect(() => parseLlama2c(odd, "o.bin")).toThrow("o.bin: not a valid llama2.c checkpoint: n_heads 2 is not a multiple of n_kv_heads 3");
  });

  it("exports only what llama2.c readers compute", () => {
    expect(() => serializeLlama2c(small({ rms_norm_eps: 1e-6 }))).toThrow("llama2.c export: cannot write rms_norm_eps 0.000001 (llama2.c readers use 0.00001; pass { allowEpsMismatch: true } to export anyway)");
    expect(parseLlama2c(serializeLlama2c(small({ rms_norm_eps: 1e-6 }), { allowEpsMismatch: true })).config.rms_norm_eps).toBe(1e-5);
    expect(() => serializeLlama2c(small({ rope_theta: 500000 }))).toThrow("llama2.c export: cannot write rope_theta 500000 (llama2.c readers use 10000)");
    expect(() => serializeLlama2c(small({ norm: "layernorm" }))).toThrow('llama2.c export: cannot write norm "layernorm" (llama2.c has RMSNorm only)');
    expect(() => serializeLlama2c(small({ positions: "learned" }))).toThrow('llama2.c export: cannot write positions "learned" (llama2.c has RoPE only)');
  });

  it("takes config overrides on import (e.g. BOS/EOS, which the file does not store)", () => {
    expect(parseLlama2c(bytes, "x.bin", { bos_token_id: 1, eos_token_id: 2 }).config).toMatchObject({ bos_token_id: 1, eos_token_id: 2, tie_word_embeddings: true });
    expect(() => parseLlama2c(bytes, "x.bin", { eos_token_id: 99 })).toThrow("x.bin: LlamaConfig: eos_token_id 99 is out of range for vocab_size 16");
  });
});

describe("Hugging Face directories", () => {
  const write = (edit: (c: Record<string, unknown>) => void, tensors?: (dir: string) => void): string => {
    const dir = tmp();
    saveHf(small(), dir);
    const path = join(dir, "config.json");
    const c = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    edit(c);
    writeFileSync(path, JSON.stringify(c));
    tensors?.(dir);
    return dir;
  };

  it("names each unsupported config field", () => {
    const cases: [(c: Record<string, unknown>) => void, string][] = [
      [(c) => (c.rope_scaling = { type: "linear", factor: 2 }), 'rope_scaling.rope_type "linear" is not supported (kiln implements only "default" RoPE; got {"type":"linear","factor":2})'],
      [(c) => (c.rope_parameters = { rope_type: "llama3", rope_theta: 5e5, factor: 8 }), 'rope_parameters.rope_type "llama3" is not supported'],
      [(c) => (c.rope_parameters = { rope_type: "default", rope_theta: 5e5, partial_rotary_factor: 0.5 }), "rope_parameters.partial_rotary_factor is not supported"],
      [(c) => (c.rope_parameters = { rope_type: "default", rope_theta: 5e5 }), "rope_theta 10000 disagrees with rope_parameters.rope_theta 500000"],
      [(c) => (delete c.rope_theta, (c.rope_parameters = { rope_type: "default" })), "rope_parameters has no rope_theta"],
      [(c) => (c.dtype = 16), 'dtype 16 must be a dtype name such as "float32"'],
      [(c) => (c.attention_bias = true), "attention_bias true is not supported"],
      [(c) => (c.mlp_bias = true), "mlp_bias true is not supported"],
      [(c) => (c.hidden_act = "gelu"), 'hidden_act "gelu" is not supported'],
      [(c) => (c.model_type = "mistral"), 'model_type "mistral" is not supported'],
      [(c) => (c.head_dim = 4), "head_dim 4 is not supported (kiln's head dim is hidden_size / num_attention_heads = 8)"],
      [(c) => (c.eos_token_id = [2, 3]), "eos_token_id [2,3] is not supported (kiln's Llama has a single eos_token_id)"],
      [(c) => (c.sliding_window = 4096), 'unknown field "sliding_window"'],
      [(c) => delete c.intermediate_size, "intermediate_size is missing"],
    ];
    for (const [edit, message] of cases) {
      const dir = write(edit);
      expect(() => loadHf(dir), message).toThrow(`${join(dir, "config.json")}: `);
      expect(() => loadHf(dir), message).toThrow(message);
    }
  });

  it("reads transformers 5's layout: dtype and rope_parameters instead of torch_dtype and rope_theta", () => {
    const dir = write((c) => {
      for (const k of ["torch_dtype", "rope_theta", "rope_scaling"]) delete c[k];
      Object.assign(c, { dtype: "bfloat16", rope_parameters: { rope_theta: 50000.0, rope_type: "default" }, transformers_version: "5.18.0" });
    });
    expect(loadHf(dir).config.rope_theta).toBe(50000);
    const old = write((c) => Object.assign(c, { rope_theta: 500, rope_scaling: { rope_type: "default" } }));
    expect(loadHf(old).config.rope_theta).toBe(500);
  });

  it("accepts what transformers writes for the same model", () => {
    const dir = write((c) => Object.assign(c, { head_dim: 8, eos_token_id: [0], _name_or_path: "x", transformers_version: "4.46.0", torch_dtype: "bfloat16" }));
    expect(loadHf(dir).config.eos_token_id).toBe(0);
    expect(configFromHf({ ...JSON.parse(readFileSync(join(dir, "config.json"), "utf8")), kiln: { format: "kiln.checkpoint/1" } }).hidden_size).toBe(16);
  });

  it("reads sharded safetensors through model.safetensors.index.json", () => {
    const dir = write(() => {}, (d) => {
      const sd = small().stateDict();
      const names = Object.keys(sd);
      const shards = [names.slice(0, 3), names.slice(3)];
      const weightMap: Record<string, string> = {};
      shards.forEach((part, i) => {
        const file = `model-0000${i + 1}-of-00002.safetensors`;
        saveSafetensors(join(d, file), Object.fromEntries(part.map((n) => [n, sd[n]!])), { format: "pt" });
        for (const n of part) weightMap[n] = file;
      });
      writeFileSync(join(d, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
      rmSync(join(d, "model.safetensors"));
    });
    const a = small().stateDict();
    const b = loadHf(dir).stateDict();
    for (const k of Object.keys(a)) expect(Array.from(b[k]!.contiguous().data), k).toEqual(Array.from(a[k]!.contiguous().data));
    rmSync(join(dir, "model.safetensors.index.json"));
    expect(() => loadHf(dir)).toThrow(`${dir}: no model.safetensors`);
  });

  it("refuses bias tensors and mis-shaped or missing weights by name", () => {
    const withBias = write(() => {}, (dir) => {
      const path = join(dir, "model.safetensors");
      const model = small();
      const sd = { ...model.stateDict(), "model.layers.0.self_attn.q_proj.bias": zeros([16]) };
      saveSafetensors(path, sd, { format: "pt" });
    });
    expect(() => loadHf(withBias)).toThrow(`${join(withBias, "model.safetensors")}: tensor "model.layers.0.self_attn.q_proj.bias" is a bias; kiln's Llama has no biases (attention_bias / mlp_bias)`);
    const wider = write((c) => (c.intermediate_size = 32));
    expect(() => loadHf(wider)).toThrow('size mismatch for "model.layers.0.mlp.gate_proj.weight": checkpoint has [24, 16], the model has [32, 16]');
    const untied = write((c) => (c.tie_word_embeddings = false));
    expect(() => loadHf(untied)).toThrow('missing key(s): "lm_head.weight"');
    expect(() => loadHf(tmp())).toThrow(/config\.json: cannot read \(ENOENT\)/);
  });

  it("writes only architectures transformers can run", () => {
    expect(() => saveHf(small({ norm: "layernorm" }), tmp())).toThrow('saveHf: norm "layernorm" has no LlamaForCausalLM equivalent');
    expect(() => saveHf(small({ ffn: "gelu_mlp" }), tmp())).toThrow('saveHf: ffn "gelu_mlp" has no LlamaForCausalLM equivalent');
  });
});
