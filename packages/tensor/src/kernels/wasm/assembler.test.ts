/** @file Tests of the WebAssembly assembler: LEB128 encodings and a small SIMD module that runs. */
import { describe, expect, it } from "vitest";
import { assemble, Func, sleb, uleb, wasmApi } from "./assembler.js";

const enc = (f: (out: number[], n: number) => void, n: number) => {
  const out: number[] = [];
  f(out, n);
  return out;
};

describe("assembler", () => {
  it("encodes LEB128 as the spec's examples", () => {
    expect(enc(uleb, 0)).toEqual([0]);
    expect(enc(uleb, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(uleb, 2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(enc(sleb, -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc(sleb, 63)).toEqual([0x3f]);
    expect(enc(sleb, 64)).toEqual([0xc0, 0x00]);
    expect(enc(sleb, -64)).toEqual([0x40]);
  });

  it("emits a module whose loops, i32 maths and f32x4 SIMD run", () => {
    // axpy(x, y, n): y[i] += 2·x[i] for n floats (n a multiple of 4), then returns n·3 - 1
    const f = new Func("axpy", ["i32", "i32", "i32"], ["i32"]);
    const [x, y, n] = [f.param(0), f.param(1), f.param(2)];
    const i = f.local("i32");
    const two = f.local("v128");
    f.f32(2).f32x4Splat().set(two);
    f.for(i, (g) => g.i32(0), (g) => g.get(n), 4, (g) => {
      const addr = (p: typeof x) => g.get(p).get(i).i32(4).i32Mul().i32Add();
      addr(y);
      addr(y).v128Load();
      addr(x).v128Load().get(two).f32x4Mul().f32x4Add().v128Store();
    });
    f.get(n).i32(3).i32Mul().i32(-1).i32Add();
    if (wasmApi === undefined) return;
    const memory = new wasmApi.Memory({ initial: 1, maximum: 2, shared: true });
    const bytes = assemble({ initial: 1, maximum: 2, shared: true }, [f]);
    const exports = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports;
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    heap.set([10, 10, 10, 10, 10, 10, 10, 10], 8);
    expect((exports["axpy"] as (...a: number[]) => number)(0, 32, 8)).toBe(23);
    expect([...heap.subarray(8, 16)]).toEqual([12, 14, 16, 18, 20, 22, 24, 26]);
  });

  it("names the function when a parameter is missing", () => {
    expect(() => new Func("f", ["i32"]).param(1)).toThrow(/f has no parameter 1/);
  });
});
