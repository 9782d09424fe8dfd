/**
 * @file The kiln training-step benchmark in js-pytorch: the closest model the library offers, a
 * GPT-style decoder of the same width, depth, heads and context (learned positions, LayerNorm,
 * ReLU MLP of 4·dim, untied head; it has no RMSNorm, RoPE or SwiGLU), cross-entropy and its Adam.
 * Usage: node benchmarks/peers/js-pytorch-step.mjs '{"vocab":512,...}' → one JSON line on stdout.
 */
import { torch } from "js-pytorch";

const cfg = JSON.parse(process.argv[2]);
const { vocab: V, dim: D, layers: L, heads: H, ctx: T, batch: B } = cfg;
const { nn } = torch;
const baseRss = process.memoryUsage().rss;

class Gpt extends nn.Module {
  constructor() {
    super();
    this.emb = new nn.Embedding(V, D);
    this.pos = new nn.PositionalEmbedding(T, D);
    this.blocks = Array.from({ length: L }, () => new nn.Block(D, D, H, T, 0));
    this.ln = new nn.LayerNorm(D);
    this.head = new nn.Linear(D, V);
  }

  forward(x) {
    let z = torch.add(this.emb.forward(x), this.pos.forward(x));
    for (const b of this.blocks) z = b.forward(z);
    return this.head.forward(this.ln.forward(z));
  }
}

const model = new Gpt();
const lossFn = new nn.CrossEntropyLoss();
const opt = new torch.optim.Adam(model.parameters(), 1e-3, 0);
const x = torch.randint(0, V, [B, T]);
const y = torch.randint(0, V, [B, T]);
const samples = [];
const start = performance.now();
for (let i = 0; i < cfg.warmup + cfg.steps; i++) {
  const t0 = performance.now();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
  opt.zero_grad();
  const dt = performance.now() - t0;
  if (i >= cfg.warmup) samples.push(dt);
  if (performance.now() - start > (cfg.budget_s ?? 60) * 1000 && samples.length >= 1) break;
}
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ samples_ms: samples, peak_rss: peak, base_rss: baseRss, note: "GPT-style stand-in (no RMSNorm/RoPE/SwiGLU in js-pytorch)" }));
