/**
 * @file After warm-up a training step takes no fresh memory: once the pool has run one whole
 * collection cycle without growing, 100 more steps of a small LLaMA take nothing new from the OS
 * or the wasm heap (`memoryStats().freshBytes` stays put). Counts bytes, not time.
 */
import { Llama } from "@kiln/nn";
import { AdamW } from "@kiln/optim";
import { Generator, memoryStats, randint, setPoolBudget } from "@kiln/tensor";
import { describe, expect, it } from "vitest";

describe("memory pool in a training loop", () => {
  it("takes no fresh memory over 100 steps after warm-up", () => {
    setPoolBudget(256 * 2 ** 20); // collections every 64 MiB handed out (a quarter of the budget)
    const model = new Llama(
      { vocab_size: 128, hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 4, max_position_embeddings: 32, tie_word_embeddings: true },
      { generator: new Generator(0) },
    );
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const g = new Generator(1);
    const x = randint(0, 128, [4, 32], { generator: g });
    const y = randint(0, 128, [4, 32], { generator: g });
    const step = () => {
      model.forward(x, y).loss!.backward();
      opt.step();
      opt.zeroGrad();
    };
    // warm up until a collection cycle passes without fresh memory (the pool reached its working size)
    let [cycles, clean, cycleFresh, warm] = [memoryStats().collections, false, 0, 0];
    while (!clean && warm++ < 2000) {
      const before = memoryStats().freshBytes;
      step();
      const after = memoryStats();
      if (after.collections !== cycles) {
        clean = cycleFresh === 0 && warm > 1 && cycles > 0;
        [cycles, cycleFresh] = [after.collections, 0];
      }
      cycleFresh += after.freshBytes - before;
    }
    expect(clean).toBe(true);
    const start = memoryStats();
    for (let i = 0; i < 100; i++) step();
    const end = memoryStats();
    expect(end.freshBytes - start.freshBytes).toBe(0);
    expect(end.reusedBytes).toBeGreaterThan(start.reusedBytes); // the steps did use pooled blocks
  });
});
