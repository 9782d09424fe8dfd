/**
 * @file softmax and logSoftmax: stability at extreme logits, rows summing to
 * one, every dim of high-rank and non-contiguous inputs, NaN, dtypes, the
 * fused backward, and errors.
 */
import { describe, expect, it } from "vitest";
import { Generator, logSoftmax, randn, softmax, tensor, zeros, type NestedNumbers, type Tensor } from "../index.js";

const flat = (x: NestedNumbers): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** Reference softmax of a contiguous row-major array along `dim` of `shape`, in float64. */
function refSoftmax(values: number[], shape: number[], dim: number, log = false): number[] {
  const out = new Array<number>(values.length);
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const n = shape[dim]!;
  const outer = values.length / (n * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const at = (i: number) => (o * n + i) * inner + j;
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, values[at(i)]!);
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(values[at(i)]! - m);
      for (let i = 0; i < n; i++) out[at(i)] = log ? values[at(i)]! - m - Math.log(s) : Math.exp(values[at(i)]! - m) / s;
    }
  return out;
}

describe("softmax", () => {
  it("hand-computed values", () => {
    const e = Math.E;
    expect(softmax(tensor([0, 1], { dtype: "float64" }))).toBeAllclose([1 / (1 + e), e / (1 + e)], { atol: 1e-15, rtol: 1e-15 });
    expect(tensor([1, 1, 1, 1]).softmax()).toBeAllclose([0.25, 0.25, 0.25, 0.25], { atol: 1e-6, rtol: 1e-6 });
  });
  it("softmax([1000, 0]) is [1, 0] (stable)", () => {
    expect(tensor([1000, 0]).softmax().toArray()).toEqual([1, 0]);
    expect(tensor([-1000, 0]).softmax().toArray()).toEqual([0, 1]);
    expect(tensor([1000, 1000]).softmax()).toBeAllclose([0.5, 0.5], { atol: 0, rtol: 0 });
  });
  it("rows sum to 1", () => {
    const x = randn([7, 13], { generator: new Generator(1) }).mul(5);
    const sums = flat(x.softmax(-1).sum(-1).toArray());
    for (const s of sums) expect(Math.abs(s - 1)).toBeLessThan(1e-6);
    const cols = flat(x.softmax(0).sum(0).toArray());
    for (const s of cols) expect(Math.abs(s - 1)).toBeLessThan(1e-6);
  });
  it("every dim of a 4-D tensor matches the reference", () => {
    const shape = [2, 3, 4, 5];
    const x = randn(shape, { dtype: "float64", generator: new Generator(2) });
    const v = flat(x.toArray());
    for (let d = 0; d < 4; d++) {
      const y = x.softmax(d);
      expect(y.shape).toEqual(shape);
      expect(y.isContiguous).toBe(true);
      expect(y.flatten()).toBeAllclose(refSoftmax(v, shape, d), { atol: 1e-12, rtol: 1e-12 });
      expect(x.softmax(d - 4).flatten()).toBeAllclose(refSoftmax(v, shape, d), { atol: 1e-12, rtol: 1e-12 }); // negative dim
    }
  });
  it("non-contiguous inputs (transposed, sliced, expanded)", () => {
    const base = tensor([[1, 2, 3], [4, 6, 8]], { dtype: "float64" });
    const t = base.t(); // [3, 2]
    expect(t.softmax(-1).flatten()).toBeAllclose(refSoftmax([1, 4, 2, 6, 3, 8], [3, 2], 1), { atol: 1e-14, rtol: 1e-14 });
    expect(t.softmax(0).flatten()).toBeAllclose(refSoftmax([1, 4, 2, 6, 3, 8], [3, 2], 0), { atol: 1e-14, rtol: 1e-14 });
    const s = base.slice(1, 0, 3, 2); // [[1, 3], [4, 8]]
    expect(s.softmax(-1).flatten()).toBeAllclose(refSoftmax([1, 3, 4, 8], [2, 2], 1), { atol: 1e-14, rtol: 1e-14 });
    const e = tensor([0, 1], { dtype: "float64" }).expand([3, 2]);
    expect(e.softmax(-1).flatten()).toBeAllclose(refSoftmax([0, 1, 0, 1, 0, 1], [3, 2], 1), { atol: 1e-14, rtol: 1e-14 });
    expect(e.softmax(0).flatten()).toBeAllclose(new Array<number>(6).fill(1 / 3), { atol: 1e-14, rtol: 1e-14 });
  });
  it("0-d input gives 1", () => {
    const y = tensor(3).softmax(0);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(1);
    expect(softmax(tensor(-2)).item()).toBe(1);
  });
  it("-inf logits get probability 0; an all -inf row is NaN (as torch)", () => {
    expect(tensor([0, -Infinity, 0]).softmax().toArray()).toEqual([0.5, 0, 0.5]);
    for (const v of flat(tensor([-Infinity, -Infinity]).softmax().toArray())) expect(v).toBeNaN();
  });
  it("NaN poisons only its own row", () => {
    expect(tensor([[NaN, 1], [0, 0]]).softmax(1)).toBeAllclose([[NaN, NaN], [0.5, 0.5]], { atol: 1e-6, rtol: 1e-6 });
  });
  it("dtypes: int32 → float32, float64 stays", () => {
    const y = tensor([0, 0], { dtype: "int32" }).softmax();
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([0.5, 0.5]);
    expect(tensor([1], { dtype: "float64" }).softmax().dtype).toBe("float64");
    expect(tensor([true, false]).softmax().dtype).toBe("float32");
  });
  it("empty inputs keep their shape", () => {
    expect(zeros([0, 3]).softmax(-1).shape).toEqual([0, 3]);
    expect(zeros([3, 0]).softmax(-1).shape).toEqual([3, 0]);
    expect(zeros([3, 0]).softmax(0).shape).toEqual([3, 0]);
  });
  it("bad dims name the op", () => {
    expect(() => zeros([2, 3]).softmax(2)).toThrow("softmax: dim 2 is out of range for a tensor of rank 2 (expected -2 to 1)");
    expect(() => zeros([2, 3]).logSoftmax(-3)).toThrow("logSoftmax: dim -3 is out of range for a tensor of rank 2");
    expect(() => softmax(null as unknown as Tensor)).toThrow("softmax: input must be a Tensor, got null");
  });
});

describe("logSoftmax", () => {
  it("hand-computed values", () => {
    expect(logSoftmax(tensor([0, 0], { dtype: "float64" }))).toBeAllclose([-Math.LN2, -Math.LN2], { atol: 1e-15, rtol: 1e-15 });
    expect(tensor([0, Math.log(3)], { dtype: "float64" }).logSoftmax()).toBeAllclose([Math.log(0.25), Math.log(0.75)], { atol: 1e-15, rtol: 1e-15 });
  });
  it("is stable at ±1e4", () => {
    expect(tensor([1e4, -1e4]).logSoftmax().toArray()).toEqual([0, -2e4]);
    expect(tensor([-1e4, 1e4]).logSoftmax().toArray()).toEqual([-2e4, 0]);
    expect(tensor([1e4, 1e4]).logSoftmax()).toBeAllclose([-Math.LN2, -Math.LN2], { atol: 1e-6, rtol: 1e-6 });
    expect(tensor([-1e4, -1e4]).logSoftmax()).toBeAllclose([-Math.LN2, -Math.LN2], { atol: 1e-6, rtol: 1e-6 });
    for (const v of flat(tensor([1e4, 0, -1e4]).logSoftmax().toArray())) expect(Number.isFinite(v)).toBe(true);
  });
  it("equals log(softmax) where softmax does not underflow", () => {
    const x = randn([4, 6], { dtype: "float64", generator: new Generator(3) });
    expect(x.logSoftmax(1)).toBeAllclose(x.softmax(1).log(), { atol: 1e-12, rtol: 1e-12 });
    expect(x.logSoftmax(0).flatten()).toBeAllclose(refSoftmax(flat(x.toArray()), [4, 6], 0, true), { atol: 1e-12, rtol: 1e-12 });
  });
  it("transposed input along both dims", () => {
    const x = tensor([[1, 2, 3], [4, 6, 8]], { dtype: "float64" }).t();
    expect(x.logSoftmax(1).flatten()).toBeAllclose(refSoftmax([1, 4, 2, 6, 3, 8], [3, 2], 1, true), { atol: 1e-14, rtol: 1e-14 });
    expect(x.logSoftmax(0).flatten()).toBeAllclose(refSoftmax([1, 4, 2, 6, 3, 8], [3, 2], 0, true), { atol: 1e-14, rtol: 1e-14 });
  });
  it("-inf logits give -inf", () => {
    expect(tensor([0, -Infinity]).logSoftmax()).toBeAllclose([0, -Infinity], { atol: 1e-6, rtol: 1e-6 });
  });
  it("0-d input gives 0", () => {
    expect(tensor(5).logSoftmax(-1).item()).toBe(0);
  });
  it("dtypes", () => {
    expect(tensor([1, 2], { dtype: "int32" }).logSoftmax().dtype).toBe("float32");
    expect(tensor([1, 2], { dtype: "float64" }).logSoftmax().dtype).toBe("float64");
  });
});

describe("softmax / logSoftmax backward", () => {
  it("softmax: dx = y ⊙ (g − Σ g⊙y), along the last dim and along dim 0", () => {
    for (const dim of [1, 0]) {
      const x = tensor([[0.5, -1, 2], [0, 1, 3]], { dtype: "float64", requiresGrad: true });
      const g = tensor([[1, 2, -1], [0.5, 0, 4]], { dtype: "float64" });
      const y = x.softmax(dim);
      y.backward(g);
      const yv = y.toArray() as number[][];
      const gv = g.toArray() as number[][];
      const expected = [[0, 0, 0], [0, 0, 0]];
      if (dim === 1) {
        for (let r = 0; r < 2; r++) {
          const s = yv[r]!.reduce((acc, v, i) => acc + v * gv[r]![i]!, 0);
          for (let i = 0; i < 3; i++) expected[r]![i] = yv[r]![i]! * (gv[r]![i]! - s);
        }
      } else {
        for (let c = 0; c < 3; c++) {
          const s = yv[0]![c]! * gv[0]![c]! + yv[1]![c]! * gv[1]![c]!;
          for (let r = 0; r < 2; r++) expected[r]![c] = yv[r]![c]! * (gv[r]![c]! - s);
        }
      }
      expect(x.grad!).toBeAllclose(expected, { atol: 1e-12, rtol: 1e-12 });
    }
  });
  it("logSoftmax: dx = g − softmax(x) Σ g", () => {
    const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const g = tensor([1, 0, -2], { dtype: "float64" });
    x.logSoftmax().backward(g);
    const p = refSoftmax([1, 2, 3], [3], 0);
    expect(x.grad!).toBeAllclose([1 + p[0]!, 0 + p[1]!, -2 + p[2]!], { atol: 1e-12, rtol: 1e-12 });
  });
  it("gradient of a sum of probabilities is zero", () => {
    const x = tensor([[1, 2], [3, -4]], { requiresGrad: true });
    x.softmax(-1).sum().backward();
    for (const v of flat(x.grad!.toArray())) expect(Math.abs(v)).toBeLessThan(1e-7);
  });
  it("a non-contiguous input receives a gradient of its own shape", () => {
    const base = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64", requiresGrad: true });
    const t = base.t(); // [3, 2]
    t.softmax(-1).mul(tensor([[1, 0], [0, 0], [0, 0]], { dtype: "float64" })).sum().backward();
    // only row 0 of t (= column 0 of base: [1, 4]) gets gradient: p(1 − p), −p·q
    const p = 1 / (1 + Math.exp(3));
    expect(base.grad!).toBeAllclose([[p * (1 - p), 0, 0], [-p * (1 - p), 0, 0]], { atol: 1e-12, rtol: 1e-12 });
  });
  it("is recorded under its own name", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.softmax().gradFn?.name).toBe("softmax");
    expect(x.logSoftmax().gradFn?.name).toBe("logSoftmax");
  });
});
