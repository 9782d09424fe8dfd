/**
 * @file `siluMul` against the composite `silu(a) · b`: float64 exact, float32 on the WASM path
 * (polynomial exp) and on the JS path, ragged sizes, non-contiguous input, gradients, errors.
 */
import { describe, expect, it } from "vitest";
import { setBackend } from "../kernels/matmul.js";
import { Generator, randn, siluMul, type Tensor } from "../index.js";

function maxRel(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.contiguous().to("float64").data;
  const y = b.contiguous().to("float64").data;
  const scale = y.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0) / scale;
}

function check(shape: number[], dtype: "float32" | "float64", tol: number, g: Generator): void {
  const a = randn(shape, { dtype, generator: g }).mul(4).detach();
  const b = randn(shape, { dtype, generator: g });
  a.requiresGrad = b.requiresGrad = true;
  const up = randn(shape, { dtype, generator: g });
  const y = siluMul(a, b);
  y.backward(up);
  const [ga, gb] = [a.grad!, b.grad!];
  a.grad = b.grad = null;
  const ref = a.silu().mul(b);
  ref.backward(up);
  expect(maxRel(y, ref)).toBeLessThan(tol);
  expect(maxRel(ga, a.grad!)).toBeLessThan(tol);
  expect(maxRel(gb, b.grad!)).toBeLessThan(tol);
}

describe("siluMul", () => {
  const g = new Generator(21);
  it("matches silu(a)·b in float64, forward and backward", () => check([3, 7], "float64", 1e-14, g));
  it.each([[1], [3], [1027], [16, 130], [2, 64, 257]])("matches in float32 on the default backend, shape %o", (...shape) => check(shape, "float32", 1e-6, g));
  it("matches in float32 on the JS backend", () => {
    setBackend("js");
    try {
      check([5, 301], "float32", 1e-6, g);
    } finally {
      setBackend("wasm");
    }
  });
  it("reads non-contiguous input and handles extreme values", () => {
    const a = randn([40, 30], { generator: g }).mul(60);
    const b = randn([30, 40], { generator: g });
    expect(maxRel(siluMul(a.t(), b), a.t().silu().mul(b))).toBeLessThan(1e-6);
  });
  it("names the op, the shapes and the dtypes on bad input", () => {
    expect(() => siluMul(randn([2, 3]), randn([3]))).toThrow("siluMul: a [2, 3] and b [3] must have the same shape");
    expect(() => siluMul(randn([2]), randn([2], { dtype: "float64" }))).toThrow(/share one float dtype, got float32 and float64/);
  });
});
