/**
 * @file Unary elementwise ops against hand-computed values: 0-d, high rank,
 * non-contiguous inputs, NaN propagation, result dtypes and error messages.
 */
import { describe, expect, it } from "vitest";
import { abs, clamp, exp, Generator, neg, randn, tensor, zeros, type NestedNumbers, type Tensor } from "../index.js";

const flat = (x: NestedNumbers): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

const xs = [-2, -0.5, 0, 0.5, 3];
const apply = (f: (v: number) => number) => xs.map(f);
const sig = (v: number) => 1 / (1 + Math.exp(-v));

describe("unary ops: values", () => {
  const x = tensor(xs, { dtype: "float64" });
  const cases: [string, Tensor, number[]][] = [
    ["neg", x.neg(), apply((v) => -v)],
    ["exp", x.exp(), apply(Math.exp)],
    ["abs", x.abs(), apply(Math.abs)],
    ["tanh", x.tanh(), apply(Math.tanh)],
    ["sigmoid", x.sigmoid(), apply(sig)],
    ["relu", x.relu(), [0, 0, 0, 0.5, 3]],
    ["silu", x.silu(), apply((v) => v * sig(v))],
    ["sin", x.sin(), apply(Math.sin)],
    ["cos", x.cos(), apply(Math.cos)],
    ["square", x.square(), [4, 0.25, 0, 0.25, 9]],
  ];
  for (const [name, y, expected] of cases) {
    it(`${name} matches Math`, () => expect(y).toBeAllclose(expected, { atol: 1e-14, rtol: 1e-14 }));
  }

  it("log, sqrt, rsqrt and reciprocal on positive inputs", () => {
    const p = tensor([0.25, 1, 4, 9], { dtype: "float64" });
    expect(p.log()).toBeAllclose([Math.log(0.25), 0, Math.log(4), Math.log(9)], { atol: 1e-14, rtol: 1e-14 });
    expect(p.sqrt()).toBeAllclose([0.5, 1, 2, 3], { atol: 1e-14, rtol: 1e-14 });
    expect(p.rsqrt()).toBeAllclose([2, 1, 0.5, 1 / 3], { atol: 1e-14, rtol: 1e-14 });
    expect(p.reciprocal()).toBeAllclose([4, 1, 0.25, 1 / 9], { atol: 1e-14, rtol: 1e-14 });
  });

  it("gelu is the exact (erf) GELU", () => {
    // Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707
    expect(tensor([1, -1, 0, 3], { dtype: "float64" }).gelu()).toBeAllclose([0.8413447460685429, -0.15865525393145707, 0, 3 * 0.9986501019683699], { atol: 1e-12, rtol: 1e-12 });
  });

  it("gelu of a large float32 tensor (the WASM path) agrees with float64, forward and backward, also for a strided upstream gradient", () => {
    const g = new Generator(3);
    const x = randn([64, 40], { generator: g }).mul(3).requiresGrad_();
    const x64 = x.detach().to("float64").requiresGrad_();
    const up = randn([64, 40], { generator: g });
    expect(x.gelu()).toBeAllclose(x64.gelu(), { atol: 1e-6, rtol: 1e-6 });
    // a dense upstream gradient (the WASM backward), then a transposed one (the generic loop)
    for (const f of [(y: Tensor) => y.mul(up), (y: Tensor) => y.t().mul(up.t())]) {
      [x.grad, x64.grad] = [null, null];
      f(x.gelu()).sum().backward();
      f(x64.gelu()).sum().backward();
      expect(x.grad!).toBeAllclose(x64.grad!, { atol: 1e-6, rtol: 1e-6 });
    }
  });

  it("handles the edge values of the domain", () => {
    expect(tensor([0, -1, Infinity]).log()).toBeAllclose([-Infinity, NaN, Infinity], { atol: 1e-6, rtol: 1e-6 });
    expect(tensor([0, -4]).sqrt()).toBeAllclose([0, NaN], { atol: 1e-6, rtol: 1e-6 });
    expect(tensor([0]).reciprocal()).toBeAllclose([Infinity], { atol: 1e-6, rtol: 1e-6 });
    expect(tensor([-Infinity, Infinity, 1000, -1000]).exp()).toBeAllclose([0, Infinity, Infinity, 0], { atol: 1e-6, rtol: 1e-6 });
    // sigmoid must not overflow for large |x|
    expect(tensor([-1000, 1000]).sigmoid()).toBeAllclose([0, 1], { atol: 1e-6, rtol: 1e-6 });
    expect(tensor([-1000, 1000]).tanh()).toBeAllclose([-1, 1], { atol: 1e-6, rtol: 1e-6 });
  });

  it("float32 results are rounded to float32", () => {
    const y = tensor([1]).exp();
    expect(y.item()).toBe(Math.fround(Math.E));
  });

  it("functional forms match the fluent methods", () => {
    const x = tensor([-1.5, 2]);
    expect(neg(x).toArray()).toEqual(x.neg().toArray());
    expect(exp(x).toArray()).toEqual(x.exp().toArray());
    expect(abs(x).toArray()).toEqual([1.5, 2]);
  });
});

describe("unary ops: clamp", () => {
  const x = tensor([-3, -1, 0, 1, 3]);
  it("clamps into [min, max]", () => {
    expect(x.clamp(-1, 2).toArray()).toEqual([-1, -1, 0, 1, 2]);
    expect(clamp(x, -2, 2).toArray()).toEqual([-2, -1, 0, 1, 2]);
  });
  it("takes one-sided bounds", () => {
    expect(x.clamp(0).toArray()).toEqual([0, 0, 0, 1, 3]);
    expect(x.clamp(null, 0).toArray()).toEqual([-3, -1, 0, 0, 0]);
    expect(x.clamp(undefined, 1).toArray()).toEqual([-3, -1, 0, 1, 1]);
    expect(x.clamp().toArray()).toEqual(x.toArray());
  });
  it("min == max gives a constant", () => {
    expect(x.clamp(0.5, 0.5).toArray()).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
  });
  it("keeps NaN", () => {
    expect(tensor([NaN, 5]).clamp(0, 1)).toBeAllclose([NaN, 1], { atol: 1e-6, rtol: 1e-6 });
  });
  it("rejects min > max naming both", () => {
    expect(() => x.clamp(2, 1)).toThrow("clamp: min 2 is greater than max 1");
  });
  it("keeps int32", () => {
    const y = tensor([-5, 0, 5], { dtype: "int32" }).clamp(-2, 2);
    expect(y.dtype).toBe("int32");
    expect(y.toArray()).toEqual([-2, 0, 2]);
  });
});

describe("unary ops: shapes and layouts", () => {
  it("0-d input gives 0-d output", () => {
    const y = tensor(-2).abs();
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(2);
    expect(tensor(0).exp().item()).toBe(1);
    expect(tensor(4).sqrt().shape).toEqual([]);
  });

  it("high rank (5-D) keeps the shape and maps every element", () => {
    const n = 2 * 3 * 1 * 2 * 2;
    const vals = Array.from({ length: n }, (_, i) => i - 12);
    const x = tensor(vals).reshape([2, 3, 1, 2, 2]);
    const y = x.relu();
    expect(y.shape).toEqual([2, 3, 1, 2, 2]);
    expect(flat(y.toArray())).toEqual(vals.map((v) => Math.max(v, 0)));
  });

  it("transposed input: values follow the logical layout and the output is contiguous", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]).t(); // [3, 2], non-contiguous
    expect(x.isContiguous).toBe(false);
    const y = x.square();
    expect(y.isContiguous).toBe(true);
    expect(y.toArray()).toEqual([[1, 16], [4, 25], [9, 36]]);
  });

  it("sliced (strided, offset) input", () => {
    const x = tensor([0, -1, 2, -3, 4, -5, 6]).slice(0, 1, 7, 2); // [-1, -3, -5]
    expect(x.neg().toArray()).toEqual([1, 3, 5]);
    const m = tensor([[1, 2, 3], [4, 5, 6]]).slice(1, 1); // [[2, 3], [5, 6]]
    expect(m.neg().toArray()).toEqual([[-2, -3], [-5, -6]]);
  });

  it("expanded (stride 0) input", () => {
    const x = tensor([[-1], [2]]).expand([2, 3]);
    expect(x.abs().toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });

  it("empty input gives an empty output of the same shape", () => {
    const y = zeros([0, 3]).exp();
    expect(y.shape).toEqual([0, 3]);
    expect(y.numel).toBe(0);
  });

  it("does not modify its input", () => {
    const x = tensor([1, -2]);
    x.neg();
    x.exp();
    expect(x.toArray()).toEqual([1, -2]);
  });
});

describe("unary ops: NaN propagation", () => {
  const x = tensor([NaN]);
  for (const name of ["neg", "exp", "log", "sqrt", "rsqrt", "abs", "tanh", "sigmoid", "relu", "silu", "gelu", "sin", "cos", "square", "reciprocal"] as const) {
    it(`${name}(NaN) is NaN`, () => expect(x[name]().item()).toBeNaN());
  }
});

describe("unary ops: dtypes", () => {
  const i = tensor([1, -2, 3], { dtype: "int32" });
  const b = tensor([true, false]);
  const d = tensor([1, 2], { dtype: "float64" });

  it("float functions of int32 and bool give float32", () => {
    for (const y of [i.exp(), i.log(), i.sqrt(), i.rsqrt(), i.tanh(), i.sigmoid(), i.silu(), i.gelu(), i.sin(), i.cos(), i.reciprocal(), b.exp()]) {
      expect(y.dtype).toBe("float32");
    }
    expect(i.reciprocal()).toBeAllclose([1, -0.5, 1 / 3], { atol: 1e-6, rtol: 1e-6 });
  });

  it("float functions of float64 stay float64", () => {
    for (const y of [d.exp(), d.log(), d.sqrt(), d.sigmoid(), d.gelu(), d.reciprocal(), d.neg(), d.abs(), d.relu(), d.square()]) {
      expect(y.dtype).toBe("float64");
    }
  });

  it("arithmetic functions keep int32 and lift bool to int32", () => {
    expect(i.neg().dtype).toBe("int32");
    expect(i.neg().toArray()).toEqual([-1, 2, -3]);
    expect(i.abs().toArray()).toEqual([1, 2, 3]);
    expect(i.relu().toArray()).toEqual([1, 0, 3]);
    expect(i.square().toArray()).toEqual([1, 4, 9]);
    expect(i.square().dtype).toBe("int32");
    expect(b.neg().dtype).toBe("int32");
    expect(b.neg().toArray()).toEqual([-1, 0]);
    expect(b.abs().dtype).toBe("int32");
    expect(b.square().dtype).toBe("int32");
  });

  it("int32 reciprocal is true division", () => {
    expect(tensor([4], { dtype: "int32" }).reciprocal().item()).toBe(0.25);
  });
});

describe("unary ops: errors and autograd", () => {
  it("names the op when the input is not a tensor", () => {
    expect(() => neg(3 as unknown as Tensor)).toThrow("neg: input must be a Tensor, got number");
    expect(() => exp(null as unknown as Tensor)).toThrow("exp: input must be a Tensor, got null");
  });

  it("records a node whose backward uses the upstream gradient", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.square();
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.name).toBe("square");
    y.backward(tensor([1, 0.5, -1]));
    expect(x.grad?.toArray()).toEqual([2, 2, -6]); // 2·x·g
  });

  it("clamp passes the gradient only inside [min, max]", () => {
    const x = tensor([-2, 0, 2], { requiresGrad: true });
    x.clamp(-1, 1).sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 1, 0]);
  });
});
