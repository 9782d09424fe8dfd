/** @file Tests of the GEMM kernels (JS and WASM) and the dispatcher against a float64 triple loop. */
import { afterAll, describe, expect, it } from "vitest";
import { type Backend, type GemmOptions, gemm, getBackend, getThreads, setBackend, setThreads, warmUpThreads } from "./matmul.js";
import { gemmJs } from "./matmul-js.js";
import { gemmWasm } from "./matmul-wasm.js";

/** Deterministic uniform [-1, 1) values (a 32-bit LCG; tests must not depend on Math.random). */
function randomArray<T extends Float32Array | Float64Array>(ctor: new (n: number) => T, n: number, seed: number): T {
  const out = new ctor(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Checks `out` against a float64 triple loop: each element must be within the recursive-summation
 * bound `(K + 2)·u·Σ|a·b|` of the exact value, and nothing outside C's window may change.
 */
function expectGemm(out: Float32Array | Float64Array, before: Float32Array | Float64Array, a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, M: number, K: number, N: number, opts: GemmOptions): void {
  const o = opts.outOffset ?? 0;
  const u = out instanceof Float32Array ? 2 ** -24 : 2 ** -53;
  let bad = 0;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const c0 = opts.accumulate ? before[o + i * N + j]! : 0;
      let s = c0;
      let abs = Math.abs(c0);
      for (let k = 0; k < K; k++) {
        const p = a[aOff + (opts.transA ? k * M + i : i * K + k)]! * b[bOff + (opts.transB ? j * K + k : k * N + j)]!;
        s += p;
        abs += Math.abs(p);
      }
      const got = out[o + i * N + j]!;
      if (!(Math.abs(got - s) <= (K + 2) * 2 * u * abs + 1e-300)) bad++;
    }
  }
  expect(bad, `${bad} of ${M * N} elements off for ${JSON.stringify({ M, K, N, ...opts })}`).toBe(0);
  for (let i = 0; i < out.length; i++) {
    if (i < o || i >= o + M * N) expect(Object.is(out[i], before[i])).toBe(true);
  }
}

// [M, K, N]: ragged edges against the 4×8 tile, K beyond one 256-deep block, M beyond one 128-row block
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 3, 17], [3, 17, 1], [4, 8, 8], [5, 7, 9], [17, 130, 3], [130, 17, 33],
  [33, 300, 19], [7, 520, 41], [131, 257, 10], [2, 40, 1030],
];
const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

function runCase(kernel: "js" | "wasm", M: number, K: number, N: number, transA: boolean, transB: boolean, accumulate: boolean, seed: number): void {
  const [aOff, bOff, outOff] = [seed % 5, (seed * 3) % 7, (seed * 7) % 3];
  const a = randomArray(Float32Array, aOff + M * K + 2, seed);
  const b = randomArray(Float32Array, bOff + K * N + 3, seed + 1);
  const out = randomArray(Float32Array, outOff + M * N + 4, seed + 2);
  const before = out.slice();
  const opts = { transA, transB, accumulate, outOffset: outOff };
  if (kernel === "js") gemmJs(out, a, aOff, b, bOff, M, K, N, opts);
  else gemmWasm(out, a, aOff, b, bOff, M, K, N, opts);
  expectGemm(out, before, a, aOff, b, bOff, M, K, N, opts);
}

describe.each(["js", "wasm"] as const)("%s GEMM kernel (float32)", (kernel) => {
  it.each(TRANS)("matches the triple loop on ragged shapes, transA=%s transB=%s", (transA, transB) => {
    SHAPES.forEach(([M, K, N], s) => runCase(kernel, M, K, N, transA, transB, false, 11 * s + 1));
  });

  it.each(TRANS)("accumulates C += op(A)·op(B), transA=%s transB=%s", (transA, transB) => {
    SHAPES.forEach(([M, K, N], s) => runCase(kernel, M, K, N, transA, transB, true, 13 * s + 5));
  });

  it("handles empty sizes: K = 0 zeroes C (keeps it when accumulating), M = 0 or N = 0 is a no-op", () => {
    const f = kernel === "js" ? gemmJs : gemmWasm;
    const out = new Float32Array([1, 2, 3, 4, 5, 6]);
    f(out, new Float32Array(0), 0, new Float32Array(0), 0, 2, 0, 3, { accumulate: true });
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6]);
    f(out, new Float32Array(0), 0, new Float32Array(0), 0, 2, 0, 2, { outOffset: 1 });
    expect([...out]).toEqual([1, 0, 0, 0, 0, 6]);
    f(out, new Float32Array(0), 0, new Float32Array(4), 0, 0, 2, 2);
    expect([...out]).toEqual([1, 0, 0, 0, 0, 6]);
  });
});

describe("gemm dispatcher", () => {
  const initial = getBackend();
  afterAll(() => setBackend(initial));

  it.each(["js", "wasm"] as Backend[])("gives the same answer on the %s backend", (backend) => {
    setBackend(backend);
    expect(getBackend()).toBe(backend);
    for (const [M, K, N] of [[2, 3, 2], [40, 70, 50], [64, 64, 64]] as const) {
      const a = randomArray(Float32Array, M * K, 3);
      const b = randomArray(Float32Array, N * K, 4);
      const out = new Float32Array(M * N);
      gemm(out, a, 0, b, 0, M, K, N, { transB: true });
      expectGemm(out, new Float32Array(M * N), a, 0, b, 0, M, K, N, { transB: true });
    }
  });

  it("uses the worker pool above the threshold with the same bits as one thread", () => {
    setBackend("wasm");
    const threads = getThreads();
    expect(warmUpThreads()).toBe(true);
    const [M, K, N] = [200, 150, 140]; // 8.4 MFLOP, above THREAD_MIN_FLOPS
    const a = randomArray(Float32Array, M * K, 5);
    const b = randomArray(Float32Array, K * N, 6);
    const [many, one] = [new Float32Array(M * N), new Float32Array(M * N)];
    gemm(many, a, 0, b, 0, M, K, N);
    setThreads(1);
    gemm(one, a, 0, b, 0, M, K, N);
    setThreads(threads);
    expect(new Uint32Array(many.buffer)).toEqual(new Uint32Array(one.buffer));
    expect(() => setThreads(0)).toThrow(/setThreads: expected a positive integer, got 0/);
  });

  it("runs float64 in JS to float64 accuracy, every trans combination, with offsets", () => {
    for (const [transA, transB] of TRANS) {
      const [M, K, N] = [19, 37, 23];
      const a = randomArray(Float64Array, 2 + M * K, 7);
      const b = randomArray(Float64Array, 1 + K * N, 8);
      const out = randomArray(Float64Array, 3 + M * N, 9);
      const before = out.slice();
      const opts = { transA, transB, accumulate: true, outOffset: 3 };
      gemm(out, a, 2, b, 1, M, K, N, opts);
      expectGemm(out, before, a, 2, b, 1, M, K, N, opts);
    }
  });

  it("rejects mixed dtypes and short operands with messages naming gemm", () => {
    const f32 = new Float32Array(4);
    const f64 = new Float64Array(4);
    expect(() => gemm(f32, f64 as unknown as Float32Array, 0, f32, 0, 2, 2, 2)).toThrow(/gemm: out, a and b must share one float dtype/);
    expect(() => gemm(f32, f32, 1, f32, 0, 2, 2, 2)).toThrow(/gemm: a needs 4 elements from offset 1, has length 4/);
    expect(() => gemm(f32, f32, 0, f32, 0, 2, 2, 3)).toThrow(/gemm: b needs 6 elements/);
    expect(() => gemm(f32, f32, 0, f32, 0, 2, 2, 2, { outOffset: 2 })).toThrow(/gemm: out needs 4 elements from offset 2/);
  });
});
