/**
 * @file Fused-op benchmark: `scaledDotProductAttention` (causal, forward + backward) and `siluMul`
 * (forward + backward) on WASM SIMD and on the JS backend, each against the composite a user
 * would write with kiln's primitive ops; then GELU (the GELU-MLP ablation's activation, on WASM
 * SIMD) against fused siluMul, and the scalar erf it calls against erfReference. LLaMA-ish sizes; medians of round-robin samples (the
 * variants of one row alternate, so load from other processes hits them alike).
 * Run: `npx tsx benchmarks/src/fused.ts [--quick]`.
 */
import { Generator, memoryStats, ones, randn, scaledDotProductAttention, siluMul, type Tensor } from "@kiln/tensor";
// NOTE: the backend switch and thread count are not (yet) part of @kiln/tensor's public index.
import { getThreads, setBackend, setThreads } from "@kiln/tensor";
import { warmUpThreads } from "@kiln/tensor";
import { PoolSettling } from "./pool-settling.js";
import { erf, erfReference } from "../../packages/tensor/src/kernels/math.js";

const quick = process.argv.includes("--quick");
const BUDGET_MS = quick ? 1500 : 6000;
const MIN_SAMPLES = quick ? 5 : 9;
const threads = getThreads();

interface Variant {
  name: string;
  setup: () => void;
  fn: () => void;
}

/**
 * Median ms of each variant: warm-up, then round-robin samples until the budget is spent. As in
 * the training-step benchmark, warm-up goes on (up to 40 rounds) until the pool has run a whole
 * collection cycle without taking fresh memory: first touch of fresh pages (~12 µs per 4 KiB
 * here) would otherwise be timed — it made siluMul 2048×512 look 3× slower than it is.
 */
function medians(variants: Variant[]): number[] {
  const settling = new PoolSettling();
  for (let round = 0; round < 40 && (round < 2 || !settling.settled); round++) {
    const fresh = memoryStats().freshBytes;
    for (const v of variants) {
      v.setup();
      v.fn();
    }
    settling.record(memoryStats().freshBytes - fresh);
  }
  const samples: number[][] = variants.map(() => []);
  const end = performance.now() + BUDGET_MS;
  do {
    variants.forEach((v, i) => {
      v.setup();
      const t = performance.now();
      v.fn();
      samples[i]!.push(performance.now() - t);
    });
  } while (samples[0]!.length < MIN_SAMPLES || (performance.now() < end && samples[0]!.length < 100));
  setBackend("wasm");
  setThreads(threads);
  return samples.map((x) => x.sort((p, q) => p - q)[x.length >> 1]!);
}

const backend = (b: "wasm" | "js", n = threads) => () => {
  setBackend(b);
  setThreads(n);
};

/** Forward + backward of `fn` on fresh leaves (gradients reset). */
function step(leaves: Tensor[], fn: () => Tensor, up: Tensor): () => void {
  return () => {
    for (const l of leaves) l.grad = null;
    fn().backward(up);
  };
}

function attentionRow(B: number, H: number, Hkv: number, T: number, hs: number): void {
  const g = new Generator(1);
  const leaf = (heads: number) => randn([B, T, heads, hs], { generator: g }).requiresGrad_();
  const [q, k, v] = [leaf(H), leaf(Hkv), leaf(Hkv)];
  const up = randn([B, H, T, hs], { generator: g });
  const t = (x: Tensor) => x.transpose(1, 2); // (B, T, heads, hs) → (B, heads, T, hs) views, as nn.Attention
  const fused = step([q, k, v], () => scaledDotProductAttention(t(q), t(k), t(v), { causal: true }), up);
  const mask = ones([T, T], { dtype: "bool" }).triu(1);
  const rep = H / Hkv;
  const repeat = (x: Tensor) => (rep === 1 ? t(x) : t(x).unsqueeze(2).expand([B, Hkv, rep, T, hs]).reshape([B, H, T, hs]));
  const composite = step([q, k, v], () => {
    const s = t(q).matmul(repeat(k).transpose(2, 3)).mul(1 / Math.sqrt(hs)).maskedFill(mask, -Infinity);
    return s.softmax(-1).matmul(repeat(v));
  }, up);
  const variants: Variant[] = [
    { name: `fused WASM ${threads}t`, setup: backend("wasm"), fn: fused },
    { name: "fused WASM 1t", setup: backend("wasm", 1), fn: fused },
    { name: "fused JS", setup: backend("js"), fn: fused },
    { name: "composite (WASM matmul)", setup: backend("wasm"), fn: composite },
  ];
  const ms = medians(variants);
  // causal: QKᵀ and PV forward, five products of the same size backward → 3.5 × 2·B·H·T²·hs / 2
  const flops = 3.5 * B * H * T * T * hs;
  const cells = ms.map((m) => `${m.toFixed(1)} (${(flops / m / 1e6).toFixed(1)})`);
  console.log(`| B${B} H${H}/${Hkv} T${T} hs${hs} | ${cells.join(" | ")} | ${(ms[3]! / ms[0]!).toFixed(1)}× |`);
}

function siluMulRow(rows: number, hidden: number): void {
  const g = new Generator(2);
  const [a, b] = [randn([rows, hidden], { generator: g }).requiresGrad_(), randn([rows, hidden], { generator: g }).requiresGrad_()];
  const up = randn([rows, hidden], { generator: g });
  const fused = step([a, b], () => siluMul(a, b), up);
  const composite = step([a, b], () => a.silu().mul(b), up);
  const variants: Variant[] = [
    { name: `fused WASM ${threads}t`, setup: backend("wasm"), fn: fused },
    { name: "fused WASM 1t", setup: backend("wasm", 1), fn: fused },
    { name: "fused JS", setup: backend("js"), fn: fused },
    { name: "composite silu().mul()", setup: backend("wasm"), fn: composite },
  ];
  const ms = medians(variants);
  const n = rows * hidden;
  const cells = ms.map((m) => `${m.toFixed(2)} (${((m * 1e6) / n).toFixed(1)})`);
  console.log(`| ${rows}×${hidden} | ${cells.join(" | ")} | ${(ms[3]! / ms[0]!).toFixed(1)}× |`);
}

/** GELU MLP vs SwiGLU activation at equal parameters: gelu on (rows, 1.5·hidden) vs siluMul on two (rows, hidden). */
function activationRow(rows: number, hidden: number): void {
  const g = new Generator(3);
  const wide = Math.round(1.5 * hidden);
  const x = randn([rows, wide], { generator: g }).requiresGrad_();
  const [a, b] = [randn([rows, hidden], { generator: g }).requiresGrad_(), randn([rows, hidden], { generator: g }).requiresGrad_()];
  const [upWide, up] = [randn([rows, wide], { generator: g }), randn([rows, hidden], { generator: g })];
  const ms = medians([
    { name: "siluMul", setup: backend("wasm"), fn: step([a, b], () => siluMul(a, b), up) },
    { name: "gelu", setup: backend("wasm"), fn: step([x], () => x.gelu(), upWide) },
  ]);
  console.log(`| ${rows}×${hidden} vs ${rows}×${wide} | ${ms[0]!.toFixed(2)} | ${ms[1]!.toFixed(2)} | ${(ms[1]! / ms[0]!).toFixed(1)}× |`);
}

/** ns per scalar call of `f` over 1M arguments in [−4, 4]. */
function nsPerCall(f: (x: number) => number): number {
  const xs = Float64Array.from({ length: 1 << 20 }, (_, i) => ((i % 2000) - 1000) / 250);
  let sink = 0;
  const ms = medians([{ name: "", setup: () => {}, fn: () => { for (const x of xs) sink += f(x < 0 ? -x : x); } }])[0]!;
  if (sink === 0.5) console.log(); // keeps the loop observable
  return (ms * 1e6) / xs.length;
}

warmUpThreads();
console.log(`Fused ops, forward + backward, median ms; Node ${process.version}, ${threads} threads\n`);
console.log("scaledDotProductAttention, causal; cells: ms (GFLOP/s)\n");
console.log(`| shape | fused WASM ${threads}t | fused WASM 1t | fused JS | composite | composite / fused |`);
console.log("|---|---:|---:|---:|---:|---:|");
attentionRow(16, 4, 4, 128, 32);
attentionRow(4, 8, 2, 256, 64);
if (!quick) attentionRow(2, 8, 8, 512, 64);
console.log("\nsiluMul = silu(a)·b; cells: ms (ns per element)\n");
console.log(`| shape | fused WASM ${threads}t | fused WASM 1t | fused JS | composite | composite / fused |`);
console.log("|---|---:|---:|---:|---:|---:|");
siluMulRow(2048, 512);
siluMulRow(4096, 1376);
console.log("\nGELU MLP activation (gelu, WASM SIMD) vs SwiGLU's fused siluMul at equal parameters, forward + backward, median ms\n");
console.log("| shapes | siluMul | gelu | gelu / siluMul |");
console.log("|---|---:|---:|---:|");
activationRow(2048, 352);
const [fast, reference] = [nsPerCall(erf), nsPerCall(erfReference)];
console.log(`\nscalar erf: ${fast.toFixed(1)} ns/call (piecewise Chebyshev) vs erfReference ${reference.toFixed(1)} ns/call (series + continued fraction): ${(reference / fast).toFixed(1)}×`);
