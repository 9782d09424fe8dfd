import { Llama } from "@kiln/nn";
import { AdamW } from "@kiln/optim";
import { Generator, randint } from "@kiln/tensor";
import * as pool from "../../packages/tensor/src/memory/pool.js";
const model = new Llama({ vocab_size: 512, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, max_position_embeddings: 128, tie_word_embeddings: true }, { generator: new Generator(0) });
const opt = new AdamW(model.parameters(), { lr: 1e-3, betas: [0.9, 0.95], weightDecay: 0.1 });
const g = new Generator(1);
const x = randint(0, 512, [16, 128], { generator: g });
const y = randint(0, 512, [16, 128], { generator: g });
for (let i = 0; i < 30; i++) {
  const b = pool.memoryStats();
  const { loss } = model.forward(x, y);
  loss!.backward(); opt.step(); opt.zeroGrad();
  const a = pool.memoryStats();
  console.log(i, "heapMB", (process.memoryUsage().heapUsed/1e6).toFixed(0), "fresh", a.freshBytes - b.freshBytes, "unpooled", a.unpooledBytes - b.unpooledBytes, "slab", a.slabBytes - b.slabBytes, "live", a.liveBytes, "free", a.freeBytes, "coll", a.collections, a.collectMs.toFixed(0), "fin", a.finalized, "rel", a.released);
  await new Promise((r) => setImmediate(r));
}
for (let k = 0; k < 5; k++) { const t = performance.now(); pool.collect(); const c = process.cpuUsage(); console.log("collect ms", (performance.now() - t).toFixed(1)); }
