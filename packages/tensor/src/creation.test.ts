/**
 * @file Factory functions: nested and typed-array input, dtype inference,
 * ragged-array errors naming the position, fills, ranges, identity, and
 * seeded random draws (statistics, determinism, manualSeed).
 */
import { describe, expect, it } from "vitest";
import {
  Generator, arange, eye, full, fullLike, linspace, manualSeed, ones, onesLike, rand, randint, randn, tensor, zeros, zerosLike,
  type NestedArray, type NestedNumbers,
} from "./index.js";

const flat = (x: NestedNumbers): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

describe("tensor()", () => {
  it("infers the shape of nested arrays", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.strides).toEqual([3, 1]);
    expect(t.dtype).toBe("float32");
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([[[1], [2]], [[3], [4]]]).shape).toEqual([2, 2, 1]);
  });
  it("a number gives a 0-d tensor; empty arrays give empty shapes", () => {
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.ndim).toBe(0);
    expect(s.numel).toBe(1);
    expect(s.item()).toBe(3.5);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[]]).shape).toEqual([1, 0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });
  it("booleans give bool; dtype option converts", () => {
    const b = tensor([true, false, true]);
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toEqual([1, 0, 1]);
    expect(b.data).toBeInstanceOf(Uint8Array);
    const i = tensor([1.7, -1.7, 3], { dtype: "int32" });
    expect(i.dtype).toBe("int32");
    expect(i.toArray()).toEqual([1, -1, 3]);
    expect(i.data).toBeInstanceOf(Int32Array);
    expect(tensor([0, 2, -1], { dtype: "bool" }).toArray()).toEqual([0, 1, 1]);
    expect(tensor([true, false], { dtype: "float64" }).toArray()).toEqual([1, 0]);
    const d = tensor([0.1], { dtype: "float64" });
    expect(d.item()).toBe(0.1);
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
  });
  it("keeps NaN and infinities", () => {
    const t = flat(tensor([NaN, Infinity, -Infinity]).toArray());
    expect(t[0]).toBeNaN();
    expect(t.slice(1)).toEqual([Infinity, -Infinity]);
  });
  it("ragged arrays name the offending position", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow("tensor: ragged nested array: data[1] has length 1, expected length 2 (shape so far [2, 2])");
    expect(() => tensor([[1, 2], 3] as NestedArray)).toThrow("tensor: ragged nested array: data[1] has a scalar, expected length 2");
    expect(() => tensor([[1, 2], [3, [4]]] as NestedArray)).toThrow("tensor: ragged nested array: data[1][1] is an array, expected a number");
    expect(() => tensor([[[1, 2]], [[3, 4], [5, 6]]])).toThrow("tensor: ragged nested array: data[1] has length 2, expected length 1");
    expect(() => tensor([[[1, 2]], [[3, 4, 5]]])).toThrow("tensor: ragged nested array: data[1][0] has length 3, expected length 2");
  });
  it("non-numbers name their position", () => {
    expect(() => tensor([1, "2"] as unknown as NestedArray)).toThrow("tensor: data[1] is string, expected a number or boolean");
    expect(() => tensor([[1, null]] as unknown as NestedArray)).toThrow("tensor: data[0][1] is object, expected a number or boolean");
  });
  it("typed arrays take their own dtype and are copied", () => {
    const src = new Float64Array([1.5, 2.5]);
    const t = tensor(src);
    expect(t.dtype).toBe("float64");
    expect(t.shape).toEqual([2]);
    src[0] = 100;
    expect(t.toArray()).toEqual([1.5, 2.5]);
    expect(tensor(new Int32Array([1, -2])).dtype).toBe("int32");
    expect(tensor(new Float32Array([0.5])).dtype).toBe("float32");
    const b = tensor(new Uint8Array([0, 3, 1]));
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toEqual([0, 1, 1]);
  });
  it("typed arrays with a dtype option are converted", () => {
    expect(tensor(new Float32Array([1.5, -2.5]), { dtype: "int32" }).toArray()).toEqual([1, -2]);
    expect(tensor(new Int32Array([0, 5]), { dtype: "bool" }).toArray()).toEqual([0, 1]);
    expect(tensor(new Int32Array([7]), { dtype: "float64" }).dtype).toBe("float64");
    const sub = new Float32Array([1, 2, 3, 4]).subarray(1, 3);
    expect(tensor(sub).toArray()).toEqual([2, 3]);
  });
  it("rejects unsupported typed arrays and dtypes", () => {
    expect(() => tensor(new Int16Array([1]) as unknown as Float32Array)).toThrow(
      "tensor: typed arrays must be Float32Array, Float64Array, Int32Array or Uint8Array",
    );
    expect(() => tensor([1], { dtype: "int64" as "int32" })).toThrow('tensor: unknown dtype "int64" (expected one of bool, int32, float32, float64)');
  });
  it("requiresGrad option; only float tensors may require grad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(w.requiresGrad).toBe(true);
    expect(w.isLeaf).toBe(true);
    expect(tensor([1], { dtype: "float64", requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => tensor([1], { dtype: "int32", requiresGrad: true })).toThrow(
      "requiresGrad: only float tensors can require gradients, this one is int32",
    );
  });
  it("storage is backed by a SharedArrayBuffer", () => {
    expect(tensor([1, 2]).storage.data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe("fills", () => {
  it("zeros, ones, full", () => {
    expect(zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(ones([2]).toArray()).toEqual([1, 1]);
    expect(full([2, 2], 7).toArray()).toEqual([[7, 7], [7, 7]]);
    expect(full([], 3).shape).toEqual([]);
    expect(full([], 3).item()).toBe(3);
    expect(zeros([0, 4]).numel).toBe(0);
    expect(ones([1, 2, 1, 2, 1]).numel).toBe(4);
  });
  it("dtypes: float32 default, options, bool from a boolean", () => {
    expect(zeros([1]).dtype).toBe("float32");
    expect(ones([2], { dtype: "int32" }).toArray()).toEqual([1, 1]);
    expect(ones([2], { dtype: "int32" }).dtype).toBe("int32");
    expect(full([2], true).dtype).toBe("bool");
    expect(full([2], true).toArray()).toEqual([1, 1]);
    expect(full([1], NaN).item()).toBeNaN();
    expect(full([1], 2.7, { dtype: "int32" }).item()).toBe(2);
    expect(ones([1], { requiresGrad: true }).requiresGrad).toBe(true);
  });
  it("*Like copy shape and dtype, allowing overrides", () => {
    const like = tensor([[1, 2]], { dtype: "float64" });
    const z = zerosLike(like);
    expect(z.shape).toEqual([1, 2]);
    expect(z.dtype).toBe("float64");
    expect(onesLike(like).toArray()).toEqual([[1, 1]]);
    expect(fullLike(like, 4).toArray()).toEqual([[4, 4]]);
    expect(fullLike(like, 4, { dtype: "float64" }).dtype).toBe("float64");
    expect(onesLike(like.t()).shape).toEqual([2, 1]);
  });
  it("bad shapes name the op", () => {
    expect(() => full([-1], 0)).toThrow("full: shape must be a list of non-negative integers, got [-1]");
    expect(() => zeros([1.5])).toThrow("shape must be a list of non-negative integers, got [1.5]");
    expect(() => ones(3 as unknown as number[])).toThrow("shape must be a list of non-negative integers, got 3");
  });
});

describe("arange", () => {
  it("counts 0…n−1 as int32 when every argument is an integer", () => {
    const a = arange(5);
    expect(a.dtype).toBe("int32");
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(arange(0, 10, 3).toArray()).toEqual([0, 3, 6, 9]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
  });
  it("float32 when any argument is fractional", () => {
    const a = arange(0, 1, 0.25);
    expect(a.dtype).toBe("float32");
    expect(a.toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0.5, 3).toArray()).toEqual([0.5, 1.5, 2.5]);
    expect(arange(2.5).toArray()).toEqual([0, 1, 2]);
    expect(arange(2.5).dtype).toBe("float32");
    expect(arange(0, 0.3, 0.1).shape).toEqual([3]); // ceil((0.3 − 0) / 0.1) = 3, as torch
  });
  it("dtype option overrides inference", () => {
    const a = arange(3, undefined, 1, { dtype: "float64" });
    expect(a.dtype).toBe("float64");
    expect(a.toArray()).toEqual([0, 1, 2]);
  });
  it("empty when the range is empty", () => {
    expect(arange(0).shape).toEqual([0]);
    expect(arange(5, 2).shape).toEqual([0]);
    expect(arange(0, 5, -1).shape).toEqual([0]);
  });
  it("errors", () => {
    expect(() => arange(0, 5, 0)).toThrow("arange: need finite start/end and a non-zero step, got (0, 5, 0)");
    expect(() => arange(Infinity)).toThrow("arange: need finite start/end and a non-zero step, got (0, Infinity, 1)");
    expect(() => arange(0, NaN)).toThrow("arange: need finite start/end");
  });
});

describe("linspace", () => {
  it("evenly spaced values including both ends", () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(-1, 1, 3).toArray()).toEqual([-1, 0, 1]);
    expect(linspace(3, -3, 4).toArray()).toEqual([3, 1, -1, -3]);
    expect(linspace(0, 1, 5).dtype).toBe("float32");
  });
  it("hits the endpoints exactly (no accumulated rounding)", () => {
    for (const [a, b, n] of [[0, 0.1, 7], [-1, 0.3, 11], [0.1, 0.7, 13], [1e-3, 123.456, 1001]] as const) {
      const d = linspace(a, b, n, { dtype: "float64" });
      const arr = d.toArray() as number[];
      expect(arr[0]).toBe(a);
      expect(arr[n - 1]).toBe(b);
      const f = linspace(a, b, n).toArray() as number[];
      expect(f[n - 1]).toBe(Math.fround(b));
      // monotone and evenly spaced
      for (let i = 1; i < n; i++) expect(Math.abs(arr[i]! - arr[i - 1]! - (b - a) / (n - 1))).toBeLessThan(1e-12 * (1 + Math.abs(b)));
    }
  });
  it("steps = 1 gives [start]; steps = 0 gives []", () => {
    expect(linspace(2, 5, 1).toArray()).toEqual([2]);
    expect(linspace(2, 5, 0).shape).toEqual([0]);
  });
  it("rejects bad steps", () => {
    expect(() => linspace(0, 1, -1)).toThrow("linspace: steps must be a non-negative integer, got -1");
    expect(() => linspace(0, 1, 2.5)).toThrow("linspace: steps must be a non-negative integer, got 2.5");
  });
});

describe("eye", () => {
  it("square and rectangular identity", () => {
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye(3, 2).toArray()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(eye(0).shape).toEqual([0, 0]);
  });
  it("dtype option", () => {
    expect(eye(2, 2, { dtype: "int32" }).dtype).toBe("int32");
    expect(eye(2, undefined, { dtype: "bool" }).toArray()).toEqual([[1, 0], [0, 1]]);
  });
  it("bad sizes", () => {
    expect(() => eye(-1)).toThrow("eye: shape must be a list of non-negative integers, got [-1,-1]");
  });
});

describe("random factories", () => {
  it("randn with a seeded Generator: mean ≈ 0, std ≈ 1 over 10k samples", () => {
    const x = randn([10_000], { generator: new Generator(7), dtype: "float64" });
    const v = x.data;
    let s = 0;
    for (const a of v) s += a;
    const mean = s / v.length;
    let ss = 0;
    for (const a of v) ss += (a - mean) ** 2;
    const std = Math.sqrt(ss / (v.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.04); // 4σ of the sample mean is 0.04
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    // tails: about 4.55% beyond 2σ
    let tail = 0;
    for (const a of v) if (Math.abs(a) > 2) tail++;
    expect(tail / v.length).toBeGreaterThan(0.035);
    expect(tail / v.length).toBeLessThan(0.056);
  });
  it("rand is uniform in [0, 1)", () => {
    const x = rand([10_000], { generator: new Generator(8) });
    let lo = Infinity;
    let hi = -Infinity;
    let s = 0;
    for (const a of x.data) {
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
      s += a;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(s / x.numel - 0.5)).toBeLessThan(0.015);
  });
  it("same seed → same numbers; different seeds → different numbers", () => {
    const a = randn([100], { generator: new Generator(42) });
    const b = randn([100], { generator: new Generator(42) });
    const c = randn([100], { generator: new Generator(43) });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });
  it("draws advance the generator", () => {
    const g = new Generator(1);
    const a = rand([5], { generator: g });
    const b = rand([5], { generator: g });
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
  });
  it("manualSeed reseeds the default generator", () => {
    manualSeed(123);
    const a = randn([3, 4]);
    const r = rand([2]);
    const k = randint(0, 10, [4]);
    manualSeed(123);
    expect(randn([3, 4]).toArray()).toEqual(a.toArray());
    expect(rand([2]).toArray()).toEqual(r.toArray());
    expect(randint(0, 10, [4]).toArray()).toEqual(k.toArray());
  });
  it("float64 draws keep full precision; float32 draws are rounded", () => {
    const d = rand([4], { dtype: "float64", generator: new Generator(5) });
    const f = rand([4], { generator: new Generator(5) });
    expect(d.dtype).toBe("float64");
    expect(Array.from(f.data)).toEqual(Array.from(d.data).map(Math.fround));
  });
  it("randint: int32 in [low, high), every value hit", () => {
    const x = randint(-3, 4, [2000], { generator: new Generator(9) });
    expect(x.dtype).toBe("int32");
    const seen = new Set(x.data);
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(randint(0, 5, [2, 3], { dtype: "float32" }).dtype).toBe("float32");
    expect(randint(5, 6, [3]).toArray()).toEqual([5, 5, 5]);
  });
  it("shapes: 0-d, empty, high rank", () => {
    expect(randn([]).shape).toEqual([]);
    expect(rand([0, 3]).numel).toBe(0);
    expect(randn([2, 1, 3, 1, 2]).numel).toBe(12);
    expect(randn([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });
  it("errors", () => {
    expect(() => rand([2], { dtype: "int32" })).toThrow("rand: dtype must be float32 or float64, got int32");
    expect(() => randn([2], { dtype: "bool" })).toThrow("randn: dtype must be float32 or float64, got bool");
    expect(() => randn([-2])).toThrow("randn: shape must be a list of non-negative integers, got [-2]");
    expect(() => randint(3, 3, [2])).toThrow("Generator.randint: need integers low < high, got [3, 3)");
    expect(() => randint(0, 1, [1.5])).toThrow("randint: shape must be a list of non-negative integers");
  });
});
