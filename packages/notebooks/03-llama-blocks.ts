/**
 * @file Lesson 3 — the LLaMA blocks: RMSNorm against LayerNorm, the SwiGLU
 * feed-forward, and rotary position embeddings, whose attention scores depend
 * only on the distance between two tokens (shown numerically).
 * Run: `npx tsx packages/notebooks/03-llama-blocks.ts`.
 */
import { GeluMLP, LayerNorm, RMSNorm, SwiGLU, TransformerBlock, llamaConfig, swigluHiddenSize } from "@kiln/nn";
import { Generator, linspace, noGrad, randn, rope, rotaryTables, type Tensor } from "@kiln/tensor";
import { plotSvg } from "@kiln/lab";
import { asciiChart } from "./lib/ascii-chart.js";
import { byMode, lesson, maxAbsDiff, seconds, timed } from "./lib/notebook.js";

const L = lesson("03-llama-blocks", "Lesson 3 · The LLaMA blocks: RMSNorm, SwiGLU, RoPE");
const gen = new Generator(0);

// LLaMA (Touvron et al. 2023) is GPT-2's decoder with three parts swapped:
// RMSNorm for LayerNorm, SwiGLU for the GELU MLP, rotary embeddings for
// learned absolute positions. Each is small; this lesson takes them apart.

L.cell("LayerNorm vs RMSNorm");
// LayerNorm: (x − mean(x)) / √(var(x) + eps) · w + b     — re-centres and re-scales.
// RMSNorm:   x / √(mean(x²) + eps) · w                    — only re-scales (Zhang & Sennrich 2019).
const d = 8;
const x = randn([d], { generator: gen }).add(3); // a vector with a large mean
const ln = new LayerNorm(d);
const rms = new RMSNorm(d);
const stats = (t: Tensor) => `mean ${t.mean().item().toFixed(4)}, rms ${t.square().mean().sqrt().item().toFixed(4)}`;
noGrad(() => {
  console.log(`x:          ${stats(x)}`);
  console.log(`LayerNorm:  ${stats(ln.forward(x))}   ← mean 0, variance 1`);
  console.log(`RMSNorm:    ${stats(rms.forward(x))}   ← rms 1, the mean survives`);
  // RMSNorm is nothing but this one line (the module's weight starts at ones):
  const byHand = x.div(x.square().mean().add(1e-6).sqrt());
  console.log(`RMSNorm vs x / √(mean(x²) + eps): max |diff| = ${maxAbsDiff(rms.forward(x).data, byHand.data).toExponential(1)}`);
  // Invariances: both ignore the scale of x; only LayerNorm ignores a shift.
  const diff = (m: { forward(t: Tensor): Tensor }, t: Tensor) => maxAbsDiff(m.forward(x).data, m.forward(t).data).toExponential(1);
  // (the small non-zero changes come from eps inside the square root)
  console.log(`scale x by 10 → LayerNorm changes by ${diff(ln, x.mul(10))}, RMSNorm by ${diff(rms, x.mul(10))}`);
  console.log(`shift x by +5 → LayerNorm changes by ${diff(ln, x.add(5))}, RMSNorm by ${diff(rms, x.add(5))}`);
});
// LLaMA drops the centring because it is not needed: the RMSNorm paper trains as well
// without it, and one reduction and no bias remain. (kiln fuses both norms into one pass,
// so the time saved is small here; in unfused code it is a whole extra pass over x.)
const acts = randn([byMode({ fast: 256, default: 2048 }), 256], { generator: gen });
const lnBig = new LayerNorm(256);
const rmsBig = new RMSNorm(256);
const reps = byMode({ fast: 3, default: 20 });
const bench = (m: { forward(t: Tensor): Tensor }) => {
  noGrad(() => m.forward(acts)); // warm up
  return timed(() => noGrad(() => { for (let r = 0; r < reps; r++) m.forward(acts); })).ms / reps;
};
const [tLn, tRms] = [bench(lnBig), bench(rmsBig)];
console.log(`on [${acts.shape.join(", ")}]: LayerNorm ${seconds(tLn)}, RMSNorm ${seconds(tRms)} per call (LayerNorm takes ${(tLn / tRms).toFixed(2)}× RMSNorm's time)`);

L.cell("SwiGLU: a gated feed-forward");
// SiLU(x) = x·σ(x) is a smooth ReLU that dips below zero; SwiGLU multiplies it by a second
// linear "gate" path: FFN(x) = w2(SiLU(w1 x) ⊙ w3 x) (Shazeer 2020).
const grid = linspace(-5, 3, byMode({ fast: 81, default: 161 }));
const curve = (t: Tensor) => zip(grid, t);
const silu = curve(grid.silu());
console.log(asciiChart([{ name: "SiLU", points: silu }, { name: "ReLU", points: curve(grid.relu()) }, { name: "GELU", points: curve(grid.gelu()) }], { xLabel: "x", height: 12 }));
const dip = silu.reduce((m, p) => (p[1] < m[1] ? p : m));
console.log(`SiLU's minimum on the grid: ${dip[1].toFixed(4)} at x = ${dip[0].toFixed(2)} (it is non-monotonic, unlike ReLU)`);
L.write("activations.svg", plotSvg({ title: "SiLU, ReLU and GELU", x: { label: "x" }, y: { label: "f(x)" }, series: [{ name: "SiLU", points: silu }, { name: "ReLU", points: curve(grid.relu()) }, { name: "GELU", points: curve(grid.gelu()), dash: "6 4" }] }));
// Three matrices instead of two, so LLaMA shrinks the hidden width to 2/3·4d (rounded up to a
// multiple) to keep the parameter count of a 4d GELU MLP. Meta's rule gives 11008 for d = 4096:
console.log(`swigluHiddenSize(4096) = ${swigluHiddenSize(4096)}; swigluHiddenSize(256, 32) = ${swigluHiddenSize(256, 32)}`);
const dm = 256;
const swiglu = new SwiGLU(dm, swigluHiddenSize(dm, 32), { generator: gen });
const gelu = new GeluMLP(dm, 4 * dm, { generator: gen });
console.log(`parameters at d = ${dm}: SwiGLU ${swiglu.numParameters().toLocaleString("en-US")} vs GELU MLP ${gelu.numParameters().toLocaleString("en-US")} (ratio ${(swiglu.numParameters() / gelu.numParameters()).toFixed(3)})`);
noGrad(() => {
  const h = randn([4, dm], { generator: gen });
  const byHand = swiglu.w2.forward(h.matmul(swiglu.w1.weight.t()).silu().mul(h.matmul(swiglu.w3.weight.t())));
  console.log(`SwiGLU module vs w2(silu(w1 x) ⊙ w3 x) written out: max |diff| = ${maxAbsDiff(swiglu.forward(h).data, byHand.data).toExponential(1)}`);
});

L.cell("RoPE: rotate q and k by their positions");
// Each head vector is split into pairs (i, i + hs/2); pair i is rotated by the angle pos·θ_i,
// θ_i = 10000^(−2i/hs): fast rotations for the first pairs, slow ones for the last (Su et al. 2021).
// A rotation keeps length, and the dot product of two rotated vectors depends only on the
// *difference* of their angles — so q·k depends on the distance m − n, not on m and n.
const hs = 32;
const P = 4096;
const { cos, sin } = rotaryTables(hs, P, 10000, "float64");
const q = randn([1, 1, 1, hs], { dtype: "float64", generator: gen }); // (B, T, nh, hs)
const k = randn([1, 1, 1, hs], { dtype: "float64", generator: gen });
const at = (v: Tensor, pos: number) => rope(v, cos, sin, pos); // v placed at position `pos`
const dot = (a: Tensor, b: Tensor) => a.mul(b).sum().item();
console.log(`|q| = ${norm(q).toFixed(6)}, |rope(q, 1234)| = ${norm(at(q, 1234)).toFixed(6)}`);
const gap = 5;
const pairs = [[gap, 0], [12, 12 - gap], [300, 300 - gap], [4000, 4000 - gap]] as const;
// For contrast, absolute positions added to the vectors (like GPT-2's learned table):
const table = randn([P, hs], { dtype: "float64", generator: gen }).mul(0.5);
const add = (v: Tensor, pos: number) => v.reshape([hs]).add(table.select(0, pos));
console.log("   m     n   m−n   q·k with RoPE   q·k with added absolute positions");
const ropeDots: number[] = [];
const absDots: number[] = [];
for (const [m, n] of pairs) {
  ropeDots.push(dot(at(q, m), at(k, n)));
  absDots.push(dot(add(q, m), add(k, n)));
  console.log(`${String(m).padStart(4)}  ${String(n).padStart(4)}  ${String(m - n).padStart(4)}   ${ropeDots.at(-1)!.toFixed(10).padStart(14)}   ${absDots.at(-1)!.toFixed(4).padStart(10)}`);
}
const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
console.log(`spread over the ${pairs.length} pairs at distance ${gap}: RoPE ${spread(ropeDots).toExponential(1)}, absolute ${spread(absDots).toFixed(3)}`);
// A sweep over many random (m, n) at every distance, in float32 as the model runs it:
const q32 = q.to("float32");
const k32 = k.to("float32");
const t32 = rotaryTables(hs, P, 10000);
let worst = 0;
const trials = byMode({ fast: 20, default: 200 });
for (let t = 0; t < trials; t++) {
  const delta = Math.floor(gen.random() * 64);
  const m = delta + Math.floor(gen.random() * (P - delta));
  const shifted = dot(rope(q32, t32.cos, t32.sin, m), rope(k32, t32.cos, t32.sin, m - delta));
  const origin = dot(rope(q32, t32.cos, t32.sin, delta), rope(k32, t32.cos, t32.sin, 0));
  worst = Math.max(worst, Math.abs(shifted - origin));
}
console.log(`${trials} random shifts in float32: q·k at (m, m−Δ) vs (Δ, 0) differ by at most ${worst.toExponential(1)}`);

L.cell("RoPE's long-range decay");
// With q = k = all ones, q·k at distance Δ is Σᵢ 2·cos(Δ·θᵢ): large for near tokens, oscillating
// around a smaller level far away — a mild built-in preference for nearby context.
const ones = randn([1, 1, 1, hs], { dtype: "float64", generator: gen }).mul(0).add(1);
const maxDist = byMode({ fast: 256, default: 1024 });
const decay = Array.from({ length: maxDist / 4 }, (_, i) => [4 * i, dot(at(ones, 4 * i), at(ones, 0))] as [number, number]);
console.log(asciiChart([{ name: "q·k at distance Δ (q = k = 1)", points: decay }], { xLabel: "distance Δ", height: 10 }));
const farMean = decay.slice(decay.length / 2).reduce((s, p) => s + Math.abs(p[1]), 0) / (decay.length / 2);
console.log(`q·k = ${decay[0]![1].toFixed(1)} at Δ = 0; mean |q·k| over Δ ∈ [${maxDist / 2}, ${maxDist}) = ${farMean.toFixed(2)}`);
L.write("rope-decay.svg", plotSvg({ title: "RoPE: q·k against distance (q = k = 1)", x: { label: "distance Δ" }, y: { label: "q·k" }, series: [{ name: "q·k", points: decay }] }));

L.cell("Putting it together: one block");
// h = x + Attention(RMSNorm(x)) (with RoPE inside), out = h + SwiGLU(RMSNorm(h)).
const cfg = llamaConfig({ vocab_size: 256, hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 4, max_position_embeddings: 16 });
const block = new TransformerBlock(cfg, { generator: gen });
console.log(`${block}`);
console.log(`${block.numParameters().toLocaleString("en-US")} parameters; intermediate_size ${cfg.intermediate_size} = swigluHiddenSize(${cfg.hidden_size}, ${cfg.multiple_of})`);

L.done();

function zip(xs: Tensor, ys: Tensor): [number, number][] {
  const [a, b] = [xs.toArray() as number[], ys.toArray() as number[]];
  return a.map((v, i) => [v, b[i]!]);
}

function norm(t: Tensor): number {
  return t.square().sum().sqrt().item();
}
