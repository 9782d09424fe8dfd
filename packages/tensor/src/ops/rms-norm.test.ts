/**
 * @file `rmsNorm` forward and gradients against the composite
 * `x / √(mean(x²) + eps) · w`, plus shape/dtype errors.
 */
import { describe, expect, it } from "vitest";
import { Generator, randn, rmsNorm, tensor, type Tensor } from "../index.js";

const composite = (x: Tensor, w: Tensor | null, eps: number) => {
  const y = x.div(x.square().mean(-1, { keepdim: true }).add(eps).sqrt());
  return w === null ? y : y.mul(w);
};

describe("rmsNorm", () => {
  const g = new Generator(7);
  it("matches the composite, eps inside the sqrt, forward and backward", () => {
    const x = randn([2, 3, 8], { dtype: "float64", generator: g, requiresGrad: true });
    const w = randn([8], { dtype: "float64", generator: g, requiresGrad: true });
    const up = randn([2, 3, 8], { dtype: "float64", generator: g });
    const y = rmsNorm(x, w, 0.5);
    expect(y).toBeAllclose(composite(x, w, 0.5), { atol: 1e-12, rtol: 0 });
    y.backward(up);
    const [gx, gw] = [x.grad!, w.grad!];
    x.grad = w.grad = null;
    composite(x, w, 0.5).backward(up);
    expect(gx).toBeAllclose(x.grad!, { atol: 1e-12, rtol: 0 });
    expect(gw).toBeAllclose(w.grad!, { atol: 1e-12, rtol: 0 });
  });

  it("works in float32, on non-contiguous input and without a weight", () => {
    const x = randn([4, 6], { generator: g });
    expect(rmsNorm(x.t(), null)).toBeAllclose(composite(x.t(), null, 1e-6), { atol: 1e-6, rtol: 0 });
    expect(rmsNorm(tensor([[3, 4]], { dtype: "float64" }), null, 0)).toBeAllclose(tensor([[3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)]], { dtype: "float64" }), { atol: 1e-15, rtol: 0 });
  });

  it("names the op and the shapes on bad input", () => {
    const x = randn([2, 4]);
    expect(() => rmsNorm(x, randn([3]))).toThrow("rmsNorm: weight of shape [3] does not match the last dim of input [2, 4] (expected [4])");
    expect(() => rmsNorm(x, randn([4], { dtype: "float64" }))).toThrow("rmsNorm: weight dtype float64 differs from input dtype float32");
    expect(() => rmsNorm(tensor([1, 2], { dtype: "int32" }), null)).toThrow(/rmsNorm: input must be float32 or float64/);
  });
});
