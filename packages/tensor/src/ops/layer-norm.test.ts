/**
 * @file `layerNorm` forward and gradients against the composite
 * `(x − mean) / √(var + eps) · w + b` (biased variance), plus errors.
 */
import { describe, expect, it } from "vitest";
import { Generator, layerNorm, memoryStats, randn, type Tensor } from "../index.js";

const composite = (x: Tensor, w: Tensor, b: Tensor, eps: number) =>
  x.sub(x.mean(-1, { keepdim: true })).div(x.var(-1, { keepdim: true, correction: 0 }).add(eps).sqrt()).mul(w).add(b);

describe("layerNorm", () => {
  const g = new Generator(8);
  it("matches the composite, forward and backward", () => {
    const x = randn([3, 2, 6], { dtype: "float64", generator: g, requiresGrad: true });
    const w = randn([6], { dtype: "float64", generator: g, requiresGrad: true });
    const b = randn([6], { dtype: "float64", generator: g, requiresGrad: true });
    const up = randn([3, 2, 6], { dtype: "float64", generator: g });
    const y = layerNorm(x, w, b, 1e-5);
    expect(y).toBeAllclose(composite(x, w, b, 1e-5), { atol: 1e-12, rtol: 0 });
    y.backward(up);
    const grads = [x.grad!, w.grad!, b.grad!];
    x.grad = w.grad = b.grad = null;
    composite(x, w, b, 1e-5).backward(up);
    [x, w, b].forEach((t, i) => expect(grads[i]!).toBeAllclose(t.grad!, { atol: 1e-12, rtol: 0 }));
  });

  it("float32 (the WASM kernels when the last dim is a multiple of 4) agrees with float64, forward and every gradient", () => {
    for (const [n, affine] of [[16, true], [16, false], [6, true]] as const) {
      const x = randn([4, 3, n], { generator: g }).mul(2).add(1).requiresGrad_();
      const [w, b] = affine ? [randn([n], { generator: g }).requiresGrad_(), randn([n], { generator: g }).requiresGrad_()] : [null, null];
      const up = randn([4, 3, n], { generator: g });
      const to64 = (t: Tensor | null) => t && t.detach().to("float64").requiresGrad_();
      const [x64, w64, b64] = [to64(x)!, to64(w), to64(b)];
      const y = layerNorm(x, w, b, 1e-5);
      const y64 = layerNorm(x64, w64, b64, 1e-5);
      expect(y).toBeAllclose(y64, { atol: 1e-5, rtol: 1e-5 });
      y.backward(up);
      y64.backward(up.to("float64"));
      expect(x.grad!).toBeAllclose(x64.grad!, { atol: 2e-5, rtol: 1e-5 });
      if (affine) [[w, w64], [b, b64]].forEach(([p, p64]) => expect(p!.grad!).toBeAllclose(p64!.grad!, { atol: 1e-5, rtol: 1e-5 }));
    }
  });

  it("normalises to zero mean and unit variance without affine parameters", () => {
    const y = layerNorm(randn([5, 16], { generator: g }).mul(3).add(2), null, null, 0);
    expect(Math.abs(y.mean().item())).toBeLessThan(1e-6);
    expect(y.var(-1, { correction: 0 }).sub(1).abs().max().item()).toBeLessThan(1e-5);
  });

  it("names the op and the shapes on bad input, before taking any memory", () => {
    // a large non-contiguous input (its contiguous copy and the output would come from the pool)
    const [x, w, badBias] = [randn([64, 512]).t(), randn([64]), randn([5])];
    const taken = () => { const m = memoryStats(); return m.freshBytes + m.reusedBytes + m.slabBytes + m.unpooledBytes; };
    const before = taken();
    expect(() => layerNorm(x, w, badBias)).toThrow("layerNorm: bias of shape [5] does not match the last dim of input [512, 64] (expected [64])");
    expect(() => layerNorm(x, w, null, -1)).toThrow("layerNorm: eps must be ≥ 0, got -1");
    expect(taken()).toBe(before);
  });
});
