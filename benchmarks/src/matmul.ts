/**
 * @file GEMM benchmark: GFLOP/s of the JS and WASM SIMD kernels on 1 and N threads, with operands
 * in the wasm heap (zero-copy) and in ordinary Float32Arrays (copy-in/copy-out), plus the fixed
 * cost of waking the workers. Medians after warm-up (V8 tiers wasm up Liftoff → TurboFan).
 * Run: `npx tsx benchmarks/src/matmul.ts [--quick] [--step]` (`--step`: only the training step's shapes).
 */
// NOTE: kernels are not (yet) part of @kiln/tensor's public index, so this reaches into its src/.
import { getThreads } from "@kiln/tensor";
import { gemmJs } from "../../packages/tensor/src/kernels/matmul-js.js";
import { gemmWasm } from "../../packages/tensor/src/kernels/matmul-wasm.js";
import { heapAllocF32, heapFreeF32, wasmThreadsReady } from "../../packages/tensor/src/runtime/wasm.js";
import { STEP_CONFIGS } from "./step-configs.js";

const quick = process.argv.includes("--quick");
const threads = getThreads();
const BUDGET_MS = quick ? 100 : 400;

/**
 * Median milliseconds of each of `fns` after warm-up. Samples are taken round-robin so that load
 * from other processes hits every variant alike; sampling stops when the time budget is spent.
 */
function medians(fns: (() => void)[]): number[] {
  for (const fn of fns) for (let i = 0; i < 3; i++) fn();
  const samples: number[][] = fns.map(() => []);
  const end = performance.now() + BUDGET_MS * fns.length;
  do {
    fns.forEach((fn, i) => {
      const t = performance.now();
      fn();
      samples[i]!.push(performance.now() - t);
    });
  } while (samples[0]!.length < 5 || (performance.now() < end && samples[0]!.length < 200));
  return samples.map((x) => x.sort((p, q) => p - q)[x.length >> 1]!);
}

function random(out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = Math.random() * 2 - 1;
  return out;
}

interface Shape {
  label: string;
  M: number;
  K: number;
  N: number;
  transA?: boolean;
  transB?: boolean;
}

const shapes: Shape[] = [64, 128, 256, 512, 1024].map((n) => ({ label: `${n}³`, M: n, K: n, N: n }));
shapes.push(
  { label: "4096×256×768 (x·W)", M: 4096, K: 256, N: 768 },
  { label: "4096×768×256 (g·Wᵀ)", M: 4096, K: 768, N: 256, transB: true },
  { label: "256×4096×768 (xᵀ·g)", M: 256, K: 4096, N: 768, transA: true },
  { label: "2048×64×192 (x·W)", M: 2048, K: 64, N: 192 },
);
// The exact products of one training step of the tiny and small configs (Linear keeps W as [out, in]):
// forward y = x·Wᵀ, input gradient dx = g·W, weight gradient dW = gᵀ·x, for every distinct (in, out).
for (const name of ["tiny", "small"]) {
  const c = STEP_CONFIGS[name]!;
  const M = c.batch * c.ctx;
  const pairs = [[c.dim, c.dim], [c.dim, c.hidden], [c.hidden, c.dim], [c.dim, c.vocab]] as const;
  for (const [inF, outF] of pairs) {
    shapes.push(
      { label: `${name} ${M}×${inF}×${outF} (x·Wᵀ)`, M, K: inF, N: outF, transB: true },
      { label: `${name} ${M}×${outF}×${inF} (g·W)`, M, K: outF, N: inF },
      { label: `${name} ${outF}×${M}×${inF} (gᵀ·x)`, M: outF, K: M, N: inF, transA: true },
    );
  }
}
if (process.argv.includes("--step")) shapes.splice(0, shapes.findIndex((s) => s.label.startsWith("tiny")));

wasmThreadsReady(threads);
const cols = ["JS 1t", "WASM 1t", `WASM ${threads}t`, `WASM ${threads}t copy-in`, "copy in+out alone"];
console.log(`GEMM GFLOP/s (median), Node ${process.version}, ${threads} threads; C[M,N] = op(A)[M,K]·op(B)[K,N]\n`);
console.log(`| shape M×K×N | ${cols.join(" | ")} |`);
console.log(`|---|${cols.map(() => "---:").join("|")}|`);
for (const s of shapes) {
  const { M, K, N } = s;
  const opts = { transA: s.transA ?? false, transB: s.transB ?? false };
  const gf = (ms: number) => (2 * M * N * K) / ms / 1e6;
  const [ha, hb, hc] = [random(heapAllocF32(M * K)), random(heapAllocF32(K * N)), heapAllocF32(M * N)];
  const [a, b, c] = [ha.slice(), hb.slice(), new Float32Array(M * N)];
  const variants = [
    () => gemmWasm(hc, ha, 0, hb, 0, M, K, N, opts, 1),
    () => gemmWasm(hc, ha, 0, hb, 0, M, K, N, opts, threads),
    () => gemmWasm(c, a, 0, b, 0, M, K, N, opts, threads),
    () => {
      // what copy-in/copy-out adds, timed alone: A and B into the heap, C back out
      ha.set(a);
      hb.set(b);
      c.set(hc);
    },
  ];
  const [one, many, copied, copy] = medians(variants) as [number, number, number, number];
  const js = quick && M * N * K > 2 ** 27 ? NaN : medians([() => gemmJs(c, a, 0, b, 0, M, K, N, opts)])[0]!;
  const cells = [gf(js), gf(one), gf(many), gf(copied)].map((x) => (Number.isNaN(x) ? "–" : x.toFixed(1)));
  cells.push(`${(copy * 1000).toFixed(0)} µs = ${((copy / many) * 100).toFixed(0)}%`);
  console.log(`| ${s.label} | ${cells.join(" | ")} |`);
  [ha, hb, hc].forEach(heapFreeF32);
}

// The fixed price of a threaded call: a tiny GEMM on N threads minus the same on one thread.
const t = [heapAllocF32(32 * 32), heapAllocF32(32 * 32), heapAllocF32(32 * 32)] as const;
const [single, multi] = medians([
  () => gemmWasm(t[2], t[0], 0, t[1], 0, 32, 32, 32, {}, 1),
  () => gemmWasm(t[2], t[0], 0, t[1], 0, 32, 32, 32, {}, threads),
]) as [number, number];
console.log(`\nthread dispatch overhead (32³ on ${threads} threads vs 1): ${((multi - single) * 1000).toFixed(1)} µs per call`);
