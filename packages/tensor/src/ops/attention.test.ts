/**
 * @file `scaledDotProductAttention` against the composite
 * `softmax(q kᵀ·scale + mask) v` with HF's `repeat_kv`: causal, grouped-query,
 * KV-cache offset (Tq < Tk), strided inputs, gradients, and errors.
 */
import { describe, expect, it } from "vitest";
import { Generator, arange, ones, randn, scaledDotProductAttention as sdpa, type Tensor } from "../index.js";
import { getBackend } from "../kernels/matmul.js";

/** The textbook composite: repeat kv heads, full score matrix, bottom-right causal mask. */
function reference(q: Tensor, k: Tensor, v: Tensor, causal: boolean, scale?: number): Tensor {
  const [, H, Tq, hs] = q.shape as [number, number, number, number];
  const [, Hkv, Tk] = k.shape as [number, number, number];
  const heads = arange(H).div(H / Hkv).to("int32"); // repeat_kv: head h reads kv head ⌊h / group⌋
  const [kr, vr] = [k.indexSelect(1, heads), v.indexSelect(1, heads)];
  let s = q.matmul(kr.transpose(2, 3)).mul(scale ?? 1 / Math.sqrt(hs)); // (B, H, Tq, Tk)
  if (causal) s = s.maskedFill(ones([Tq, Tk], { dtype: "bool" }).triu(Tk - Tq + 1), -Infinity);
  return s.softmax(-1).matmul(vr as Tensor<"float64">);
}

function compare(q: Tensor, k: Tensor, v: Tensor, causal: boolean, scale?: number): void {
  const g = new Generator(11);
  const y = sdpa(q, k, v, { causal, scale });
  expect(y).toBeAllclose(reference(q, k, v, causal, scale), { atol: 1e-12, rtol: 0 });
  const up = randn(y.shape, { dtype: "float64", generator: g });
  y.backward(up);
  const ours = [q.grad!, k.grad!, v.grad!];
  q.grad = k.grad = v.grad = null;
  reference(q, k, v, causal, scale).backward(up);
  [q, k, v].forEach((t, i) => expect(ours[i]!, `grad ${i}`).toBeAllclose(t.grad!, { atol: 1e-12, rtol: 0 }));
}

const leaf = (shape: number[], g: Generator) => randn(shape, { dtype: "float64", generator: g, requiresGrad: true });

describe("scaledDotProductAttention", () => {
  const g = new Generator(10);
  it("multi-head causal matches the composite, forward and backward", () => {
    compare(leaf([2, 3, 5, 4], g), leaf([2, 3, 5, 4], g), leaf([2, 3, 5, 4], g), true);
  });
  it("grouped-query (H = 6, Hkv = 2) with a KV-cache offset (Tq 3 < Tk 7)", () => {
    compare(leaf([2, 6, 3, 4], g), leaf([2, 2, 7, 4], g), leaf([2, 2, 7, 4], g), true);
  });
  it("non-causal with a custom scale and a single kv head (multi-query)", () => {
    compare(leaf([1, 4, 3, 2], g), leaf([1, 1, 5, 2], g), leaf([1, 1, 5, 2], g), false, 0.7);
  });
  it("reads strided views (B, T, H, hs).transpose(1, 2) without copying them first", () => {
    const [q, k, v] = [leaf([2, 4, 2, 3], g), leaf([2, 4, 1, 3], g), leaf([2, 4, 1, 3], g)];
    const t = (x: Tensor) => x.transpose(1, 2);
    const y = sdpa(t(q), t(k), t(v), { causal: true });
    expect(y).toBeAllclose(reference(t(q), t(k), t(v), true), { atol: 1e-12, rtol: 0 });
    expect(y.isContiguous).toBe(true);
  });
  it("a one-query step attends to the whole cache; float32 agrees with float64", () => {
    const [q, k, v] = [leaf([1, 2, 1, 8], g), leaf([1, 2, 6, 8], g), leaf([1, 2, 6, 8], g)];
    expect(sdpa(q, k, v, { causal: true })).toBeAllclose(sdpa(q, k, v), { atol: 0, rtol: 0 });
    const f = (x: Tensor) => x.detach().to("float32");
    expect(sdpa(f(q), f(k), f(v), { causal: true })).toBeAllclose(sdpa(q, k, v, { causal: true }), { atol: 1e-6, rtol: 0 });
  });
  it("float32 matches float64 in value and gradient, keeping the (B, T, H, hs) layout of its inputs", () => {
    const [q, k, v] = [leaf([2, 9, 4, 8], g), leaf([2, 9, 2, 8], g), leaf([2, 9, 2, 8], g)]; // (B, T, heads, hs)
    const t = (x: Tensor) => x.transpose(1, 2);
    const f = (x: Tensor) => x.detach().to("float32").requiresGrad_();
    const [q32, k32, v32] = [f(q), f(k), f(v)];
    const y = sdpa(t(q32), t(k32), t(v32), { causal: true });
    // so nn.Attention's transpose + reshape copies nothing (the JS kernel writes contiguous output)
    expect(y.transpose(1, 2).isContiguous).toBe(getBackend() === "wasm");
    const up = randn([2, 4, 9, 8], { dtype: "float64", generator: g });
    const y64 = sdpa(t(q), t(k), t(v), { causal: true });
    expect(y).toBeAllclose(y64, { atol: 2e-6, rtol: 0 });
    y.backward(up.to("float32"));
    y64.backward(up);
    [[q32, q], [k32, k], [v32, v]].forEach(([a, b], i) => expect(a!.grad!, `grad ${i}`).toBeAllclose(b!.grad!, { atol: 1e-5, rtol: 0 }));
    expect(sdpa(q32.detach().contiguous(), k32.detach().contiguous(), v32.detach().contiguous()).isContiguous).toBe(true);
  });
  it("names the op and the shapes on bad input", () => {
    const q = randn([1, 3, 2, 4]);
    expect(() => sdpa(q, randn([1, 2, 2, 4]), randn([1, 2, 2, 4]))).toThrow(
      "scaledDotProductAttention: kv heads 2 must divide query heads 3 (q [1, 3, 2, 4], k [1, 2, 2, 4], v [1, 2, 2, 4])",
    );
    expect(() => sdpa(q, randn([1, 3, 1, 4]), randn([1, 3, 1, 4]), { causal: true })).toThrow(/causal attention needs Tq ≤ Tk, got Tq 2 > Tk 1/);
    expect(() => sdpa(q, randn([1, 3, 2, 5]), randn([1, 3, 2, 5]))).toThrow(/k and v must be \(B, Hkv, Tk, hs\) with q's B and hs/);
  });
});
