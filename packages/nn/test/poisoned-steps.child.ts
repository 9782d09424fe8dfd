/**
 * @file Child of freed-activations.test.ts: a few training steps of a small Llama, printing each
 * step's loss and the sum of its logits read after backward and the optimizer step, as JSON. Run
 * with KILN_POOL_POISON=1 every block returned to the pool is filled with NaN first, so anything
 * still reading a freed activation turns these numbers into NaN.
 */
import { AdamW } from "@kiln/optim";
import { Generator, randint } from "@kiln/tensor";
import { Llama } from "../src/index.js";

const model = new Llama(
  { vocab_size: 97, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, max_position_embeddings: 32, tie_word_embeddings: true },
  { generator: new Generator(3) },
);
const opt = new AdamW(model.parameters(), { lr: 1e-2 });
const g = new Generator(4);
const out: number[][] = [];
for (let step = 0; step < 4; step++) {
  const x = randint(0, 97, [4, 32], { generator: g });
  const y = randint(0, 97, [4, 32], { generator: g });
  const { logits, loss } = model.forward(x, y);
  loss!.backward();
  opt.step();
  opt.zeroGrad();
  out.push([loss!.item(), logits.sum().item()]);
}
console.log(JSON.stringify(out));
