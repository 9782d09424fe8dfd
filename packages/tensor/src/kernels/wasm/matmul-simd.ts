/**
 * @file WebAssembly SIMD128 float32 GEMM emitted at run time: packed A/B panels and cache blocking
 * after Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (BLIS), with a
 * 4×8 register tile (8 f32x4 accumulators + 2 B vectors + 1 broadcast fit V8's 16 xmm registers).
 */
import { checkGemmArgs, type GemmOptions } from "../matmul-js.js";
import { WorkerPool } from "../threads/pool.js";
import { assemble, Func, type Local, type WasmMemory, type WasmModule, wasmApi } from "./assembler.js";

/** Register tile: MR rows of A × NR columns of B (NR = two f32x4 vectors). */
export const MR = 4;
/** Register tile width in floats. */
export const NR = 8;
/** Cache blocks: KC × NR panel of B in L1, MC × KC block of A in L2, KC × NC block of B in L3. */
export const BLOCKS = Object.freeze({ MC: 128, KC: 256, NC: 1024 });

type I32 = Local<"i32">;

// min(x, y) of two i32 locals/values pushed by callbacks.
function min(f: Func, x: (f: Func) => void, y: (f: Func) => void): Func {
  x(f);
  y(f);
  x(f);
  y(f);
  return f.i32LtS().select();
}

/** `micro(kc, ap, bp, c, ldc, load)`: C[4×8] (+)= Ap[kc×4]ᵀ · Bp[kc×8], all pointers in bytes. */
function microKernel(): Func {
  const f = new Func("micro", ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [kc, ap, bp, c, ldc, load] = f.i32Params(6);
  const rows: I32[] = [c, ...f.locals("i32", 3)];
  const acc = f.locals("v128", 8);
  const b = f.locals("v128", 2);
  const a = f.local("v128");
  for (let r = 1; r < MR; r++) f.get(rows[r - 1]!).get(ldc).i32Add().set(rows[r]!);
  f.get(load).if(
    (g) => acc.forEach((v, i) => g.get(rows[i >> 1]!).v128Load((i & 1) * 16).set(v)),
    (g) => acc.forEach((v) => g.v128Zero().set(v)),
  );
  // NOTE: no k unrolling — measured slower on V8 (spills); each C element sees the same op sequence.
  f.loop((g) => {
    g.get(bp).v128Load(0).set(b[0]).get(bp).v128Load(16).set(b[1]);
    for (let r = 0; r < MR; r++) {
      g.get(ap).v128Load32Splat(r * 4).set(a);
      for (let h = 0; h < 2; h++) g.get(acc[r * 2 + h]!).get(a).get(b[h]!).f32x4Mul().f32x4Add().set(acc[r * 2 + h]!);
    }
    g.get(ap).i32(MR * 4).i32Add().set(ap);
    g.get(bp).i32(NR * 4).i32Add().set(bp);
    g.get(kc).i32(1).i32Sub().tee(kc).brIf(0);
  });
  acc.forEach((v, i) => f.get(rows[i >> 1]!).get(v).v128Store((i & 1) * 16));
  return f;
}

/**
 * `pack(dst, src, rs, cs, n, kc)`: copies an n × kc block (element (i, k) at src + i·rs + k·cs)
 * into panels of `width` lines, each stored k-major, zero-padding the last panel.
 */
function packKernel(fname: string, width: number): Func {
  const f = new Func(fname, ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [dst, src, rs, cs, n, kc] = f.i32Params(6);
  const [i, lines, s, d, l, k, sp, dp, k4] = f.locals("i32", 9);
  const v = f.locals("v128", 8);
  const step = width * 4;
  f.get(dst).set(d);
  f.for(i, (g) => g.i32(0), (g) => g.get(n), width, (g) => {
    min(g, (h) => h.i32(width), (h) => h.get(n).get(i).i32Sub()).set(lines);
    g.get(src).get(i).get(rs).i32Mul().i32Add().set(s);
    // Fast path: a full panel whose lines are adjacent floats is `width / 4` vector copies per k.
    g.get(lines).i32(width).i32Eq().get(rs).i32(4).i32Eq().i32And().if(
      (t) => {
        t.get(s).set(sp).get(d).set(dp);
        t.for(k, (h) => h.i32(0), (h) => h.get(kc), 1, (h) => {
          for (let v = 0; v < width / 4; v++) h.get(dp).get(sp).v128Load(v * 16).v128Store(v * 16);
          h.get(sp).get(cs).i32Add().set(sp).get(dp).i32(step).i32Add().set(dp);
        });
      },
      (t) => {
        // element by element from k = `from`, zero-filling the lines past the end of the block
        const scalar = (u: Func, from: (x: Func) => void) =>
          u.for(l, (h) => h.i32(0), (h) => h.i32(width), 1, (h) => {
            h.get(s).get(l).get(rs).i32Mul().i32Add();
            from(h);
            h.get(cs).i32Mul().i32Add().set(sp);
            h.get(d).get(l).i32(4).i32Mul().i32Add();
            from(h);
            h.i32(step).i32Mul().i32Add().set(dp);
            h.get(l).get(lines).i32LtS().if(
              (w) => w.for(k, from, (x) => x.get(kc), 1, (x) => {
                x.get(dp).get(sp).f32Load().f32Store();
                x.get(sp).get(cs).i32Add().set(sp).get(dp).i32(step).i32Add().set(dp);
              }),
              (w) => w.for(k, from, (x) => x.get(kc), 1, (x) => {
                x.get(dp).f32(0).f32Store();
                x.get(dp).i32(step).i32Add().set(dp);
              }),
            );
          });
        if (width !== 4) return void scalar(t, (x) => x.i32(0));
        // A full 4-line panel whose k run is adjacent floats (row-major A): a 4×4 transpose per four k
        t.get(lines).i32(4).i32Eq().get(cs).i32(4).i32Eq().i32And().if(
          (u) => {
            u.get(kc).i32(-4).i32And().set(k4);
            u.for(k, (x) => x.i32(0), (x) => x.get(k4), 4, (x) => {
              for (let r = 0; r < 4; r++) x.get(s).get(k).i32(4).i32Mul().i32Add().get(rs).i32(r).i32Mul().i32Add().v128Load().set(v[r]!);
              x.get(v[0]!).get(v[1]!).f32x4Shuffle(0, 4, 1, 5).set(v[4]!).get(v[2]!).get(v[3]!).f32x4Shuffle(0, 4, 1, 5).set(v[5]!);
              x.get(v[0]!).get(v[1]!).f32x4Shuffle(2, 6, 3, 7).set(v[6]!).get(v[2]!).get(v[3]!).f32x4Shuffle(2, 6, 3, 7).set(v[7]!);
              x.get(d).get(k).i32(16).i32Mul().i32Add().set(dp);
              x.get(dp).get(v[4]!).get(v[5]!).f32x4Shuffle(0, 1, 4, 5).v128Store(0);
              x.get(dp).get(v[4]!).get(v[5]!).f32x4Shuffle(2, 3, 6, 7).v128Store(16);
              x.get(dp).get(v[6]!).get(v[7]!).f32x4Shuffle(0, 1, 4, 5).v128Store(32);
              x.get(dp).get(v[6]!).get(v[7]!).f32x4Shuffle(2, 3, 6, 7).v128Store(48);
            });
            scalar(u, (x) => x.get(k4));
          },
          (u) => scalar(u, (x) => x.i32(0)),
        );
      },
    );
    g.get(d).get(kc).i32(step).i32Mul().i32Add().set(d);
  });
  return f;
}

// Copies an mr × nr tile between C (row stride ldc bytes) and the 4×8 scratch tile, either way.
function copyTile(f: Func, c: I32, ldc: I32, tile: I32, mr: I32, nr: I32, r: I32, q: I32, toTile: boolean): void {
  f.for(r, (g) => g.i32(0), (g) => g.get(mr), 1, (g) =>
    g.for(q, (h) => h.i32(0), (h) => h.get(nr), 1, (h) => {
      const cAddr = (x: Func) => x.get(c).get(r).get(ldc).i32Mul().i32Add().get(q).i32(4).i32Mul().i32Add();
      const tAddr = (x: Func) => x.get(tile).get(r).i32(NR * 4).i32Mul().i32Add().get(q).i32(4).i32Mul().i32Add();
      const [to, from] = toTile ? [tAddr, cAddr] : [cAddr, tAddr];
      to(h);
      from(h).f32Load().f32Store();
    }),
  );
}

/**
 * `gemm(c, ldc, a, aRs, aCs, b, bRs, bCs, M, N, K, accumulate, scratch)`: C (+)= A·B with element
 * strides in bytes (A(i,k) at a + i·aRs + k·aCs, B(k,j) at b + k·bRs + j·bCs).
 */
function gemmDriver(): Func {
  const { MC, KC, NC } = BLOCKS;
  const f = new Func("gemm", Array<"i32">(13).fill("i32"));
  const [c, ldc, a, aRs, aCs, b, bRs, bCs, M, N, K, accum, scratch] = f.i32Params(13);
  const [pc, kc, load, jc, nc, ic, mc, j, nr, i, mr, bp, ap, tile, cc, r, q] = f.locals("i32", 17);
  f.get(scratch).set(ap);
  f.get(scratch).i32(MC * KC * 4).i32Add().set(bp);
  f.get(bp).i32(KC * NC * 4).i32Add().set(tile);
  f.for(pc, (g) => g.i32(0), (g) => g.get(K), KC, (g) => {
    min(g, (h) => h.i32(KC), (h) => h.get(K).get(pc).i32Sub()).set(kc);
    g.get(accum).get(pc).i32Or().set(load);
    g.for(jc, (h) => h.i32(0), (h) => h.get(N), NC, (h) => {
      min(h, (x) => x.i32(NC), (x) => x.get(N).get(jc).i32Sub()).set(nc);
      h.get(bp).get(b).get(pc).get(bRs).i32Mul().i32Add().get(jc).get(bCs).i32Mul().i32Add();
      h.get(bCs).get(bRs).get(nc).get(kc).call(2);
      h.for(ic, (x) => x.i32(0), (x) => x.get(M), MC, (x) => {
        min(x, (y) => y.i32(MC), (y) => y.get(M).get(ic).i32Sub()).set(mc);
        x.get(ap).get(a).get(ic).get(aRs).i32Mul().i32Add().get(pc).get(aCs).i32Mul().i32Add();
        x.get(aRs).get(aCs).get(mc).get(kc).call(1);
        x.for(j, (y) => y.i32(0), (y) => y.get(nc), NR, (y) => {
          min(y, (z) => z.i32(NR), (z) => z.get(nc).get(j).i32Sub()).set(nr);
          y.for(i, (z) => z.i32(0), (z) => z.get(mc), MR, (z) => {
            min(z, (w) => w.i32(MR), (w) => w.get(mc).get(i).i32Sub()).set(mr);
            z.get(c).get(ic).get(i).i32Add().get(ldc).i32Mul().i32Add().get(jc).get(j).i32Add().i32(4).i32Mul().i32Add().set(cc);
            const args = (w: Func, cp: I32, ld: I32 | number) => {
              w.get(kc).get(ap).get(i).get(kc).i32Mul().i32(4).i32Mul().i32Add();
              w.get(bp).get(j).get(kc).i32Mul().i32(4).i32Mul().i32Add().get(cp);
              if (typeof ld === "number") w.i32(ld);
              else w.get(ld);
              w.get(load).call(0);
            };
            z.get(mr).i32(MR).i32Eq().get(nr).i32(NR).i32Eq().i32And().if(
              (w) => args(w, cc, ldc),
              (w) => {
                w.get(load).if((v) => copyTile(v, cc, ldc, tile, mr, nr, r, q, true));
                args(w, tile, NR * 4);
                copyTile(w, cc, ldc, tile, mr, nr, r, q, false);
              },
            );
          });
        });
      });
    });
  });
  return f;
}

/** Bytes of per-thread scratch the kernel needs: packed A block, packed B block and one C tile. */
export const SCRATCH_BYTES = (BLOCKS.MC * BLOCKS.KC + BLOCKS.KC * BLOCKS.NC + MR * NR) * 4;

/** Assembles the GEMM module; functions are `micro`, `packA`, `packB`, `gemm` in that order. */
export function gemmModuleBytes(memory: { initial: number; maximum: number }): Uint8Array {
  return assemble({ ...memory, shared: true }, [microKernel(), packKernel("packA", MR), packKernel("packB", NR), gemmDriver()]);
}

// ---- runtime: one shared memory per JS thread, its allocator, and the entry point
//
// Memory policy: both. Any Float32Array works (copy-in / copy-out through a reused staging area);
// arrays from `wasmAllocF32` are used in place (zero-copy). Measured with benchmarks/src/matmul.ts,
// the copies cost 2–8% of a 2-thread GEMM from 512³ up and on the LLaMA shapes, 10–25% at ≤ 256³,
// so tensor float32 storage should come from this heap (a SharedArrayBuffer like any other).

const PAGE = 65536;
/** Upper bound of the shared memory: 2 GiB keeps every byte offset a non-negative i32. */
const MAX_PAGES = 32768;

interface Heap {
  memory: WasmMemory;
  module: WasmModule;
  gemm: (...args: number[]) => void;
  buffers: WeakSet<ArrayBufferLike>;
  f32: Float32Array;
  top: number;
  free: Map<number, number[]>;
  scratch: number[];
  staging: number;
  stagingBytes: number;
  pool: WorkerPool | null;
}

let heap: Heap | null | undefined;

function state(): Heap | null {
  if (heap !== undefined) return heap;
  try {
    if (wasmApi === undefined) throw new Error("no WebAssembly");
    const module = new wasmApi.Module(gemmModuleBytes({ initial: 1, maximum: MAX_PAGES }));
    const memory = new wasmApi.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const exports = new wasmApi.Instance(module, { env: { memory } }).exports;
    const gemm = exports["gemm"] as (...args: number[]) => void;
    const buffers = new WeakSet<ArrayBufferLike>([memory.buffer]);
    const f32 = new Float32Array(memory.buffer);
    heap = { memory, module, gemm, buffers, f32, top: 64, free: new Map(), scratch: [], staging: 0, stagingBytes: 0, pool: null };
  } catch {
    heap = null; // no SIMD128 or no shared memory in this engine: the dispatcher falls back to JS
  }
  return heap;
}

// Allocation classes: multiples of 64 bytes up to 1 KiB, then four classes per power of two.
function sizeClass(bytes: number): number {
  if (bytes <= 1024) return Math.max(64, Math.ceil(bytes / 64) * 64);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / step) * step;
}

function allocBytes(h: Heap, bytes: number): number {
  const cls = sizeClass(bytes);
  const reused = h.free.get(cls)?.pop();
  if (reused !== undefined) return reused;
  const ptr = h.top;
  const have = h.memory.buffer.byteLength;
  if (ptr + cls > have) {
    const pages = Math.ceil((ptr + cls - have) / PAGE);
    const current = have / PAGE;
    try {
      h.memory.grow(Math.min(MAX_PAGES - current, Math.max(pages, current >> 3)));
    } catch {
      throw new RangeError(`wasm heap: cannot allocate ${cls} bytes (heap is ${have} of ${MAX_PAGES * PAGE} bytes)`);
    }
    if (ptr + cls > h.memory.buffer.byteLength) throw new RangeError(`wasm heap: cannot allocate ${cls} bytes`);
    h.buffers.add(h.memory.buffer);
    h.f32 = new Float32Array(h.memory.buffer);
  }
  h.top = ptr + cls;
  return ptr;
}

function scratchFor(h: Heap, thread: number): number {
  return (h.scratch[thread] ??= allocBytes(h, SCRATCH_BYTES));
}

/** Whether WebAssembly SIMD128 with shared memory works here (the WASM GEMM can run). */
export function wasmSimdAvailable(): boolean {
  return state() !== null;
}

/** The shared memory and compiled GEMM module, for storage that wants to live in the wasm heap. */
export function wasmHeap(): { memory: WasmMemory; module: WasmModule } {
  const h = state();
  if (h === null) throw new Error("wasm heap: WebAssembly SIMD128 with shared memory is not available");
  return { memory: h.memory, module: h.module };
}

/** Whether `arr` is a view of the wasm heap, so `gemmWasm` reads and writes it without copies. */
export function isInWasmMemory(arr: ArrayBufferView): boolean {
  const h = state();
  return h !== null && h.buffers.has(arr.buffer);
}

/** A Float32Array of `length` inside the wasm heap, 64-byte aligned; a reused block keeps old contents. */
export function wasmAllocF32(length: number): Float32Array {
  const h = state();
  if (h === null) throw new Error("wasm heap: WebAssembly SIMD128 with shared memory is not available");
  const ptr = allocBytes(h, Math.max(4, length * 4));
  return new Float32Array(h.memory.buffer, ptr, length);
}

/** Returns an array from `wasmAllocF32` to the heap; the caller must drop every view of it. */
export function wasmFreeF32(arr: Float32Array): void {
  const h = state();
  if (h === null || !h.buffers.has(arr.buffer)) throw new Error("wasmFreeF32: array is not in the wasm heap");
  const cls = sizeClass(Math.max(4, arr.byteLength));
  let list = h.free.get(cls);
  if (list === undefined) h.free.set(cls, (list = []));
  list.push(arr.byteOffset);
}

// A staging area for operands that live outside the heap (copy-in / copy-out).
function staging(h: Heap, bytes: number): number {
  if (bytes > h.stagingBytes) {
    if (h.stagingBytes > 0) wasmFreeF32(new Float32Array(h.memory.buffer, h.staging, h.stagingBytes / 4));
    h.stagingBytes = sizeClass(bytes);
    h.staging = allocBytes(h, h.stagingBytes);
  }
  return h.staging;
}

/**
 * `out[M,N] (+)= op(a) · op(b)` in float32 with the WASM SIMD kernel on up to `threads` threads.
 * Operands outside the wasm heap are copied in (and `out` back out); see `isInWasmMemory`.
 * Returns the number of threads that took part (fewer than asked while workers start up).
 */
export function gemmWasm(out: Float32Array, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, M: number, K: number, N: number, opts: GemmOptions = {}, threads = 1): number {
  const outOffset = opts.outOffset ?? 0;
  checkGemmArgs(out, a, aOffset, b, bOffset, M, K, N, outOffset);
  if (M === 0 || N === 0) return 0;
  if (K === 0) {
    if (!opts.accumulate) out.fill(0, outOffset, outOffset + M * N);
    return 0;
  }
  const h = state();
  if (h === null) throw new Error("gemmWasm: WebAssembly SIMD128 with shared memory is not available");
  const [aIn, bIn, cIn] = [h.buffers.has(a.buffer), h.buffers.has(b.buffer), h.buffers.has(out.buffer)];
  let stage = staging(h, ((aIn ? 0 : M * K) + (bIn ? 0 : K * N) + (cIn ? 0 : M * N)) * 4);
  const place = (inHeap: boolean, arr: Float32Array, offset: number, len: number, copy: boolean): number => {
    if (inHeap) return arr.byteOffset + offset * 4;
    const ptr = stage;
    stage += len * 4;
    if (copy) h.f32.set(arr.subarray(offset, offset + len), ptr >> 2);
    return ptr;
  };
  const pa = place(aIn, a, aOffset, M * K, true);
  const pb = place(bIn, b, bOffset, K * N, true);
  const pc = place(cIn, out, outOffset, M * N, opts.accumulate === true);
  // element strides in bytes: A(i,k) at pa + i·aRs + k·aCs, B(k,j) at pb + k·bRs + j·bCs
  const aRs = opts.transA ? 4 : K * 4;
  const aCs = opts.transA ? M * 4 : 4;
  const bRs = opts.transB ? 4 : N * 4;
  const bCs = opts.transB ? K * 4 : 4;
  const acc = opts.accumulate ? 1 : 0;
  let used = 1;
  if (threads <= 1) {
    h.gemm(pc, N * 4, pa, aRs, aCs, pb, bRs, bCs, M, N, K, acc, scratchFor(h, 0));
  } else {
    const pool = wasmPool(h, threads);
    // Split the larger of M and N into runs of whole register tiles; each C element is computed by
    // the same instruction sequence whatever the split, so results do not depend on the thread count.
    const byRows = M >= N;
    const len = byRows ? M : N;
    const tiles = Math.ceil(len / (byRows ? MR : NR));
    const parts = Math.min(threads, 1 + pool.idle().length, tiles);
    const tasks: number[][] = [];
    for (let p = 0; p < parts; p++) {
      const s = Math.floor((p * tiles) / parts) * (byRows ? MR : NR);
      const n = Math.min(len, Math.floor(((p + 1) * tiles) / parts) * (byRows ? MR : NR)) - s;
      if (byRows) tasks.push([pc + s * N * 4, N * 4, pa + s * aRs, aRs, aCs, pb, bRs, bCs, n, N, K, acc]);
      else tasks.push([pc + s * 4, N * 4, pa, aRs, aCs, pb + s * bCs, bRs, bCs, M, n, K, acc]);
    }
    pool.run(tasks, (args) => h.gemm(...args, scratchFor(h, 0)));
    used = tasks.length;
  }
  if (!cIn) out.set(h.f32.subarray(pc >> 2, (pc >> 2) + M * N), outOffset);
  return used;
}

function wasmPool(h: Heap, threads: number): WorkerPool {
  h.pool ??= new WorkerPool({ module: h.module, memory: h.memory, entry: "gemm", scratch: (t) => scratchFor(h, t) });
  h.pool.grow(threads - 1);
  return h.pool;
}

/** Starts the workers for `threads` threads and waits until they are ready (benchmarks, tests). */
export function wasmThreadsReady(threads: number, timeoutMs = 10_000): boolean {
  const h = state();
  return h === null || threads <= 1 || wasmPool(h, threads).waitReady(timeoutMs);
}
