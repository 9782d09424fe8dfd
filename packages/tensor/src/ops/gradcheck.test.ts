/**
 * @file Every differentiable op's gradient against central finite
 * differences in float64. The table is typed `Record<DifferentiableOp |
 * CompositeOp, ...>`, so registering an op without a case fails `tsc`; the
 * last test checks each registered op really appears in its cases' graphs.
 */
import { describe, expect, it } from "vitest";
import {
  COMPOSITE_OPS, DIFFERENTIABLE_OPS, Generator, cat, chunk, gradcheck, maskedFill, randn, split, stack, tensor, where,
  type CompositeOp, type DifferentiableOp, type GradcheckOptions, type Node, type Tensor,
} from "../index.js";
import { einsum, unbind } from "../index.js";
import { crossEntropy, dropout, embedding, layerNorm, rmsNorm, rope, rotaryTables, scaledDotProductAttention as sdpa, siluMul } from "../index.js";

interface Case {
  shapes: number[][];
  fn: (...xs: Tensor[]) => Tensor;
  /** Draw inputs from (0.5, 2.5) instead of N(0, 1) (log, sqrt, pow ...). */
  positive?: boolean;
  /** Looser finite differences for ops that round through float32 (`to`). */
  opts?: GradcheckOptions;
}
const c = (shapes: number[][], fn: (...xs: Tensor[]) => Tensor, positive = false, opts?: GradcheckOptions): Case => ({ shapes, fn, positive, opts });
const idx = (values: number[] | number[][]) => tensor(values, { dtype: "int32" });
const mask = tensor([[true, false, true], [false, false, true]]);
const rot = rotaryTables(4, 8, 10000, "float64");
const fixed = (shape: number[], seed: number) => randn(shape, { dtype: "float64", generator: new Generator(seed) });

const CASES: Record<DifferentiableOp | CompositeOp, Case[]> = {
  neg: [c([[2, 3]], (x) => x.neg())],
  exp: [c([[2, 3]], (x) => x.exp())],
  log: [c([[2, 3]], (x) => x.log(), true)],
  sqrt: [c([[2, 3]], (x) => x.sqrt(), true)],
  rsqrt: [c([[2, 3]], (x) => x.rsqrt(), true)],
  abs: [c([[2, 3]], (x) => x.abs())],
  tanh: [c([[2, 3]], (x) => x.tanh())],
  sigmoid: [c([[2, 3]], (x) => x.sigmoid())],
  relu: [c([[2, 3]], (x) => x.relu())],
  silu: [c([[2, 3]], (x) => x.silu())],
  gelu: [c([[2, 3]], (x) => x.gelu())],
  sin: [c([[2, 3]], (x) => x.sin())],
  cos: [c([[2, 3]], (x) => x.cos())],
  square: [c([[2, 3]], (x) => x.square())],
  reciprocal: [c([[2, 3]], (x) => x.reciprocal(), true)],
  clamp: [c([[3, 4]], (x) => x.clamp(-0.5, 0.5)), c([[5]], (x) => x.clamp(null, 0.2))],
  // piecewise constant: zero gradient, so each case multiplies by x to give a non-zero one
  round: [c([[2, 3]], (x) => x.mul(3).round().mul(x))],
  floor: [c([[2, 3]], (x) => x.mul(2).floor().mul(x))],
  ceil: [c([[2, 3]], (x) => x.mul(2).ceil().mul(x))],
  sign: [c([[2, 3]], (x) => x.sign().mul(x))],
  add: [c([[2, 3], [3]], (a, b) => a.add(b)), c([[2, 1, 3], [4, 1]], (a, b) => a.add(b).mul(b))],
  sub: [c([[2, 3], [2, 1]], (a, b) => a.sub(b)), c([[3]], (a) => a.sub(2))],
  mul: [c([[2, 3], [2, 3]], (a, b) => a.mul(b)), c([[2, 3]], (a) => a.mul(a))], // fan-out: a used twice
  div: [c([[2, 3], [3]], (a, b) => a.div(b), true)],
  pow: [c([[2, 3], [2, 3]], (a, b) => a.pow(b), true), c([[4]], (a) => a.pow(3))],
  maximum: [c([[2, 3], [2, 3]], (a, b) => a.maximum(b))],
  minimum: [c([[2, 3], [1, 3]], (a, b) => a.minimum(b))],
  where: [c([[2, 3], [3]], (a, b) => where(mask, a, b)), c([[2, 3]], (a) => where(mask, a, 0))],
  // a float32 round trip rounds at ~1e-7 relative, so the finite-difference step must be wide
  to: [c([[2, 3]], (x) => x.to("float32").to("float64").mul(x), false, { eps: 1e-3, atol: 1e-3 })],
  sum: [c([[2, 3, 4]], (x) => x.sum()), c([[2, 3, 4]], (x) => x.sum([0, 2])), c([[2, 3, 4]], (x) => x.sum(1, { keepdim: true }).mul(x))],
  max: [c([[3, 4]], (x) => x.max(1)), c([[3, 4]], (x) => x.max())],
  min: [c([[3, 4]], (x) => x.min(0, { keepdim: true }))],
  logsumexp: [c([[3, 4]], (x) => x.logsumexp(1)), c([[2, 3, 4]], (x) => x.logsumexp([0, 2]))],
  softmax: [c([[3, 4]], (x) => x.softmax(-1).mul(x)), c([[2, 3, 4]], (x) => x.softmax(1).square())],
  logSoftmax: [c([[3, 4]], (x) => x.logSoftmax(-1).mul(x)), c([[2, 3, 4]], (x) => x.logSoftmax(0).square())],
  cumsum: [c([[3, 4]], (x) => x.cumsum(1).square()), c([[2, 3, 4]], (x) => x.transpose(0, 2).cumsum(0).mul(fixed([4, 3, 2], 4)))],
  matmul: [
    c([[2, 3], [3, 4]], (a, b) => a.matmul(b)),
    c([[2, 2, 3], [3, 4]], (a, b) => a.matmul(b)),
    c([[2, 1, 2, 3], [3, 3, 2]], (a, b) => a.matmul(b)),
    c([[3], [3, 2]], (a, b) => a.matmul(b)),
    c([[3], [3]], (a, b) => a.matmul(b)),
    c([[3, 2], [4, 3]], (a, b) => a.t().matmul(b.t())),
  ],
  reshape: [c([[2, 3, 4]], (x) => x.reshape([4, -1]).mul(tensor([1, 2, 3, 4, 5, 6], { dtype: "float64" })))],
  permute: [c([[2, 3, 4]], (x) => x.permute([2, 0, 1]).mul(randn([4, 2, 3], { dtype: "float64", generator: new Generator(1) })))],
  expand: [c([[3, 1]], (x) => x.expand([2, 3, 4]).mul(randn([2, 3, 4], { dtype: "float64", generator: new Generator(2) })))],
  slice: [c([[5, 4]], (x) => x.slice(0, 1, 5, 2).square()), c([[5, 4]], (x) => x.slice(1, -3).exp())],
  select: [c([[3, 4]], (x) => x.select(1, 2).square())],
  unsqueeze: [c([[3, 4]], (x) => x.t().unsqueeze(1).square())],
  squeeze: [c([[3, 1, 4]], (x) => x.squeeze(1).square())],
  contiguous: [c([[3, 4]], (x) => x.t().contiguous().square())],
  indexSelect: [c([[4, 3]], (x) => x.indexSelect(0, idx([3, 0, 3])).square()), c([[2, 4]], (x) => x.indexSelect(1, idx([1, 1])))],
  gather: [c([[3, 4]], (x) => x.gather(1, idx([[0, 3], [1, 1], [2, 0]])).square())],
  scatterAdd: [c([[3, 4], [2, 2]], (x, s) => x.scatterAdd(1, idx([[0, 0], [3, 1]]), s).square())],
  cat: [c([[2, 3], [1, 3]], (a, b) => cat([a, b, a], 0).square()), c([[2, 3], [2, 2]], (a, b) => cat([a, b], 1).square())],
  tril: [c([[3, 4]], (x) => x.tril().square()), c([[2, 3, 3]], (x) => x.tril(-1).square())],
  triu: [c([[3, 4]], (x) => x.triu(1).square())],
  flip: [c([[3, 4]], (x) => x.flip(1).mul(fixed([3, 4], 5))), c([[2, 3, 4]], (x) => x.flip([0, 2]).cumsum(2))],
  mean: [c([[2, 3, 4]], (x) => x.mean([1, 2])), c([[2, 3]], (x) => x.mean())],
  var: [c([[3, 4]], (x) => x.var(1)), c([[3, 4]], (x) => x.var(undefined, { correction: 0 }))],
  std: [c([[3, 4]], (x) => x.std(1)), c([[3, 4]], (x) => x.std(undefined, { correction: 0, keepdim: true }))],
  norm: [c([[3, 4]], (x) => x.norm(1)), c([[3, 4]], (x) => x.norm(undefined, { p: 1 })), c([[2, 3, 4]], (x) => x.norm([0, 2], { p: Infinity, keepdim: true }))],
  maskedFill: [c([[2, 3]], (x) => maskedFill(x, mask, -1).square())],
  maskedSelect: [c([[2, 3]], (x) => x.maskedSelect(mask).square()), c([[4, 1, 3]], (x) => x.maskedSelect(mask).cumsum(0))], // broadcast: x rows repeat
  unbind: [c([[3, 2]], (x) => unbind(x, 1)[1]!.square())],
  repeat: [c([[2, 3]], (x) => x.repeat([2, 1, 2]).cumsum(-1))],
  sort: [c([[3, 4]], (x) => x.sort(1).values.cumsum(1)), c([[4, 3]], (x) => x.sort(0, { descending: true }).values.mul(fixed([4, 3], 6)))],
  topk: [c([[3, 5]], (x) => x.topk(2).values.cumsum(1)), c([[4, 3]], (x) => x.topk(3, { dim: 0, largest: false }).values.square())],
  einsum: [
    c([[2, 3, 4], [2, 4, 5]], (a, b) => einsum("bij,bjk->bik", a, b)),
    c([[1, 2, 3, 4], [1, 2, 5, 4]], (q, k) => einsum("bhqd,bhkd->bhqk", q, k)),
    c([[3, 4]], (x) => einsum("ij->ji", x).mul(fixed([4, 3], 7))),
    c([[3, 4]], (x) => einsum("ij->", x.square())),
    c([[2, 3], [3, 4], [4, 2]], (a, b, d) => einsum("ij,jk,kl->il", a, b, d)),
    c([[3], [4]], (a, b) => einsum("i,j", a, b)), // implicit output "ij": an outer product
  ],
  outer: [c([[3], [4]], (a, b) => a.outer(b)), c([[3]], (a) => a.outer(a))], // fan-out
  stack: [c([[2, 3], [2, 3]], (a, b) => stack([a, b], 1).square())],
  split: [c([[5, 2]], (x) => split(x, 2)[1]!.square())],
  chunk: [c([[2, 6]], (x) => chunk(x, 3, 1)[2]!.exp())],
  narrow: [c([[4, 3]], (x) => x.narrow(0, 1, 2).square())],
  flatten: [c([[2, 3, 2]], (x) => x.flatten(1).square())],
  view: [c([[2, 6]], (x) => x.view([3, 4]).square())],
  transpose: [c([[2, 3, 4]], (x) => x.transpose(0, 2).square())],
  rmsNorm: [c([[2, 3, 4], [4]], (x, w) => rmsNorm(x, w, 1e-5)), c([[3, 5]], (x) => rmsNorm(x, null).mul(x)), c([[4, 3]], (x) => rmsNorm(x.t(), null))],
  layerNorm: [c([[2, 3, 4], [4], [4]], (x, w, b) => layerNorm(x, w, b, 1e-5)), c([[3, 5]], (x) => layerNorm(x, null).mul(x))],
  rope: [c([[2, 3, 2, 4]], (x) => rope(x, rot.cos, rot.sin).mul(x)), c([[1, 2, 3, 4]], (x) => rope(x, rot.cos, rot.sin, 5))],
  scaledDotProductAttention: [
    // grouped-query (4 query heads, 2 kv heads), causal with Tq < Tk (a KV-cached step)
    c([[1, 4, 3, 4], [1, 2, 5, 4], [1, 2, 5, 4]], (q, k, v) => sdpa(q, k, v, { causal: true })),
    c([[2, 2, 3, 2], [2, 2, 4, 2], [2, 2, 4, 2]], (q, k, v) => sdpa(q, k, v).mul(q.sum(2, { keepdim: true }))),
    // strided (B, T, H, hs) → (B, H, T, hs) views, custom scale
    c([[1, 3, 2, 4], [1, 3, 1, 4], [1, 3, 1, 4]], (q, k, v) => sdpa(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), { causal: true, scale: 0.3 })),
  ],
  crossEntropy: [
    c([[4, 5]], (x) => crossEntropy(x, idx([1, -100, 4, 0]))),
    c([[2, 3, 4]], (x) => crossEntropy(x, idx([[0, 3, 1], [2, 2, 0]]), { reduction: "none", ignoreIndex: 2 })),
    c([[3, 4]], (x) => crossEntropy(x.mul(x), idx([3, 3, 0]), { reduction: "sum" })),
  ],
  embedding: [c([[5, 3]], (w) => embedding(w, idx([[1, 4, 1], [0, 0, 2]])).square())],
  siluMul: [c([[2, 3], [2, 3]], (a, b) => siluMul(a, b)), c([[3, 2]], (a) => siluMul(a, a.t().t().mul(2)))], // fan-out: a used twice
  dropout: [c([[3, 4]], (x) => dropout(x, 0.5, true, new Generator(3)).square())],
};

function inputsFor(cs: Case, seed: number): Tensor[] {
  const g = new Generator(seed);
  return cs.shapes.map((s) => {
    const t = randn(s, { dtype: "float64", generator: g });
    if (cs.positive) t.data.forEach((v, i, a) => (a[i] = 0.5 + 2 / (1 + Math.exp(-v))));
    t.requiresGrad = true;
    return t;
  });
}

function opsInGraph(t: Tensor): Set<string> {
  const seen = new Set<Node>();
  const stack = t.gradFn ? [t.gradFn] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) if (i?.gradFn) stack.push(i.gradFn);
  }
  return new Set([...seen].map((n) => n.name));
}

describe("gradcheck (float64 finite differences)", () => {
  for (const [name, cases] of Object.entries(CASES)) {
    cases.forEach((cs, i) => {
      it(`${name} #${i}`, () => {
        expect(gradcheck(cs.fn, inputsFor(cs, 100 + i), cs.opts)).toBe(true);
      });
    });
  }

  it("every registered op appears in the graph of its own cases", () => {
    const missing = DIFFERENTIABLE_OPS.filter(
      (op) => !CASES[op].some((cs) => opsInGraph(cs.fn(...inputsFor(cs, 1))).has(op)),
    );
    expect(missing).toEqual([]);
    expect(Object.keys(CASES).sort()).toEqual([...DIFFERENTIABLE_OPS, ...COMPOSITE_OPS].sort());
  });

  it("gradcheck itself catches a wrong gradient", () => {
    const x = randn([3], { dtype: "float64", requiresGrad: true });
    // detach inside the function hides part of the dependence: analytical ≠ numerical
    expect(gradcheck((t) => t.mul(t.detach()), [x], { raiseException: false })).toBe(false);
    expect(() => gradcheck((t) => t.mul(t.detach()), [x])).toThrow(/Jacobian mismatch for input 0/);
  });

  it("rejects float32 inputs with a clear message", () => {
    const x = randn([2], { requiresGrad: true });
    expect(() => gradcheck((t) => t.exp(), [x])).toThrow(/float64/);
  });
});
