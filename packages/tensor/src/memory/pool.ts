/**
 * @file Where tensor storage comes from. Fresh memory is expensive here (~12 µs per 4 KiB page on
 * first touch), so arrays of more than {@link SMALL_BYTES} come from a size-class pool: float32 from
 * the shared WebAssembly heap (the WASM kernels and workers use it without copies), other dtypes
 * from SharedArrayBuffers. Blocks go back when autograd frees a dead intermediate (`release`) or,
 * as a safety net, when the garbage collector finds an array dead (a FinalizationRegistry).
 * Smaller arrays are carved from shared slabs and left to the garbage collector.
 */
import { totalmem } from "node:os";
import v8 from "node:v8";
import vm from "node:vm";
import { ENV } from "../env.js";
import { BYTES_PER_ELEMENT, allocate, type DataTypeMap, type DType, type TypedArray } from "../dtype.js";
import { HeapFullError, heapAllocF32, sizeClass, wasmAvailable } from "../runtime/wasm.js";

/** Arrays of at most this many bytes are carved from slabs (no pool, no registry). */
export const SMALL_BYTES = 1024;
const SLAB_BYTES = 64 * 1024;

type Ctor<D extends DType> = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => DataTypeMap[D];
const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as unknown as { [D in DType]: Ctor<D> };

/** A pooled block: `mem` spans the whole size class (a wasm-heap view, or a SharedArrayBuffer). */
interface Block {
  mem: Float32Array | SharedArrayBuffer;
  bytes: number;
}

/** Counters of where storage came from (bytes unless named otherwise). */
export interface MemoryStats {
  /** Fresh pooled blocks taken from the OS or the wasm heap's untouched top. */
  freshBytes: number;
  /** Blocks served again from the pool. */
  reusedBytes: number;
  /** Arrays allocated outside the pool because it was at its budget (or the wasm heap was full). */
  unpooledBytes: number;
  /** Small arrays carved from slabs. */
  slabBytes: number;
  /** Pooled blocks currently handed out (live, or dead and not yet seen by the garbage collector). */
  liveBytes: number;
  /** Pooled blocks waiting in free lists. */
  freeBytes: number;
  /** Blocks returned by `release` (autograd) and by the finalization registry. */
  released: number;
  finalized: number;
  /** Garbage collections the pool ran, and the milliseconds they took. */
  collections: number;
  collectMs: number;
}

const stats: MemoryStats = { freshBytes: 0, reusedBytes: 0, unpooledBytes: 0, slabBytes: 0, liveBytes: 0, freeBytes: 0, released: 0, finalized: 0, collections: 0, collectMs: 0 };
const freeLists = new Map<number, Block[]>(); // key: bytes·2 + (1 for wasm-heap blocks)
const owner = new WeakMap<TypedArray, Block>();

/**
 * The collector: V8's `gc` and a FinalizationRegistry whose `cleanupSome` runs callbacks at once,
 * both from a private context (Node ≤ 22 has them behind flags that only affect new contexts).
 * Without them dead blocks come back when the event loop next turns, and the budget bounds the rest.
 */
interface Collector {
  gc: (() => void) | null;
  Registry: typeof FinalizationRegistry;
}

function makeCollector(): Collector {
  const fallback: Collector = { gc: null, Registry: FinalizationRegistry };
  if (!ENV.poolGc || !/^(1[0-2])\./.test(process.versions.v8)) return fallback;
  try {
    v8.setFlagsFromString("--expose-gc");
    v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
    const context = vm.createContext({});
    const gc = vm.runInContext("gc", context) as () => void;
    const Registry = vm.runInContext("FinalizationRegistry", context) as typeof FinalizationRegistry;
    return { gc, Registry: "cleanupSome" in Registry.prototype ? Registry : FinalizationRegistry };
  } catch {
    return fallback;
  }
}

// NOTE: made on first use, not at import: importing @kiln/tensor must not change V8's flags
let collector: Collector | null = null;
let registry: FinalizationRegistry<Block> | null = null;

function finalizer(): FinalizationRegistry<Block> {
  collector ??= makeCollector();
  return (registry ??= new collector.Registry<Block>((block) => {
    stats.finalized++;
    putBack(block);
  }));
}

/**
 * Bytes handed out since the last collection and not released (only the collector can return
 * those); a collection runs once they reach {@link collectionTrigger}. A forced collection costs
 * ~10–30 ms here however little it finds (`memoryStats().collectMs / collections` over a tiny
 * training run, JS heap ~13 MB), so the pool lets a few steps' garbage pile up between
 * collections: fewer, larger ones. Backward frees its gradients and a Llama's graph its activations
 * (`freeWithGraph`), so a Llama step leaves only its logits and the parameters' old gradients to
 * the collector (`benchmarks/src/train-step.ts tiny --threads 2 --steps 30`: 2 collections, 7 before).
 */
let handedOut = 0;

/** Default budget: a quarter of the machine's memory, at most 4 GiB (`KILN_POOL_MB` overrides). */
let budget = ENV.poolBytes ?? Math.min(totalmem() / 4, 4 * 2 ** 30);
let useWasm = ENV.wasmStorage;
const poison = ENV.poolPoison;
let slab: SharedArrayBuffer | null = null;
let slabTop = SLAB_BYTES;

function putBack(block: Block): void {
  stats.liveBytes -= block.bytes;
  stats.freeBytes += block.bytes;
  if (poison) (block.mem instanceof Float32Array ? block.mem : new Float32Array(block.mem)).fill(NaN);
  const key = block.bytes * 2 + (block.mem instanceof Float32Array ? 1 : 0);
  let list = freeLists.get(key);
  if (list === undefined) freeLists.set(key, (list = []));
  list.push(block);
}

// Drops free SharedArrayBuffer blocks (the GC returns them to the OS) until `need` more bytes fit the budget.
function makeRoom(need: number): boolean {
  for (const [key, list] of freeLists) {
    if (stats.liveBytes + stats.freeBytes + need <= budget) break;
    if (key % 2 === 1) continue; // wasm-heap blocks cannot go back to the OS
    stats.freeBytes -= (key / 2) * list.length;
    freeLists.delete(key);
  }
  return stats.liveBytes + stats.freeBytes + need <= budget;
}

function fresh(dtype: DType, bytes: number, cls: number, zero: boolean): Block | null {
  if (!makeRoom(cls)) return null;
  if (dtype === "float32" && useWasm) {
    try {
      if (wasmAvailable()) {
        const mem = heapAllocF32(cls / 4);
        if (zero) mem.fill(0, 0, Math.ceil(bytes / 4)); // NOTE: the heap may hand back a block another kernel freed
        return { mem, bytes: cls };
      }
    } catch (err) {
      if (!(err instanceof HeapFullError)) throw err;
    }
    useWasm = false; // full (2 GiB) or missing: float32 joins the other dtypes
  }
  return { mem: new SharedArrayBuffer(cls), bytes: cls };
}

function carve<D extends DType>(dtype: D, size: number, bytes: number): DataTypeMap[D] {
  const aligned = Math.ceil(bytes / 8) * 8;
  if (slabTop + aligned > SLAB_BYTES) {
    slab = new SharedArrayBuffer(SLAB_BYTES);
    slabTop = 0;
  }
  const arr = new CTORS[dtype](slab!, slabTop, size);
  slabTop += aligned;
  stats.slabBytes += aligned;
  return arr;
}

/**
 * A typed array of `size` elements over shared memory, zero-filled when `zero` (else its contents
 * are unspecified: use it only for outputs a kernel overwrites completely).
 */
export function acquire<D extends DType>(dtype: D, size: number, zero = true): DataTypeMap[D] {
  const bytes = size * BYTES_PER_ELEMENT[dtype];
  if (bytes <= SMALL_BYTES) return carve(dtype, size, bytes);
  const cls = sizeClass(bytes);
  const wasm = dtype === "float32" && useWasm;
  const key = cls * 2 + (wasm ? 1 : 0);
  let block = freeLists.get(key)?.pop();
  if (block === undefined && handedOut >= collectionTrigger() && collect()) block = freeLists.get(key)?.pop();
  handedOut += cls;
  if (block !== undefined) {
    stats.freeBytes -= cls;
    stats.reusedBytes += cls;
  } else {
    block = fresh(dtype, bytes, cls, zero) ?? undefined;
    if (block === undefined) {
      stats.unpooledBytes += bytes;
      return allocate(dtype, size);
    }
    stats.freshBytes += cls;
    zero = false;
  }
  stats.liveBytes += cls;
  const mem = block.mem;
  const arr = mem instanceof Float32Array ? new CTORS[dtype](mem.buffer, mem.byteOffset, size) : new CTORS[dtype](mem, 0, size);
  if (zero) arr.fill(0);
  owner.set(arr, block);
  finalizer().register(arr, block, arr);
  return arr;
}

/**
 * Returns `arr` (from {@link acquire}) to the pool at once. The caller must know that nothing
 * reads or writes it any more: autograd calls this for intermediates only it could reach.
 * Arrays from slabs or from outside the pool are left alone. Returns whether the block was pooled.
 */
export function release(arr: TypedArray): boolean {
  const block = owner.get(arr);
  if (block === undefined) return false;
  owner.delete(arr);
  finalizer().unregister(arr);
  stats.released++;
  handedOut = Math.max(0, handedOut - block.bytes); // back without the collector's help
  putBack(block);
  return true;
}

/**
 * Unreleased bytes that trigger a collection: 128 MiB, at most a quarter of the budget (at least
 * 64 MiB) — that much dead memory at most waits for the collector. (Waiting for twice the surviving
 * bytes let a medium Llama's logits and old gradients pile up for ~13 steps: peak RSS 573 → 828 MiB
 * in benchmarks/results/bench-2026-12-04-15-18.)
 */
function collectionTrigger(): number {
  return Math.min(128 * 2 ** 20, Math.max(budget / 4, 64 * 2 ** 20));
}

/**
 * Runs a full garbage collection and returns dead blocks to the free lists now (when the engine
 * allows), so a training step reuses the last step's activations instead of touching fresh pages.
 * Returns false where the engine offers no collector. @internal (exported for tests)
 */
export function collect(): boolean {
  const reg = finalizer();
  if (collector!.gc === null) return false;
  const t = performance.now();
  collector!.gc();
  (reg as unknown as { cleanupSome?: () => void }).cleanupSome?.();
  stats.collections++;
  stats.collectMs += performance.now() - t;
  handedOut = 0;
  return true;
}

/** A snapshot of the tensor memory pool's counters (cumulative bytes and counts since start-up). */
export function memoryStats(): MemoryStats {
  return { ...stats };
}

/**
 * Sets the pool's budget in bytes (live + free blocks; default a quarter of RAM, at most 4 GiB, or
 * `KILN_POOL_MB`); beyond it arrays are ordinary garbage-collected buffers. Returns the previous budget.
 */
export function setPoolBudget(bytes: number): number {
  if (!(bytes >= 0)) throw new RangeError(`setPoolBudget: expected a non-negative byte count, got ${bytes}`);
  const previous = budget;
  budget = bytes;
  makeRoom(0);
  return previous;
}
