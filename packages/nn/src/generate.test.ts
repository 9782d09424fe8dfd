/**
 * @file Generation: KV-cached greedy decoding emits exactly the tokens of full
 * recomputation, cached logits match recomputed ones within 1e-5, EOS stops,
 * and sampling (temperature, top-k, top-p) is correct and seeded; a batch of
 * ragged prompts decodes exactly as each prompt alone.
 */
import { Generator, noGrad, tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { Llama, generate, sampleNext, type LlamaConfigInput } from "./index.js";

const cfg: LlamaConfigInput = {
  vocab_size: 48, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 40, initializer_range: 0.2,
};
const prompt = [3, 17, 5, 9, 41];

describe("generate", () => {
  for (const positions of ["rope", "learned"] as const) {
    it(`greedy with the KV cache emits exactly the tokens of full recomputation (${positions})`, () => {
      const m = new Llama({ ...cfg, positions }, { generator: new Generator(1) });
      const cached = generate(m, prompt, { maxNewTokens: 20, temperature: 0 });
      expect(cached.slice(0, 5)).toEqual(prompt);
      expect(cached.length).toBe(25);
      expect(generate(m, prompt, { maxNewTokens: 20, temperature: 0, useCache: false })).toEqual(cached);
      expect(new Set(cached.slice(5)).size).toBeGreaterThan(1); // a non-degenerate continuation
    });
  }

  it("cached logits match recomputed logits within 1e-5 (float32)", () => {
    const m = new Llama(cfg, { generator: new Generator(2) }).eval();
    const seq = [...prompt, 7, 30, 2, 11, 0, 19];
    noGrad(() => {
      const full = m.forward(tensor([seq], { dtype: "int32" })).logits; // (1, 11, V)
      const cache = m.newKVCache(1, seq.length);
      const parts = [m.forward(tensor([prompt], { dtype: "int32" }), null, { cache }).logits];
      for (const id of seq.slice(5)) parts.push(m.forward(tensor([[id]], { dtype: "int32" }), null, { cache }).logits);
      expect(cache.length).toBe(seq.length);
      parts.reduce((at, p) => {
        expect(p).toBeAllclose(full.narrow(1, at, p.shape[1]!), { atol: 1e-5, rtol: 0 });
        return at + p.shape[1]!;
      }, 0);
    });
  });

  it("stops after EOS and restores training mode", () => {
    const m = new Llama(cfg, { generator: new Generator(1) });
    const first = generate(m, prompt, { maxNewTokens: 1, temperature: 0 })[5]!;
    expect(generate(m, prompt, { maxNewTokens: 10, temperature: 0, eosTokenId: first })).toEqual([...prompt, first]);
    expect(m.training).toBe(true);
    expect(generate(m, tensor(prompt, { dtype: "int32" }), { maxNewTokens: 0 })).toEqual(prompt);
  });

  it("slides the context past max_position_embeddings: each token sees the last 40, cached or not", () => {
    const m = new Llama(cfg, { generator: new Generator(1) });
    const long = generate(m, prompt, { maxNewTokens: 50, temperature: 0, eosTokenId: null }); // 55 tokens, context 40
    expect(long.length).toBe(55);
    expect(generate(m, prompt, { maxNewTokens: 50, temperature: 0, eosTokenId: null, useCache: false })).toEqual(long);
    expect(long.slice(0, 40)).toEqual(generate(m, prompt, { maxNewTokens: 35, temperature: 0, eosTokenId: null }));
    noGrad(() => {
      for (const at of [40, 47, 54]) { // token `at` is the argmax after the 40 tokens before it, at positions 0..39
        const logits = m.eval().forward(tensor([long.slice(at - 40, at)], { dtype: "int32" })).logits.select(0, 0).select(0, 39);
        expect(sampleNext(logits.to("float64").contiguous().data, { temperature: 0 })).toBe(long[at]);
      }
    });
    const tooLong = Array.from({ length: 45 }, (_, i) => (i * 7) % 48); // a prompt longer than the context is cropped too
    expect(generate(m, tooLong, { maxNewTokens: 3, temperature: 0, eosTokenId: null }).slice(45))
      .toEqual(generate(m, tooLong.slice(-40), { maxNewTokens: 3, temperature: 0, eosTokenId: null }).slice(40));
  });

  it("sampling is seeded: same generator, same tokens", () => {
    const m = new Llama(cfg, { generator: new Generator(3) });
    const run = (seed: number) => generate(m, prompt, { maxNewTokens: 12, temperature: 1.5, topK: 10, topP: 0.9, generator: new Generator(seed) });
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
  });

  it("sampleNext: greedy, temperature, top-k and top-p", () => {
    const logits = [0, Math.log(3), -1, -2];
    expect(sampleNext(logits, { temperature: 0 })).toBe(1);
    const g = new Generator(6);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleNext(logits, { topK: 2, generator: g })]!++;
    expect(Math.abs(counts[1]! / 4000 - 0.75)).toBeLessThan(0.03); // softmax over the top 2: 3/4 and 1/4
    expect(counts[2]! + counts[3]!).toBe(0);
    for (let i = 0; i < 200; i++) expect(sampleNext(logits, { topP: 0.5, generator: g })).toBe(1); // the top token alone reaches p
    expect(sampleNext([5, 5, 0], { temperature: 1e-3, generator: g })).toBeLessThan(2);
    expect(() => sampleNext(logits, { topK: 0 })).toThrow("generate: topK must be a positive integer, got 0");
    expect(() => sampleNext(logits, { topP: 0 })).toThrow("generate: topP must be in (0, 1], got 0");
  });
});

describe("generate on a batch (left-padded, one batched KV cache)", () => {
  const prompts = [[3, 17, 5, 9, 41], [8], [30, 2, 11], [3, 17, 5, 9, 41, 6, 6]];
  const greedy = { maxNewTokens: 12, temperature: 0, eosTokenId: null };
  for (const [positions, dtype] of [["rope", "float32"], ["rope", "float64"], ["learned", "float32"], ["none", "float32"]] as const) {
    it(`greedy output equals generating each prompt alone (${positions}, ${dtype})`, () => {
      const m = new Llama({ ...cfg, positions }, { generator: new Generator(1), dtype });
      const alone = prompts.map((p) => generate(m, p, greedy));
      expect(generate(m, prompts, greedy)).toEqual(alone);
      expect(new Set(alone.map((a) => a.slice(-12).join())).size).toBe(4); // four different continuations
    });
  }

  it("a padded sequence's logits match the sequence run alone within 1e-5 (float32)", () => {
    const m = new Llama(cfg, { generator: new Generator(2) }).eval();
    noGrad(() => {
      const cache = m.newKVCache(2, 8).padLeft([3, 0]);
      const batch = m.forward(tensor([[0, 0, 0, 5, 9], [1, 2, 3, 4, 5]], { dtype: "int32" }), null, { cache }).logits; // (2, 5, V)
      const step = m.forward(tensor([[7], [7]], { dtype: "int32" }), null, { cache }).logits; // (2, 1, V)
      const alone = m.forward(tensor([[5, 9, 7]], { dtype: "int32" })).logits; // (1, 3, V)
      expect(batch.narrow(0, 0, 1).narrow(1, 3, 2)).toBeAllclose(alone.narrow(1, 0, 2), { atol: 1e-5, rtol: 0 });
      expect(step.narrow(0, 0, 1)).toBeAllclose(alone.narrow(1, 2, 1), { atol: 1e-5, rtol: 0 });
      expect(batch.narrow(0, 1, 1)).toBeAllclose(m.forward(tensor([[1, 2, 3, 4, 5]], { dtype: "int32" })).logits, { atol: 1e-5, rtol: 0 });
    });
  });

  it("each sequence stops at its own EOS; the rest go on", () => {
    const m = new Llama(cfg, { generator: new Generator(1) });
    const eos = generate(m, prompts[1]!, greedy)[3]!; // the third token sequence 1 emits
    const opts = { ...greedy, eosTokenId: eos };
    const batch = generate(m, prompts, opts);
    expect(batch).toEqual(prompts.map((p) => generate(m, p, opts)));
    expect(batch[1]!.length).toBeLessThanOrEqual(4);
    expect(m.training).toBe(true);
  });

  it("sampling a batch is seeded", () => {
    const m = new Llama(cfg, { generator: new Generator(3) });
    const run = (seed: number) => generate(m, prompts, { maxNewTokens: 6, temperature: 1, generator: new Generator(seed) });
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
  });

  it("refuses what it cannot do, naming the limit", () => {
    const m = new Llama(cfg, { generator: new Generator(1) });
    expect(() => generate(m, [[1], []], greedy)).toThrow("generate: prompt 1 of the batch is empty; each must hold at least one token");
    expect(() => generate(m, prompts, { ...greedy, useCache: false })).toThrow("generate: a batch decodes with the KV cache; useCache: false is for one sequence");
    expect(() => generate(m, prompts, { ...greedy, maxNewTokens: 34 })).toThrow(
      "generate: a batch must fit the context: longest prompt 7 + maxNewTokens 34 > max_position_embeddings 40",
    );
    expect(() => m.newKVCache(2, 8).padLeft([1])).toThrow("KVCache: padLeft needs one non-negative integer per sequence (2), got [1]");
    const cache = m.newKVCache(2, 8).padLeft([2, 0]);
    noGrad(() => m.eval().forward(tensor([[1, 1, 4], [5, 6, 7]], { dtype: "int32" }), null, { cache }));
    expect(() => cache.padLeft([0, 0])).toThrow("KVCache: padLeft must come before the first step (reset() the cache first)");
    cache.reset();
    expect([cache.length, cache.starts, cache.layers[0]!.isRagged]).toEqual([0, [0, 0], false]);
  });
});
