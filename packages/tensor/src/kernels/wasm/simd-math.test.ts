/** @file Accuracy of the emitted polynomial `exp`, `2^x` and scalar `log` over their ranges. */
import { describe, expect, it } from "vitest";
import { assemble, Func, type Local, wasmApi } from "./assembler.js";
import { emitExp, emitExp2, emitLog } from "./simd-math.js";

// map(src, dst, n): dst[i] = fn(src[i]) four lanes at a time (n a multiple of 4), or lane by lane for `log`.
function mapper(name: string, body: (f: Func, x: Local<"v128">) => void): Func {
  const f = new Func(name, ["i32", "i32", "i32"]);
  const [src, dst, n] = f.i32Params(3);
  const i = f.local("i32");
  const x = f.local("v128");
  f.for(i, (g) => g.i32(0), (g) => g.get(n), 4, (g) => {
    g.get(dst).get(i).i32(4).i32Mul().i32Add();
    g.get(src).get(i).i32(4).i32Mul().i32Add().v128Load().set(x);
    body(g, x);
    g.v128Store();
  });
  return f;
}

function logMapper(): Func {
  const f = new Func("log", ["i32", "i32", "i32"]);
  const [src, dst, n] = f.i32Params(3);
  const [i, e, bits] = f.locals("i32", 3);
  const y = f.local("f32");
  const [s, s2] = f.locals("f64", 2);
  f.for(i, (g) => g.i32(0), (g) => g.get(n), 1, (g) => {
    g.get(src).get(i).i32(4).i32Mul().i32Add().f32Load().set(y);
    g.get(dst).get(i).i32(4).i32Mul().i32Add();
    emitLog(g, y, e, bits, s, s2).f32Store();
  });
  return f;
}

describe.runIf(wasmApi !== undefined)("simd-math emitters", () => {
  const mem = { initial: 2, maximum: 2, shared: true };
  const exp = mapper("exp", (f, x) => emitExp(f, x, f.local("v128"), f.local("v128")));
  const exp2 = mapper("exp2", (f, x) => emitExp2(f, x, f.local("v128")));
  const memory = wasmApi ? new wasmApi.Memory(mem) : null;
  const ex = wasmApi && memory ? new wasmApi.Instance(new wasmApi.Module(assemble(mem, [exp, exp2, logMapper()])), { env: { memory } }).exports : {};
  const run = (name: string, xs: number[]): Float32Array => {
    const heap = new Float32Array(memory!.buffer);
    const n = xs.length;
    heap.set(xs, 0);
    (ex[name] as (...a: number[]) => void)(0, n * 4, n);
    return heap.slice(n, 2 * n);
  };
  const worst = (xs: number[], got: Float32Array, ref: (x: number) => number) =>
    xs.reduce((w, x, i) => Math.max(w, Math.abs(got[i]! - ref(x)) / Math.abs(ref(x))), 0);
  const grid = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => Math.fround(lo + ((hi - lo) * i) / (n - 1)));

  it("exp is within 3e-7 relative on [−87, 88]", () => {
    const xs = grid(-87, 88, 4000);
    expect(worst(xs, run("exp", xs), Math.exp)).toBeLessThan(3e-7);
    // out-of-range inputs clamp to exp(−87.34) and exp(88); NaN stays NaN
    const [one, lo, hi, nan] = run("exp", [0, -1000, 1000, NaN]);
    expect(one).toBe(1);
    expect(Math.abs(lo! / Math.exp(-87.33654) - 1)).toBeLessThan(1e-6);
    expect(Math.abs(hi! / Math.exp(88) - 1)).toBeLessThan(1e-6);
    expect(nan).toBeNaN();
  });

  it("2^x is within 2e-7 relative on [−126, 0]", () => {
    const xs = grid(-126, 0, 4000);
    expect(worst(xs, run("exp2", xs), (x) => 2 ** x)).toBeLessThan(2e-7);
    expect(run("exp2", [0, -1, -3, -1e9])).toEqual(new Float32Array([1, 0.5, 0.125, 2 ** -126]));
  });

  it("log is within 1e-7 relative on [1, 1e6] and exact at 1", () => {
    const xs = grid(1.001, 1e6, 4000);
    expect(worst(xs, run("log", xs), Math.log)).toBeLessThan(1e-7);
    expect(run("log", [1, 2, 4, 8])[0]).toBe(0);
  });
});
