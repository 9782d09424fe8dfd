/**
 * @file The fused-kernel WASM module (attention, SwiGLU gate, cross-entropy, RMSNorm, RoPE, add) and its runtime: it
 * shares the GEMM's heap (one shared `WebAssembly.Memory`), has its own worker pool serving the
 * `run(op, ...)` entry, and a staging area for operands that live outside the heap.
 */
import { WorkerPool } from "../threads/pool.js";
import { isInWasmMemory, wasmAllocF32, wasmFreeF32, wasmHeap, wasmSimdAvailable } from "./matmul-simd.js";
import { assemble, Func, type Local, type WasmMemory, type WasmModule, wasmApi } from "./assembler.js";
import { BC, microKernel, packCKernel, packTKernel, storeRowsKernel, zeroKernel } from "./attention-parts.js";
import { attentionBackwardKernel } from "./attention-bwd-simd.js";
import { attentionForwardKernel } from "./attention-fwd-simd.js";
import { addKernel } from "./add-simd.js";
import { crossEntropyKernel } from "./cross-entropy-simd.js";
import { rmsNormBackwardKernel, rmsNormForwardKernel, rmsNormWeightGradKernel } from "./rms-norm-simd.js";
import { ropeKernel } from "./rope-simd.js";
import { siluMulBackwardKernel, siluMulForwardKernel } from "./silu-mul-simd.js";

/** Operation codes of the `run` entry. */
export const OP = { attnFwd: 0, attnBwd: 1, siluFwd: 2, siluBwd: 3, ceFwd: 4, rmsFwd: 5, rmsBwd: 6, rmsDw: 7, ropeFwd: 8, addF32: 9 } as const;

/** Arguments of `run` after the op code (a task is padded with zeros to this many). */
export const RUN_ARGS = 7;

// The kernels `run` dispatches to, by op code, with their argument counts.
const ENTRIES: readonly [string, number][] = [["attnFwd", 4], ["attnBwd", 4], ["siluFwd", 4], ["siluBwd", 6], ["ceFwd", 7], ["rmsFwd", 7], ["rmsBwd", 7], ["rmsDw", 7], ["ropeFwd", 5], ["addF32", 4]];

const NAMES = ["micro1", "micro3", "micro5", "zero", "packT", "packC", "storeRows", ...ENTRIES.map(([n]) => n), "run"];

function id(name: string): number {
  const i = NAMES.indexOf(name);
  if (i < 0) throw new Error(`fused wasm: no function ${name}`);
  return i;
}

/** `run(op, a0, …, a6, workerScratch)`: the single entry the worker pool calls. */
function runKernel(): Func {
  const f = new Func("run", Array<"i32">(RUN_ARGS + 2).fill("i32"));
  const [op, ...a] = f.i32Params(RUN_ARGS + 2) as Local<"i32">[];
  const dispatch = (g: Func, k: number): void => {
    const [name, n] = ENTRIES[k]!;
    const call = (h: Func) => {
      for (let i = 0; i < n; i++) h.get(a[i]!);
      h.call(id(name));
    };
    if (k === ENTRIES.length - 1) call(g);
    else g.get(op!).i32(k).i32Eq().if(call, (h) => dispatch(h, k + 1));
  };
  dispatch(f, 0);
  return f;
}

/** Assembles the fused module (functions in `NAMES` order). */
export function fusedModuleBytes(): Uint8Array {
  const funcs = [
    microKernel("micro1", 4, 16), microKernel("micro3", BC * 4, 4), microKernel("micro5", 4, BC * 4),
    zeroKernel(), packTKernel(), packCKernel(), storeRowsKernel(),
    attentionForwardKernel(id), attentionBackwardKernel(id), siluMulForwardKernel(), siluMulBackwardKernel(), crossEntropyKernel(),
    rmsNormForwardKernel(), rmsNormBackwardKernel(), rmsNormWeightGradKernel(), ropeKernel(), addKernel(), runKernel(),
  ];
  funcs.forEach((fn, i) => {
    if (fn.name !== NAMES[i]) throw new Error(`fused wasm: function ${i} is ${fn.name}, expected ${NAMES[i]}`);
  });
  return assemble({ initial: 1, maximum: 65536, shared: true }, funcs);
}

interface Fused {
  memory: WasmMemory;
  module: WasmModule;
  run: (...args: number[]) => void;
  pool: WorkerPool | null;
  staging: Float32Array | null;
  f32: Float32Array;
  i32: Int32Array;
}

let fused: Fused | null | undefined;

function state(): Fused | null {
  if (fused !== undefined) return fused;
  try {
    if (wasmApi === undefined || !wasmSimdAvailable()) throw new Error("no WebAssembly SIMD");
    const { memory } = wasmHeap();
    const module = new wasmApi.Module(fusedModuleBytes());
    const run = new wasmApi.Instance(module, { env: { memory } }).exports["run"] as (...args: number[]) => void;
    fused = { memory, module, run, pool: null, staging: null, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer) };
  } catch {
    fused = null;
  }
  return fused;
}

/** Whether the fused WASM kernels can run here. */
export function fusedAvailable(): boolean {
  return state() !== null;
}

/** One operand of a call: an array and the element range [lo, hi) the kernel touches. */
export interface Operand {
  arr: Float32Array;
  lo: number;
  hi: number;
  /** Copy in before the call (inputs). */
  input: boolean;
  /** Copy out after the call (outputs). */
  output: boolean;
}

/** A prepared call: byte pointers of each operand (of element `lo`) and of `extraBytes` of scratch. */
export interface Prepared {
  ptrs: number[];
  extra: number;
  i32: Int32Array;
}

/**
 * Runs `body` with every operand addressable in the heap: arrays in the heap are used in place,
 * others are copied into the staging area (inputs before, outputs back after); `extraBytes` of
 * 64-byte-aligned scratch come first. `body` returns the tasks to run, each `[op, a0, …]`.
 */
export function callFused(operands: readonly Operand[], extraBytes: number, threads: number, body: (p: Prepared) => number[][]): void {
  const h = state();
  if (h === null) throw new Error("fused wasm: WebAssembly SIMD128 with shared memory is not available");
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const inHeap = operands.map((o) => isInWasmMemory(o.arr));
  let bytes = align(extraBytes);
  operands.forEach((o, i) => {
    if (!inHeap[i]) bytes += align((o.hi - o.lo) * 4);
  });
  if (h.staging === null || h.staging.byteLength < bytes) {
    if (h.staging !== null) wasmFreeF32(h.staging);
    h.staging = null;
    h.staging = wasmAllocF32(Math.ceil((bytes * 1.25) / 4));
  }
  if (h.f32.buffer.byteLength !== h.memory.buffer.byteLength) {
    h.f32 = new Float32Array(h.memory.buffer);
    h.i32 = new Int32Array(h.memory.buffer);
  }
  const extra = h.staging.byteOffset;
  let next = extra + align(extraBytes);
  const ptrs = operands.map((o, i) => {
    if (inHeap[i]) return o.arr.byteOffset + o.lo * 4;
    const ptr = next;
    next += align((o.hi - o.lo) * 4);
    if (o.input) h.f32.set(o.arr.subarray(o.lo, o.hi), ptr >> 2);
    return ptr;
  });
  const tasks = body({ ptrs, extra, i32: h.i32 });
  for (const t of tasks) while (t.length < RUN_ARGS + 1) t.push(0);
  if (tasks.length === 1 || threads <= 1) {
    for (const t of tasks) h.run(...t, 0);
  } else {
    pool(h, threads).run(tasks, (args) => h.run(...args, 0));
  }
  operands.forEach((o, i) => {
    if (!inHeap[i] && o.output) o.arr.set(h.f32.subarray(ptrs[i]! >> 2, (ptrs[i]! >> 2) + o.hi - o.lo), o.lo);
  });
}

// The fused pool grown to `threads` threads (its workers call `run`; task args carry their own scratch).
function pool(h: Fused, threads: number): WorkerPool {
  h.pool ??= new WorkerPool({ module: h.module, memory: h.memory, entry: "run", scratch: () => 0 });
  h.pool.grow(threads - 1);
  return h.pool;
}

/** How many parallel tasks to cut work into: `threads` capped by the pool's ready workers (+1). */
export function fusedParts(threads: number): number {
  const h = state();
  return h === null || threads <= 1 ? 1 : Math.min(threads, 1 + pool(h, threads).idle().length);
}

/** Starts the fused kernels' workers and waits until they are ready (benchmarks, tests). */
export function fusedThreadsReady(threads: number, timeoutMs = 10_000): boolean {
  const h = state();
  return h === null || threads <= 1 || pool(h, threads).waitReady(timeoutMs);
}

/** Runs a fused call; false (nothing written) when the wasm heap (2 GiB) cannot stage its operands, so the caller falls back to JS. */
export function tryFused(call: () => void): boolean {
  try {
    call();
    return true;
  } catch (err) {
    if (err instanceof RangeError && err.message.startsWith("wasm heap")) return false;
    throw err;
  }
}
