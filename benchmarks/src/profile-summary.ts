/**
 * @file Sums a V8 CPU profile of the training step by part of the step (GEMM, attention, each
 * fused kernel, the memory pool, GC, ...), so a profile reads as a per-kernel table. WASM
 * functions are named by their index in the runtime's one module (`FUNCTION_NAMES`). Make a profile with
 * `node --cpu-prof --cpu-prof-dir=prof --import tsx benchmarks/src/train-step.ts tiny --threads 1 --steps 60`,
 * then run `npx tsx benchmarks/src/profile-summary.ts prof/<file>.cpuprofile`.
 */
import { readFileSync } from "node:fs";
import { FUNCTION_NAMES } from "../../packages/tensor/src/kernels/wasm/module.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// parts of the step by wasm function name (the rest of the module is attention)
const WASM_PART: Record<string, string> = {
  micro: "GEMM micro-kernel", packA: "GEMM pack A", packB: "GEMM pack B", gemm: "GEMM driver",
  siluFwd: "SwiGLU gate forward", siluBwd: "SwiGLU gate backward", ceFwd: "cross-entropy", rmsFwd: "RMSNorm", rmsBwd: "RMSNorm", rmsDw: "RMSNorm",
  ropeFwd: "RoPE", addF32: "residual / gradient adds", geluFwd: "GELU", geluBwd: "GELU", lnFwd: "LayerNorm", lnBwd: "LayerNorm", lnDwb: "LayerNorm",
  embFwd: "embedding", embBwd: "embedding", adamw: "AdamW update", sumsq: "gradient clipping", run: "kernel dispatch",
};
const JS_PART: [RegExp, RegExp, string][] = [
  [/kernels\/cross-entropy\.ts/, /^crossEntropy(Forward|Backward)$/, "cross-entropy"],
  [/kernels\/rms-norm\.ts/, /^rmsNorm(Forward|Backward)$/, "RMSNorm"],
  [/kernels\/rope\.ts/, /^ropeForward$/, "RoPE"],
  [/^$/, /^(flat|strided)$/, "residual / gradient adds"],
  [/optim\/src\/kernels\.ts/, /./, "AdamW update"],
  [/kernels\/embedding\.ts/, /^embedding(Forward|Backward)$/, "embedding"],
  [/memory\/pool\.ts/, /./, "memory pool"],
  [/runtime\/(wasm|worker-pool)\.ts|kernels\/(matmul-wasm|wasm-host)\.ts/, /./, "kernel dispatch"],
];

function part(f: ProfileNode["callFrame"]): string {
  const wasm = /wasm-function\[(\d+)\]/.exec(f.functionName);
  if (wasm) return WASM_PART[FUNCTION_NAMES[Number(wasm[1])] ?? ""] ?? "attention";
  for (const [url, fn, label] of JS_PART) if (url.test(f.url) && fn.test(f.functionName)) return label;
  if (f.functionName === "(garbage collector)") return "garbage collector";
  if (f.functionName === "(idle)" || f.functionName === "(program)") return "idle (start-up, waits)";
  if (f.url === "" || /^node:|internal|loader|esm|cjs/.test(f.url)) return "Node / tsx start-up";
  return "other JS (autograd, ops, views)";
}

const file = process.argv[2];
if (file === undefined) throw new Error("usage: profile-summary.ts <file.cpuprofile>");
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const time = new Map<number, number>();
p.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const parts = new Map<string, number>();
let total = 0;
for (const n of p.nodes) {
  const t = time.get(n.id) ?? 0;
  total += t;
  const k = part(n.callFrame);
  parts.set(k, (parts.get(k) ?? 0) + t);
}
console.log(`| part of the step | share of CPU samples |\n|---|---:|`);
for (const [k, t] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`| ${k} | ${((100 * t) / total).toFixed(1)}% |`);
