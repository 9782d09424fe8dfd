/**
 * @file `crossEntropy` against `−logSoftmax(x)[target]` with ignored targets,
 * the three reductions, (B, T, V) logits, extreme logits, and errors.
 */
import { describe, expect, it } from "vitest";
import { Generator, crossEntropy, randn, tensor, type Tensor } from "../index.js";

const ids = (v: number[] | number[][]) => tensor(v, { dtype: "int32" });

/** Per-row NLL composite; ignored rows give 0 (their target is clamped to 0 for the gather, then masked). */
function nll(x: Tensor, t: Tensor, ignore: number): Tensor {
  const keep = t.ne(ignore);
  const safe = t.mul(keep.to("int32")).unsqueeze(-1);
  return x.logSoftmax(-1).gather(-1, safe).squeeze(-1).neg().mul(keep.to(x.dtype));
}

describe("crossEntropy", () => {
  const g = new Generator(12);
  it("mean over non-ignored targets matches the composite, forward and backward", () => {
    const x = randn([2, 3, 5], { dtype: "float64", generator: g, requiresGrad: true });
    const t = ids([[1, -100, 4], [0, 2, -100]]);
    const y = crossEntropy(x, t);
    const ref = nll(x, t, -100).sum().div(4);
    expect(Math.abs(y.item() - ref.item())).toBeLessThan(1e-14);
    y.backward();
    const gx = x.grad!;
    x.grad = null;
    ref.backward();
    expect(gx).toBeAllclose(x.grad!, { atol: 1e-14, rtol: 0 });
  });

  it("sum and none reductions, a custom ignoreIndex, and an upstream gradient", () => {
    const x = randn([4, 3], { dtype: "float64", generator: g, requiresGrad: true });
    const t = ids([2, 0, 1, 1]);
    expect(crossEntropy(x, t, { reduction: "sum" }).item()).toBeCloseTo(nll(x, t, -100).sum().item(), 13);
    const none = crossEntropy(x, t, { reduction: "none", ignoreIndex: 1 });
    expect(none).toBeAllclose(nll(x, t, 1), { atol: 1e-14, rtol: 0 });
    const up = tensor([0.5, -2, 3, 1], { dtype: "float64" });
    none.backward(up);
    const gx = x.grad!;
    x.grad = null;
    nll(x, t, 1).backward(up);
    expect(gx).toBeAllclose(x.grad!, { atol: 1e-14, rtol: 0 });
  });

  it("float32 (the WASM kernel) matches float64; the gradient made in forward survives a retained second backward and scales by the upstream", () => {
    const x = randn([3, 5, 37], { generator: g, requiresGrad: true });
    const t = ids([[1, -100, 36, 0, 5], [7, 7, 8, -100, 2], [0, 1, 2, 3, 4]]);
    const y = crossEntropy(x, t);
    const x64 = x.detach().to("float64").requiresGrad_();
    const ref = crossEntropy(x64, t);
    expect(Math.abs(y.item() - ref.item())).toBeLessThan(1e-5);
    ref.backward();
    y.backward(undefined, { retainGraph: true });
    expect(x.grad!).toBeAllclose(x64.grad!, { atol: 1e-6, rtol: 0 });
    const first = x.grad!.clone();
    x.grad = null;
    y.backward(tensor(2), { retainGraph: true });
    expect(x.grad!).toBeAllclose(first.mul(2), { atol: 1e-7, rtol: 0 });
  });

  it("is stable for extreme logits; all-ignored mean is NaN as in torch", () => {
    const x = tensor([[1000, 0, -1000]]);
    expect(crossEntropy(x, ids([0])).item()).toBe(0);
    expect(crossEntropy(x, ids([1])).item()).toBe(1000);
    expect(crossEntropy(x, ids([-100])).item()).toBeNaN();
  });

  it("names the op, the bad target and its position", () => {
    const x = randn([2, 3, 4]);
    expect(() => crossEntropy(x, ids([[0, 1, 2], [3, 4, 0]]))).toThrow("crossEntropy: target 4 at position [1, 1] is out of range for 4 classes");
    expect(() => crossEntropy(x, ids([0, 1]))).toThrow("crossEntropy: logits [2, 3, 4] need targets of shape [2, 3], got [2]");
    expect(() => crossEntropy(x, randn([2, 3]))).toThrow("crossEntropy: targets must be int32 class indices, got float32");
  });
});
