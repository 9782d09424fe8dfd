/**
 * @file Parity with PyTorch: replays every case of `fixtures/torch-ops.json`
 * (written by `scripts/make_torch_fixtures.py`) in kiln, in float64 and in
 * float32, and compares the forward value and every input's gradient under
 * the stored (non-ones) upstream gradient.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { Storage, Tensor, cat, einsum, stack, tensor, where, type FloatDType } from "../src/index.js";

/** One stored tensor: elements flattened row-major. */
interface Stored {
  dtype: "float64" | "int32" | "bool";
  shape: number[];
  data: number[];
}

interface Fixture {
  inputs: Stored[];
  /** float64, or int32/bool for index and test results (which have no gradient). */
  output: Stored;
  /** null when the output is not float. */
  upstream: Stored | null;
  /** One per input; null for index and mask inputs, and for every input of a non-float output. */
  grads: (Stored | null)[];
}

// NOTE: typing the table by the fixture file's own keys makes a case missing on either side a `tsc` error
type CaseName = keyof (typeof import("./fixtures/torch-ops.json", { with: { type: "json" } }))["cases"];
type Expr = (...inputs: Tensor[]) => Tensor;

/** Each case's kiln expression; inputs arrive in the fixture's order (the torch lambda's). */
const KILN: Record<CaseName, Expr> = {
  neg: (x) => x.neg(),
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  sqrt: (x) => x.sqrt(),
  rsqrt: (x) => x.rsqrt(),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  silu: (x) => x.silu(),
  gelu: (x) => x.gelu(),
  abs: (x) => x.abs(),
  abs_zeros: (x) => x.abs(),
  relu: (x) => x.relu(),
  relu_zeros: (x) => x.relu(),
  sin: (x) => x.sin(),
  cos: (x) => x.cos(),
  reciprocal: (x) => x.reciprocal(),
  square: (x) => x.square(),
  clamp: (x) => x.clamp(-0.5, 0.5),
  clamp_bounds: (x) => x.clamp(-0.5, 0.5),
  clamp_min_only: (x) => x.clamp(-0.25),

  add_bcast: (a, b) => a.add(b),
  sub_bcast: (a, b) => a.sub(b),
  mul_bcast: (a, b) => a.mul(b),
  div_bcast: (a, b) => a.div(b),
  div_bcast_lhs: (a, b) => a.div(b),
  pow_bcast: (a, b) => a.pow(b),
  maximum_bcast: (a, b) => a.maximum(b),
  minimum_bcast: (a, b) => a.minimum(b),
  maximum_ties: (a, b) => a.maximum(b),
  minimum_ties: (a, b) => a.minimum(b),
  add_scalar_0d: (a, b) => a.add(b),
  mul_scalar: (x) => x.mul(2.5).sub(1.25),
  pow_scalar: (x) => x.pow(3),
  fanout: (x, y) => x.mul(x).add(x.sin().mul(y)).sub(x.div(y.mul(y).add(1))),
  where_bcast: (c, a, b) => where(c, a, b),
  where_bcast_cond: (c, a, b) => where(c, a, b),

  sum_all: (x) => x.sum(),
  sum_dims: (x) => x.sum([0, 2]),
  sum_keepdim: (x) => x.sum(1, { keepdim: true }),
  sum_neg_dim: (x) => x.sum(-1),
  sum_transposed: (x) => x.transpose(0, 2).sum(1),
  mean_all: (x) => x.mean(),
  mean_dims: (x) => x.mean([0, 2], { keepdim: true }),
  var_all: (x) => x.var(),
  var_dim: (x) => x.var(1),
  var_dims_keepdim: (x) => x.var([0, 2], { keepdim: true }),
  var_population: (x) => x.var(-1, { correction: 0 }),
  amax_dims: (x) => x.max([1, 2]),
  amax_all: (x) => x.max(),
  amin_keepdim: (x) => x.min(0, { keepdim: true }),
  amax_ties: (x) => x.max(1),
  amin_ties: (x) => x.min([0, 2]),
  logsumexp_dim: (x) => x.logsumexp(1),
  logsumexp_dims_keepdim: (x) => x.logsumexp([0, 2], { keepdim: true }),
  logsumexp_large: (x) => x.logsumexp(-1),

  softmax_dim1: (x) => x.softmax(1),
  softmax_last: (x) => x.softmax(-1),
  softmax_dim0_transposed: (x) => x.transpose(1, 2).softmax(0),
  log_softmax_dim1: (x) => x.logSoftmax(1),
  log_softmax_last: (x) => x.logSoftmax(-1),
  softmax_large: (x) => x.softmax(-1),

  matmul_2d: (a, b) => a.matmul(b),
  matmul_batched_bcast: (a, b) => a.matmul(b),
  matmul_3d_2d: (a, b) => a.matmul(b),
  matmul_2d_3d: (a, b) => a.matmul(b),
  matmul_transposed: (a, b) => a.t().matmul(b.t()),
  matmul_batched_transposed: (a, b) => a.matmul(b.transpose(-1, -2)),
  matmul_vec_mat: (a, b) => a.matmul(b),
  matmul_mat_vec: (a, b) => a.matmul(b),
  matmul_vec_vec: (a, b) => a.matmul(b),
  matmul_vec_batched: (a, b) => a.matmul(b),
  matmul_17: (a, b) => a.matmul(b),

  transpose_reshape: (x) => x.transpose(0, 2).reshape([4, 6]).t().reshape([3, 8]),
  permute_reshape: (x) => x.permute([2, 0, 1]).reshape([4, 6]).mul(2),
  permute_flatten_mul: (x, w) => x.permute([1, 0, 2]).flatten(1).mul(w),
  unsqueeze_squeeze: (x) => x.unsqueeze(1).squeeze(0).unsqueeze(-1),
  expand: (x) => x.expand([2, 3, 4]),
  expand_new_dims: (x) => x.expand([2, 3, 4]).mul(1.5),
  narrow: (x) => x.narrow(1, 1, 2),
  slice_step: (x) => x.slice(1, 1, undefined, 2),
  slice_step_last: (x) => x.slice(-1, 0, 4, 3),
  slice_of_transpose: (x) => x.t().slice(0, 1, 3, 1).slice(1, 0, undefined, 2),
  select: (x) => x.select(1, 2),
  select_negative: (x) => x.select(-1, -1),

  index_select_repeat: (x, i) => x.indexSelect(0, i),
  index_select_dim1: (x, i) => x.indexSelect(1, i),
  gather_dim1: (x, i) => x.gather(1, i),
  gather_dim0: (x, i) => x.gather(0, i),
  scatter_add_dim0: (x, i, s) => x.scatterAdd(0, i, s),
  scatter_add_dim1: (x, i, s) => x.scatterAdd(1, i, s),

  cat_dim0: (a, b, c) => cat([a, b, c], 0),
  cat_dim1: (a, b) => cat([a, b], 1),
  cat_same_twice: (a, b) => cat([a, b, a], -1),
  stack_dim0: (a, b) => stack([a, b]),
  stack_dim1: (a, b, c) => stack([a, b, c], 1),
  tril: (x) => x.tril(),
  tril_plus1: (x) => x.tril(1),
  tril_minus1_batched: (x) => x.tril(-1),
  triu: (x) => x.triu(),
  triu_plus2: (x) => x.triu(2),
  triu_minus1_batched: (x) => x.triu(-1),
  masked_fill: (x, m) => x.maskedFill(m, -1.5),
  masked_fill_causal: (x, m) => x.maskedFill(m, -Infinity).softmax(-1),

  exp_0d: (x) => x.exp(),
  mul_0d: (a, b) => a.mul(b),
  sum_0d_dim: (x) => x.sum(0),
  mean_0d: (x) => x.mean(),
  amax_0d: (x) => x.max(),
  logsumexp_0d: (x) => x.logsumexp(0),
  softmax_0d: (x) => x.softmax(0),
  log_softmax_0d: (x) => x.logSoftmax(-1),
  transpose_0d: (x) => x.transpose(0, -1).mul(2),

  softmax_of_expand: (x) => x.expand([2, 3, 4]).softmax(1),
  reshape_of_expand: (x) => x.expand([3, 4]).reshape([12]),
  matmul_expanded: (a, b) => a.expand([2, 3, 4]).matmul(b),
  matmul_sliced: (a, b) => a.slice(1, 0, undefined, 2).matmul(b.slice(0, 1)),
  gather_transposed: (x, i) => x.t().gather(1, i),

  round: (x) => x.mul(3).round(),
  round_halves_to_even: (x) => x.round(),
  floor: (x) => x.floor(),
  ceil: (x) => x.ceil(),
  sign: (x) => x.sign().mul(x),
  cumsum_dim1: (x) => x.cumsum(1),
  cumsum_transposed: (x) => x.transpose(0, 2).cumsum(0),
  flip: (x) => x.flip([0, 2]),
  repeat: (x) => x.repeat([2, 1, 3]),
  unbind: (x) => x.unbind(1)[1]!.mul(2),
  std_dim: (x) => x.std(1),
  std_all_population: (x) => x.std(undefined, { correction: 0 }),
  std_dims_keepdim: (x) => x.std([0, 2], { keepdim: true }),
  norm_2_dim: (x) => x.norm(1),
  norm_1_all: (x) => x.norm(undefined, { p: 1 }),
  norm_inf_dims: (x) => x.norm([0, 2], { p: Infinity, keepdim: true }),
  sort_values: (x) => x.sort(1).values,
  sort_descending_dim0: (x) => x.sort(0, { descending: true }).values,
  sort_indices: (x) => x.sort(-1).indices,
  argsort_descending: (x) => x.argsort(0, { descending: true }),
  topk_values: (x) => x.topk(2).values,
  topk_smallest_dim0: (x) => x.topk(3, { dim: 0, largest: false }).values,
  topk_indices: (x) => x.topk(2, { dim: 1 }).indices,
  any_dim: (x) => x.gt(1).any(1),
  all_dim: (x) => x.gt(-1).all(0),
  isnan: (x) => x.log().isnan(),
  isinf: (x) => x.log().isinf(),
  isfinite: (x) => x.log().isfinite(),
  where_method: (c, x, y) => x.where(c, y),
  einsum_bmm: (a, b) => einsum("bij,bjk->bik", a, b),
  einsum_attention: (q, k) => einsum("bhqd,bhkd->bhqk", q, k),
  einsum_transpose: (x) => einsum("ij->ji", x),
  einsum_sum: (x) => einsum("ij->", x),
  einsum_three: (a, b, c) => einsum("ij,jk,kl->il", a, b, c),
  einsum_implicit_outer: (a, b) => einsum("i,j", a, b),
  outer: (a, b) => a.outer(b),
  masked_select: (x, m) => x.maskedSelect(m),
  norm_2_zero_row: (x) => x.mul(tensor([[0], [1], [1]], { dtype: x.dtype })).norm(1),
};

interface Tol {
  rtol: number;
  atol: number;
}
/** Relative tolerance and absolute floor per float dtype: pass when `|a − e| ≤ atol + rtol·|e|`. */
const TOL: Record<FloatDType, Tol> = {
  float64: { rtol: 1e-10, atol: 1e-12 },
  float32: { rtol: 1e-5, atol: 1e-6 },
};
/** Per-case overrides, each with the reason it is legitimately less exact. */
const LOOSER: Partial<Record<CaseName, Partial<Record<FloatDType, Tol>>>> = {
  // inputs ≈ 500: the float32 result is rounded to its ulp (3e-5) and backward's exp(x − lse) inherits
  // that; torch's own float32 gradient is off from float64 by 1.15e-5 (kiln's by 1.4e-5)
  logsumexp_large: { float32: { rtol: 5e-5, atol: 1e-6 } },
};

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/torch-ops.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: Record<string, Fixture>;
};

/** How {@link load} lays out a tensor's elements. */
type Layout = "contiguous" | "strided";

/**
 * A leaf tensor holding the stored elements, float data cast to `float`.
 * `strided` lays the elements out with reversed dims (a transposed view) after
 * 3 NaN-filled slots, so kernels that ignore strides or the offset read garbage.
 */
function load(s: Stored, float: FloatDType, layout: Layout = "contiguous"): Tensor {
  const dtype = s.dtype === "float64" ? float : s.dtype;
  if (layout === "contiguous") {
    const t = Tensor.empty(dtype, s.shape);
    t.data.set(s.data);
    return t;
  }
  const pad = 3;
  const storage = Storage.zeros(dtype, s.data.length + pad);
  if (dtype !== "int32" && dtype !== "bool") storage.data.fill(NaN);
  const strides = new Array<number>(s.shape.length);
  for (let d = 0, acc = 1; d < s.shape.length; d++) {
    strides[d] = acc;
    acc *= s.shape[d]!;
  }
  const idx = new Array<number>(s.shape.length).fill(0);
  for (let i = 0; i < s.data.length; i++) {
    storage.data[pad + idx.reduce((at, v, d) => at + v * strides[d]!, 0)] = s.data[i]!;
    for (let d = s.shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < s.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return new Tensor(storage, s.shape, strides, pad);
}

/** The elements of `t` in row-major order as plain numbers. */
function flat(t: Tensor): number[] {
  return Array.from(t.detach().contiguous().data, Number);
}

/** Largest `|a − e| / (atol/rtol + |e|)` over the elements: ≤ rtol means within tolerance. */
function worstError(actual: readonly number[], expected: readonly number[], tol: Tol): { err: number; at: number } {
  let err = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const d = a === e ? 0 : Number.isNaN(a) || Number.isNaN(e) ? Infinity : Math.abs(a - e) / (tol.atol / tol.rtol + Math.abs(e));
    if (d > err || at < 0) {
      err = d;
      at = i;
    }
  }
  return { err, at };
}

const worst: Record<FloatDType, { err: number; where: string }> = {
  float32: { err: 0, where: "" },
  float64: { err: 0, where: "" },
};

function compare(what: string, actual: Tensor, expected: Stored, dtype: FloatDType, tol: Tol): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what}: dtype`).toBe(expected.dtype === "float64" ? dtype : expected.dtype);
  const a = flat(actual);
  const { err, at } = worstError(a, expected.data, tol);
  if (err <= tol.rtol && err > worst[dtype].err) worst[dtype] = { err, where: what };
  const detail = `${what}: element ${at} is ${a[at]}, torch gives ${expected.data[at]} (error ${err.toExponential(2)} > ${tol.rtol})`;
  expect(err <= tol.rtol, detail).toBe(true);
}

const names = Object.keys(KILN) as CaseName[];

it("the fixture file and the kiln table name the same cases", () => {
  expect(Object.keys(fixtures.cases).sort()).toEqual([...names].sort());
});

// float64 and float32 with contiguous leaves; float64 again with every input and the upstream gradient strided
const RUNS: [FloatDType, Layout][] = [["float64", "contiguous"], ["float32", "contiguous"], ["float64", "strided"]];

describe.each(RUNS)("torch parity in %s, %s inputs", (dtype, layout) => {
  it.each(names)("%s", (name) => {
    const fx = fixtures.cases[name];
    if (fx === undefined) throw new Error(`torch-ops.json has no case ${name}; rerun scripts/make_torch_fixtures.py`);
    const expr = KILN[name];
    expect(expr.length, `${name}: the kiln expression takes ${expr.length} inputs, the fixture has ${fx.inputs.length}`).toBe(fx.inputs.length);
    const tol = LOOSER[name]?.[dtype] ?? TOL[dtype];
    const inputs = fx.inputs.map((s) => {
      const t = load(s, dtype, layout);
      return s.dtype === "float64" ? t.requiresGrad_() : t;
    });
    const out = expr(...inputs);
    compare(`${name} forward`, out, fx.output, dtype, tol);
    if (fx.upstream === null) return; // an index or bool result: nothing to differentiate
    out.backward(load(fx.upstream, dtype, layout));
    fx.grads.forEach((g, i) => {
      if (g === null) return;
      const got = inputs[i]!.grad;
      expect(got, `${name}: input ${i} has no gradient`).not.toBeNull();
      compare(`${name} grad of input ${i}`, got!, g, dtype, tol);
    });
  });
});

afterAll(() => {
  // PARITY_REPORT=1 prints the largest error among passing comparisons per dtype (failures report their own)
  if (process.env.PARITY_REPORT) {
    for (const [dtype, w] of Object.entries(worst)) console.log(`torch parity ${dtype}: max error ${w.err.toExponential(3)} at ${w.where}`);
  }
});
