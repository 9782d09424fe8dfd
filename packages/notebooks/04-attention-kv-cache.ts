/**
 * @file Lesson 4 — causal self-attention written out by hand and checked
 * against the fused op, why scores are scaled by 1/√hs, causality as a
 * testable property, and the KV cache that makes generation linear per token.
 * Run: `npx tsx packages/notebooks/04-attention-kv-cache.ts`.
 */
import { Llama, generate } from "@kiln/nn";
import { Generator, noGrad, ones, randn, scaledDotProductAttention, tensor, type Tensor } from "@kiln/tensor";
import { plotSvg } from "@kiln/lab";
import { asciiChart } from "./lib/ascii-chart.js";
import { byMode, lesson, maxAbsDiff, seconds, timed } from "./lib/notebook.js";

const L = lesson("04-attention-kv-cache", "Lesson 4 · Causal attention and the KV cache");
const gen = new Generator(0);

// Attention lets each token read from the others: it forms a query q, compares it with
// every key k (dot products), turns the scores into weights with a softmax, and takes
// the weighted average of the values v. "Causal" means token t may only read tokens ≤ t,
// which is what makes next-token prediction honest.

L.cell("One head, by hand");
const [T, hs] = [6, 8];
const q = randn([T, hs], { generator: gen });
const k = randn([T, hs], { generator: gen });
const v = randn([T, hs], { generator: gen });
const scores = q.matmul(k.t()).div(Math.sqrt(hs)); // (T, T): scores[i][j] = q_i · k_j / √hs
const future = ones([T, T]).triu(1).gt(0); // true above the diagonal: j > i
const weights = scores.maskedFill(future, -Infinity).softmax(-1); // e^(−∞) = 0: no weight on the future
console.log(`attention weights (row i = how much token i reads from each token j):\n${weights}`);
const rowSums = weights.sum(1).toArray() as number[];
const aboveDiag = weights.mul(future.to("float32")).abs().sum().item();
console.log(`every row sums to 1 (largest error ${maxAbsDiff(rowSums, rowSums.map(() => 1)).toExponential(1)}); total weight above the diagonal: ${aboveDiag}`);
const out = weights.matmul(v); // (T, hs)

L.cell("The fused op gives the same answer");
// kiln's scaledDotProductAttention takes (B, heads, T, hs) and never builds the T×T matrix
// (it keeps one logsumexp per row and recomputes probabilities in backward, FlashAttention-style).
const fused = scaledDotProductAttention(q.reshape([1, 1, T, hs]), k.reshape([1, 1, T, hs]), v.reshape([1, 1, T, hs]), { causal: true });
console.log(`max |by hand − fused| = ${maxAbsDiff(out.data, fused.contiguous().data).toExponential(1)}`);

L.cell("Why divide by √hs");
// For random q, k with unit-variance entries, q·k is a sum of hs products: its variance is hs.
// Unscaled, wide heads give huge scores and a softmax that is almost one-hot (tiny gradients).
console.log("   hs   std(q·k)   std(q·k/√hs)   mean max-weight unscaled   scaled");
for (const h of [16, 64, 256]) {
  const [a, b] = [randn([64, h], { generator: gen }), randn([64, h], { generator: gen })];
  const raw = a.matmul(b.t());
  const stdRaw = Math.sqrt(raw.var().item());
  const stdScaled = Math.sqrt(raw.div(Math.sqrt(h)).var().item());
  const peak = (s: Tensor) => s.softmax(-1).max(1).mean().item();
  console.log(`${String(h).padStart(5)}   ${stdRaw.toFixed(2).padStart(8)}   ${stdScaled.toFixed(3).padStart(12)}   ${peak(raw).toFixed(3).padStart(24)}   ${peak(raw.div(Math.sqrt(h))).toFixed(3)}`);
}

L.cell("Causality, tested");
// Change the last token's key and value: the outputs of tokens 0 … T−2 must not move.
const k2 = k.clone();
const v2 = v.clone();
k2.select(0, T - 1).fill_(9);
v2.select(0, T - 1).fill_(-9);
const att = (kk: Tensor, vv: Tensor) => scaledDotProductAttention(q.reshape([1, 1, T, hs]), kk.reshape([1, 1, T, hs]), vv.reshape([1, 1, T, hs]), { causal: true }).reshape([T, hs]);
const [o1, o2] = [att(k, v), att(k2, v2)];
const early = maxAbsDiff(o1.slice(0, 0, T - 1).contiguous().data, o2.slice(0, 0, T - 1).contiguous().data);
const last = maxAbsDiff(o1.select(0, T - 1).contiguous().data, o2.select(0, T - 1).contiguous().data);
console.log(`after changing token ${T - 1}: outputs 0…${T - 2} moved by ${early}, output ${T - 1} moved by ${last.toFixed(3)}`);

L.cell("The KV cache: same logits, one token at a time");
// Generating token t+1 needs attention over tokens 0…t. Their keys and values never change
// (causality again), so a KV cache stores them and each new step computes only the new token.
const maxLen = byMode({ fast: 64, default: 256 });
const model = new Llama({ vocab_size: 256, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: maxLen }, { generator: new Generator(1) });
model.eval();
console.log(model.summary(maxLen));
const seq = Array.from({ length: 24 }, () => Math.floor(gen.random() * 256));
noGrad(() => {
  const full = model.forward(tensor([seq], { dtype: "int32" })).logits; // (1, 24, 256)
  const cache = model.newKVCache();
  let worst = 0;
  for (let t = 0; t < seq.length; t++) {
    const step = model.forward(tensor([[seq[t]!]], { dtype: "int32" }), null, { cache }).logits; // (1, 1, 256)
    worst = Math.max(worst, maxAbsDiff(step.contiguous().data, full.select(1, t).contiguous().data));
  }
  console.log(`24 cached single-token steps vs one full forward: max |logit difference| = ${worst.toExponential(1)} (cache holds ${cache.length} positions)`);
});

L.cell("What the cache buys: time per generated token");
// Without a cache, step t re-runs the whole prefix (cost grows with t; total ~T²).
// With it, step t runs one token against t cached keys (nearly flat per step).
const steps = maxLen - 8;
const prompt = seq.slice(0, 8);
const perToken = (useCache: boolean): [number, number][] => noGrad(() => {
  const ids = [...prompt];
  const cache = useCache ? model.newKVCache() : null;
  const times: [number, number][] = [];
  if (cache) model.forward(tensor([ids], { dtype: "int32" }), null, { cache });
  for (let s = 0; s < steps - 1; s++) {
    const { value: logits, ms } = timed(() => {
      const input = cache ? [ids[ids.length - 1]!] : ids;
      return model.forward(tensor([input], { dtype: "int32" }), null, { cache }).logits;
    });
    const row = logits.select(1, logits.shape[1]! - 1).contiguous().data;
    let best = 0;
    for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
    ids.push(best);
    times.push([ids.length, ms]);
  }
  return times;
});
perToken(true); // warm-up: let V8 compile the hot loops before timing
const [cached, recomputed] = [perToken(true), perToken(false)];
const smooth = (pts: [number, number][]) => pts.map(([x], i) => [x, median(pts.slice(Math.max(0, i - 4), i + 5).map((p) => p[1]))] as [number, number]);
console.log(asciiChart([{ name: "recompute the prefix", points: smooth(recomputed) }, { name: "KV cache", points: smooth(cached) }], { xLabel: "sequence length", yLabel: "ms per new token", height: 12 }));
const tail = (pts: [number, number][]) => median(pts.slice(-16).map((p) => p[1]));
const total = (pts: [number, number][]) => pts.reduce((s, p) => s + p[1], 0);
console.log(`near length ${maxLen}: ${tail(recomputed).toFixed(2)} ms/token recomputing vs ${tail(cached).toFixed(2)} ms/token cached (${(tail(recomputed) / tail(cached)).toFixed(1)}×)`);
console.log(`whole generation of ${steps - 1} tokens: ${seconds(total(recomputed))} vs ${seconds(total(cached))}`);
L.write("kv-cache.svg", plotSvg({ title: "Time per generated token", x: { label: "sequence length" }, y: { label: "ms per new token" }, series: [{ name: "recompute", points: smooth(recomputed) }, { name: "KV cache", points: smooth(cached) }] }));
// `generate` uses the cache by default; greedy decoding must give the same tokens either way.
const a = generate(model, prompt, { maxNewTokens: 16, temperature: 0, useCache: true });
const b = generate(model, prompt, { maxNewTokens: 16, temperature: 0, useCache: false });
console.log(`generate(..., greedy) with and without the cache agree on all ${a.length} tokens: ${a.length === b.length && a.every((t, i) => t === b[i])}`);

L.cell("What the cache costs: memory");
// Per token the cache holds k and v for every layer: 2 · layers · kv_heads · head_dim numbers.
// Grouped-query attention (fewer kv heads than query heads) shrinks it by heads / kv_heads.
const cacheBytes = (layers: number, kvHeads: number, headDim: number, tokens: number, bytes: number) => 2 * layers * kvHeads * headDim * tokens * bytes;
const c = model.config;
console.log(`this model: ${(cacheBytes(c.num_hidden_layers, c.num_key_value_heads, c.hidden_size / c.num_attention_heads, maxLen, 4) / 1024).toFixed(0)} KiB for ${maxLen} tokens in float32`);
console.log(`LLaMA-2 7B (32 layers, 32 kv heads × 128) at 4096 tokens in fp16: ${(cacheBytes(32, 32, 128, 4096, 2) / 2 ** 30).toFixed(2)} GiB per sequence`);
console.log(`LLaMA-2 70B (80 layers, GQA: 8 kv heads × 128) at 4096 tokens in fp16: ${(cacheBytes(80, 8, 128, 4096, 2) / 2 ** 30).toFixed(2)} GiB — 64 query heads share 8 kv heads`);

L.done();

function median(xs: number[]): number {
  const s = [...xs].sort((p, r) => p - r);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
