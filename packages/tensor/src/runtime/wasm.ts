/**
 * @file kiln's one WebAssembly runtime: one shared `WebAssembly.Memory` (the heap float32 tensor
 * storage lives in), its allocator, the one compiled module holding GEMM and every fused kernel
 * (`kernels/wasm/module.ts`), a staging area for operands that live outside the heap, and one
 * worker pool whose workers call the module's `run` entry. Storage and every WASM kernel use it.
 */
import { kernelModuleBytes, RUN_ARGS } from "../kernels/wasm/module.js";
import { SCRATCH_BYTES } from "../kernels/wasm/matmul-simd.js";
import { type WasmMemory, type WasmModule, wasmApi } from "../kernels/wasm/assembler.js";
import { WorkerPool } from "./worker-pool.js";
import { MAX_TASKS } from "./worker-source.js";

const PAGE = 65536;
/** Upper bound of the shared memory: 2 GiB keeps every byte offset a non-negative i32. */
const MAX_PAGES = 32768;

/** Thrown when the wasm heap (2 GiB) cannot hold an allocation; callers fall back to JS or to ordinary buffers. */
export class HeapFullError extends RangeError {
  constructor(
    /** The bytes asked for. */
    readonly bytes: number,
    /** The heap's size when it failed. */
    readonly heapBytes: number,
  ) {
    super(`wasm heap: cannot allocate ${bytes} bytes (heap is ${heapBytes} of ${MAX_PAGES * PAGE} bytes)`);
    this.name = "HeapFullError";
  }
}

/** Allocation size classes: multiples of 64 bytes up to 1 KiB, then four classes per power of two (≤ 25% waste). */
export function sizeClass(bytes: number): number {
  if (bytes <= 1024) return Math.max(64, Math.ceil(bytes / 64) * 64);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / step) * step;
}

interface Runtime {
  memory: WasmMemory;
  run: (...args: number[]) => void;
  module: WasmModule;
  /** Every SharedArrayBuffer the memory has had (each grow makes a new one). */
  buffers: WeakSet<ArrayBufferLike>;
  f32: Float32Array;
  i32: Int32Array;
  top: number;
  free: Map<number, number[]>;
  /** GEMM scratch of each thread (0: the main thread). */
  scratch: number[];
  staging: number;
  stagingBytes: number;
  pool: WorkerPool | null;
}

let rt: Runtime | null | undefined;

function state(): Runtime | null {
  if (rt !== undefined) return rt;
  try {
    if (wasmApi === undefined) throw new Error("no WebAssembly");
    const module = new wasmApi.Module(kernelModuleBytes(MAX_PAGES));
    const memory = new wasmApi.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const run = new wasmApi.Instance(module, { env: { memory } }).exports["run"] as (...args: number[]) => void;
    const buffers = new WeakSet<ArrayBufferLike>([memory.buffer]);
    rt = {
      memory, run, module, buffers, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer),
      top: 64, free: new Map(), scratch: [], staging: 0, stagingBytes: 0, pool: null,
    };
  } catch {
    rt = null; // no SIMD128 or no shared memory in this engine: every caller falls back to JS
  }
  return rt;
}

function need(): Runtime {
  const r = state();
  if (r === null) throw new Error("wasm runtime: WebAssembly SIMD128 with shared memory is not available");
  return r;
}

function allocBytes(r: Runtime, bytes: number): number {
  const cls = sizeClass(bytes);
  const reused = r.free.get(cls)?.pop();
  if (reused !== undefined) return reused;
  const ptr = r.top;
  const have = r.memory.buffer.byteLength;
  if (ptr + cls > have) {
    const current = have / PAGE;
    const pages = Math.ceil((ptr + cls - have) / PAGE);
    if (current + pages > MAX_PAGES) throw new HeapFullError(cls, have);
    try {
      r.memory.grow(Math.min(MAX_PAGES - current, Math.max(pages, current >> 3)));
    } catch {
      throw new HeapFullError(cls, have); // the engine refused to grow (address space, or a lower limit)
    }
    r.buffers.add(r.memory.buffer);
    r.f32 = new Float32Array(r.memory.buffer);
    r.i32 = new Int32Array(r.memory.buffer);
  }
  r.top = ptr + cls;
  return ptr;
}

function freeBytes(r: Runtime, ptr: number, bytes: number): void {
  const cls = sizeClass(bytes);
  let list = r.free.get(cls);
  if (list === undefined) r.free.set(cls, (list = []));
  list.push(ptr);
}

function scratchFor(r: Runtime, thread: number): number {
  return (r.scratch[thread] ??= allocBytes(r, SCRATCH_BYTES));
}

/** Whether WebAssembly SIMD128 with shared memory works here (the WASM kernels can run). */
export function wasmAvailable(): boolean {
  return state() !== null;
}

/** Whether `arr` is a view of the wasm heap, so kernels read and write it without copies. */
export function isInHeap(arr: ArrayBufferView): boolean {
  const r = state();
  return r !== null && r.buffers.has(arr.buffer);
}

/** A Float32Array of `length` inside the wasm heap, 64-byte aligned; a reused block keeps old contents. Throws {@link HeapFullError}. */
export function heapAllocF32(length: number): Float32Array {
  const r = need();
  const ptr = allocBytes(r, Math.max(4, length * 4));
  return new Float32Array(r.memory.buffer, ptr, length);
}

/** Returns an array from {@link heapAllocF32} to the heap; the caller must drop every view of it. */
export function heapFreeF32(arr: Float32Array): void {
  const r = state();
  if (r === null || !r.buffers.has(arr.buffer)) throw new Error("heapFreeF32: array is not in the wasm heap");
  freeBytes(r, arr.byteOffset, Math.max(4, arr.byteLength));
}

// Long-lived arrays go back to the heap's free lists when the garbage collector finds them dead.
const longLived = new FinalizationRegistry<[number, number]>(([ptr, bytes]) => {
  if (rt) freeBytes(rt, ptr, bytes);
});

/**
 * A zero-filled Float32Array of `length` for long-lived state (optimizer moments): in the wasm heap,
 * so the WASM kernels use it in place, but outside the tensor pool (it does not count toward the
 * pool's collection trigger), returned to the heap when garbage collected. An ordinary
 * Float32Array where the heap is unavailable or full.
 */
export function persistentFloat32(length: number): Float32Array {
  if (state() === null) return new Float32Array(length);
  try {
    const arr = heapAllocF32(length).fill(0);
    longLived.register(arr, [arr.byteOffset, Math.max(4, arr.byteLength)]);
    return arr;
  } catch (err) {
    if (err instanceof HeapFullError) return new Float32Array(length);
    throw err;
  }
}

/** The heap's current size in bytes (tests, diagnostics). */
export function heapBytes(): number {
  return need().memory.buffer.byteLength;
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

const align64 = (n: number) => Math.ceil(n / 64) * 64;

// The staging area, at least `bytes` long (it only grows).
function staging(r: Runtime, bytes: number): number {
  if (bytes > r.stagingBytes) {
    if (r.stagingBytes > 0) freeBytes(r, r.staging, r.stagingBytes);
    r.stagingBytes = 0;
    r.staging = allocBytes(r, sizeClass(bytes));
    r.stagingBytes = sizeClass(bytes);
  }
  return r.staging;
}

/**
 * Runs tasks of the module's `run` entry with every operand addressable in the heap: arrays in
 * the heap are used in place, others are copied into the staging area (inputs before, outputs
 * back after); `extraBytes` of 64-byte-aligned scratch come first. `body` returns the tasks, each
 * `[op, a0, …]`. `parts` is the task count the caller cut its work into ({@link wasmParts}, which
 * is 1 for one thread): above 1 this thread and the pool's workers take the tasks in turn, else
 * all run here.
 * Throws {@link HeapFullError} (nothing written) when staging does not fit.
 */
export function callWasm(operands: readonly Operand[], extraBytes: number, parts: number, body: (p: Prepared) => number[][]): void {
  const r = need();
  const inHeap = operands.map((o) => r.buffers.has(o.arr.buffer));
  let bytes = align64(extraBytes);
  operands.forEach((o, i) => {
    if (!inHeap[i]) bytes += align64((o.hi - o.lo) * 4);
  });
  const local = scratchFor(r, 0);
  const extra = bytes > 0 ? staging(r, bytes) : 0;
  let next = extra + align64(extraBytes);
  const ptrs = operands.map((o, i) => {
    if (inHeap[i]) return o.arr.byteOffset + o.lo * 4;
    const ptr = next;
    next += align64((o.hi - o.lo) * 4);
    if (o.input) r.f32.set(o.arr.subarray(o.lo, o.hi), ptr >> 2);
    return ptr;
  });
  const tasks = body({ ptrs, extra, i32: r.i32 });
  for (const t of tasks) while (t.length < RUN_ARGS + 1) t.push(0);
  if (tasks.length === 1 || parts <= 1 || r.pool === null) {
    for (const t of tasks) r.run(...t, local);
  } else {
    r.pool.run(tasks, (args) => r.run(...args, local));
  }
  operands.forEach((o, i) => {
    if (!inHeap[i] && o.output) o.arr.set(r.f32.subarray(ptrs[i]! >> 2, (ptrs[i]! >> 2) + o.hi - o.lo), o.lo);
  });
}

// The pool grown to `threads` threads; each worker gets its own GEMM scratch.
function pool(r: Runtime, threads: number): WorkerPool {
  r.pool ??= new WorkerPool({ module: r.module, memory: r.memory, entry: "run", scratch: (t) => scratchFor(r, t) });
  r.pool.grow(threads - 1);
  return r.pool;
}

/**
 * Tasks per thread a kernel cuts its work into: threads take tasks in turn, so one the OS runs
 * late (descheduled for a millisecond is common on a shared machine) takes fewer instead of
 * holding the others up (on the tiny training step, 2 threads, 86% of the main thread's waiting
 * came from the few calls — p90 wait 21 µs, p99 1.3 ms — where it waited over 0.2 ms). 2 measured
 * best on the tiny step (1, 2 and 4 per thread, interleaved in one process: 2 was best or within
 * 1% in each run; 4 was up to 7% slower).
 */
export const TASKS_PER_THREAD = 2;

/** How many threads can take part in a call: `threads` capped by the pool's ready workers (+1). Starts the workers. */
export function wasmThreads(threads: number): number {
  const r = state();
  return r === null || threads <= 1 ? 1 : Math.min(threads, 1 + pool(r, threads).ready().length);
}

/** How many independent tasks to cut a kernel's work into when `t` threads take part ({@link TASKS_PER_THREAD} each, at most the pool's 256 a job; 1 for one thread). */
export function partsFor(t: number): number {
  return t <= 1 ? 1 : Math.min(t * TASKS_PER_THREAD, MAX_TASKS);
}

/** {@link partsFor} the threads that can take part of `threads` ({@link wasmThreads}). */
export function wasmParts(threads: number): number {
  return partsFor(wasmThreads(threads));
}

/** @internal Jobs the worker pool has been given so far (0 before it exists): tests check a 1-thread call posts none. */
export function poolJobs(): number {
  return rt?.pool?.jobs ?? 0;
}

/** Starts the workers for `threads` threads and waits until they are ready (benchmarks, tests). */
export function wasmThreadsReady(threads: number, timeoutMs = 10_000): boolean {
  const r = state();
  return r === null || threads <= 1 || pool(r, threads).waitReady(timeoutMs);
}

/** Runs a WASM call; false (nothing written) when the heap is full, so the caller falls back to JS. */
export function tryWasm(call: () => void): boolean {
  try {
    call();
    return true;
  } catch (err) {
    if (err instanceof HeapFullError) return false;
    throw err;
  }
}
