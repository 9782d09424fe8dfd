/**
 * @file The one WebAssembly module of kiln's runtime: GEMM and every fused kernel (attention, SwiGLU
 * gate, cross-entropy, RMSNorm, LayerNorm, RoPE, add, GELU, embedding, AdamW, sum of squares) assembled together, behind a single entry
 * `run(op, a0, …, a11, scratch)` that the main thread and every worker call.
 */
import { assemble, type Callee, Func, link, type Local } from "./assembler.js";
import { addKernel } from "./add-simd.js";
import { BC, microKernel as attnMicro, packCKernel, packTKernel, storeRowsKernel, zeroKernel } from "./attention-parts.js";
import { attentionBackwardKernel } from "./attention-bwd-simd.js";
import { attentionForwardKernel } from "./attention-fwd-simd.js";
import { crossEntropyKernel } from "./cross-entropy-simd.js";
import { geluBackwardKernel, geluForwardKernel } from "./gelu-simd.js";
import { layerNormBackwardKernel, layerNormForwardKernel, layerNormParamGradKernel } from "./layer-norm-simd.js";
import { embeddingBackwardKernel, embeddingForwardKernel } from "./embedding-simd.js";
import { adamwKernel, sumSquaresKernel } from "./optim-simd.js";
import { gemmDriver, microKernel, packAKernel, packBKernel } from "./matmul-simd.js";
import { rmsNormBackwardKernel, rmsNormForwardKernel, rmsNormWeightGradKernel } from "./rms-norm-simd.js";
import { ropeKernel } from "./rope-simd.js";
import { siluMulBackwardKernel, siluMulForwardKernel } from "./silu-mul-simd.js";

/** Operation codes of the `run` entry. */
export const OP = { gemm: 0, attnFwd: 1, attnBwd: 2, siluFwd: 3, siluBwd: 4, ceFwd: 5, rmsFwd: 6, rmsBwd: 7, rmsDw: 8, ropeFwd: 9, addF32: 10, geluFwd: 11, geluBwd: 12, lnFwd: 13, lnBwd: 14, lnDwb: 15, embFwd: 16, embBwd: 17, adamw: 18, sumsq: 19 } as const;

/** Arguments of `run` between the op code and the scratch pointer (a task is padded with zeros to this many). */
export const RUN_ARGS = 12;

// What `run` dispatches to, in `OP` order: [function, argument count, takes the thread's scratch pointer].
const ENTRIES: readonly [string, number, boolean][] = [
  ["gemm", 12, true], ["attnFwd", 4, false], ["attnBwd", 4, false], ["siluFwd", 4, false], ["siluBwd", 6, false], ["ceFwd", 7, false],
  ["rmsFwd", 7, false], ["rmsBwd", 7, false], ["rmsDw", 7, false], ["ropeFwd", 5, false], ["addF32", 4, false], ["geluFwd", 3, false], ["geluBwd", 4, false],
  ["lnFwd", 9, false], ["lnBwd", 8, false], ["lnDwb", 9, false], ["embFwd", 5, false], ["embBwd", 9, false],
  ["adamw", 2, false], ["sumsq", 2, false],
];

/** Every function of the module, in index order (helpers first, then the entries, then `run`): profiles name wasm functions by index. */
export const FUNCTION_NAMES: readonly string[] = ["micro", "packA", "packB", "micro1", "micro3", "micro5", "zero", "packT", "packC", "storeRows", ...ENTRIES.map(([n]) => n), "run"];

/** `run(op, a0, …, a11, scratch)`: calls entry `op` with its leading arguments (and `scratch` if it takes one). */
function runKernel(entries: readonly Callee[]): Func {
  const f = new Func("run", Array<"i32">(RUN_ARGS + 2).fill("i32"));
  const [op, ...a] = f.i32Params(RUN_ARGS + 2) as Local<"i32">[];
  const scratch = a[RUN_ARGS]!;
  const dispatch = (g: Func, k: number): void => {
    const [, n, usesScratch] = ENTRIES[k]!;
    const call = (h: Func) => {
      for (let i = 0; i < n; i++) h.get(a[i]!);
      if (usesScratch) h.get(scratch);
      h.call(entries[k]!);
    };
    if (k === ENTRIES.length - 1) call(g);
    else g.get(op!).i32(k).i32Eq().if(call, (h) => dispatch(h, k + 1));
  };
  dispatch(f, 0);
  return f;
}

/** Assembles the runtime's module (functions in `FUNCTION_NAMES` order) importing a shared memory of at most `maxPages`. */
export function kernelModuleBytes(maxPages: number): Uint8Array {
  const helpers = {
    micro: microKernel(), packA: packAKernel(), packB: packBKernel(),
    micro1: attnMicro("micro1", 4, 16), micro3: attnMicro("micro3", BC * 4, 4), micro5: attnMicro("micro5", 4, BC * 4),
    zero: zeroKernel(), packT: packTKernel(), packC: packCKernel(), storeRows: storeRowsKernel(),
  };
  const lib = link(helpers);
  const entries: Func[] = [
    gemmDriver(lib), attentionForwardKernel(lib), attentionBackwardKernel(lib), siluMulForwardKernel(), siluMulBackwardKernel(), crossEntropyKernel(),
    rmsNormForwardKernel(), rmsNormBackwardKernel(), rmsNormWeightGradKernel(), ropeKernel(), addKernel(), geluForwardKernel(), geluBackwardKernel(),
    layerNormForwardKernel(), layerNormBackwardKernel(), layerNormParamGradKernel(), embeddingForwardKernel(), embeddingBackwardKernel(),
    adamwKernel(), sumSquaresKernel(),
  ];
  const first = Object.keys(helpers).length;
  const funcs: Func[] = [...Object.values(helpers), ...entries, runKernel(entries.map((func, i) => ({ index: first + i, func })))];
  funcs.forEach((fn, i) => {
    if (fn.name !== FUNCTION_NAMES[i]) throw new Error(`kernel module: function ${i} is ${fn.name}, expected ${FUNCTION_NAMES[i]}`);
  });
  return assemble({ initial: 1, maximum: maxPages, shared: true }, funcs);
}
