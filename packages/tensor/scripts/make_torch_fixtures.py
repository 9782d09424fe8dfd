"""Writes test/fixtures/torch-ops.json: PyTorch reference values for kiln's ops.

Each case is a torch expression over seeded float64 inputs (plus int32 index
and bool mask tensors). The file stores the inputs, the forward output, a
seeded random upstream gradient (never all ones) and the gradient of every
float input, so `test/torch-parity.test.ts` can replay the same expression in
kiln and compare forward values and gradients. Integer and bool results
(indices, tests) are stored without an upstream gradient. multinomial has no
case: torch's random stream differs from kiln's, so only its distribution can
match (tested in ops/multinomial.test.ts).

Run with a Python that has torch (1.13 was used):
    /usr/bin/python3 packages/tensor/scripts/make_torch_fixtures.py
The output is deterministic (torch.manual_seed); floats are written with
repr, which round-trips float64 exactly.
"""

import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
F64 = torch.float64

# ---- seeded input makers -----------------------------------------------------


def randn(*shape, scale=1.0):
    return torch.randn(shape, dtype=F64) * scale


def positive(*shape, lo=0.5, hi=2.5):
    """Uniform in [lo, hi): for log, sqrt, pow's base."""
    return lo + (hi - lo) * torch.rand(shape, dtype=F64)


def away_from_zero(*shape):
    """|x| in [0.5, 1.5) with a random sign: for reciprocal and division."""
    sign = torch.where(torch.rand(shape, dtype=F64) < 0.5, -1.0, 1.0).to(F64)
    return sign * positive(*shape, lo=0.5, hi=1.5)


def halves(*shape):
    """Multiples of 0.5 in [-1, 1]: many exact ties and zeros."""
    return torch.randint(-2, 3, shape).to(F64) / 2


def index(values):
    return torch.tensor(values, dtype=torch.int64)


def mask(*shape):
    return torch.rand(shape) < 0.5


# ---- the cases: name -> (torch function, inputs) -------------------------------
# Inputs are passed positionally, in order; kiln's table uses the same order.

CASES = {}


def case(name, fn, *inputs):
    assert name not in CASES, name
    CASES[name] = (fn, inputs)


# unary
case("neg", lambda x: -x, randn(3, 4))
case("exp", torch.exp, randn(3, 4))
case("log", torch.log, positive(3, 4, lo=0.1, hi=5.0))
case("sqrt", torch.sqrt, positive(3, 4, lo=0.1, hi=5.0))
case("rsqrt", torch.rsqrt, positive(3, 4, lo=0.1, hi=5.0))
case("tanh", torch.tanh, randn(3, 4, scale=2.0))
case("sigmoid", torch.sigmoid, randn(3, 4, scale=4.0))
case("silu", F.silu, randn(3, 4, scale=3.0))
case("gelu", lambda x: F.gelu(x), randn(4, 5, scale=3.0))  # exact (erf) GELU
case("abs", torch.abs, randn(3, 4))
case("abs_zeros", torch.abs, halves(3, 4))
case("relu", torch.relu, randn(3, 4))
case("relu_zeros", torch.relu, halves(3, 4))
case("sin", torch.sin, randn(3, 4, scale=3.0))
case("cos", torch.cos, randn(3, 4, scale=3.0))
case("reciprocal", torch.reciprocal, away_from_zero(3, 4))
case("square", torch.square, randn(3, 4))
case("clamp", lambda x: torch.clamp(x, -0.5, 0.5), randn(3, 4))
case("clamp_bounds", lambda x: torch.clamp(x, -0.5, 0.5), halves(3, 4))
case("clamp_min_only", lambda x: torch.clamp(x, min=-0.25), randn(3, 4))

# binary, with broadcasting on either side
case("add_bcast", torch.add, randn(2, 3, 4), randn(3, 1))
case("sub_bcast", torch.sub, randn(3, 1), randn(2, 3, 4))
case("mul_bcast", torch.mul, randn(2, 1, 4), randn(3, 1))
case("div_bcast", torch.div, randn(2, 3, 4), away_from_zero(4))
case("div_bcast_lhs", torch.div, randn(3, 1), away_from_zero(2, 1, 4))
case("pow_bcast", torch.pow, positive(2, 3, 4), randn(3, 1))
case("maximum_bcast", torch.maximum, randn(2, 3, 4), randn(1, 4))
case("minimum_bcast", torch.minimum, randn(3, 4), randn(2, 1, 4))
case("maximum_ties", torch.maximum, halves(3, 4), halves(3, 4))
case("minimum_ties", torch.minimum, halves(3, 4), halves(4))
case("add_scalar_0d", torch.add, randn(2, 3), randn())
case("mul_scalar", lambda x: x * 2.5 - 1.25, randn(2, 3))
case("pow_scalar", lambda x: x ** 3, randn(2, 3))
# fan-out: one leaf used several times, so gradients must accumulate
case("fanout", lambda x, y: x * x + torch.sin(x) * y - x / (y * y + 1), randn(3, 4), randn(4))

case("where_bcast", torch.where, mask(3, 4), randn(2, 3, 4), randn(4))
case("where_bcast_cond", torch.where, mask(2, 1, 4), randn(3, 1), randn(2, 3, 4))

# reductions
case("sum_all", lambda x: x.sum(), randn(2, 3, 4))
case("sum_dims", lambda x: x.sum((0, 2)), randn(2, 3, 4))
case("sum_keepdim", lambda x: x.sum(1, keepdim=True), randn(2, 3, 4))
case("sum_neg_dim", lambda x: x.sum(-1), randn(2, 3, 4))
case("sum_transposed", lambda x: x.transpose(0, 2).sum(1), randn(2, 3, 4))
case("mean_all", lambda x: x.mean(), randn(2, 3, 4))
case("mean_dims", lambda x: x.mean((0, 2), keepdim=True), randn(2, 3, 4))
case("var_all", lambda x: x.var(), randn(2, 3, 4))
case("var_dim", lambda x: x.var(1), randn(2, 3, 4))
case("var_dims_keepdim", lambda x: x.var((0, 2), keepdim=True), randn(2, 3, 4))
case("var_population", lambda x: x.var(-1, unbiased=False), randn(2, 3, 4))
case("amax_dims", lambda x: x.amax((1, 2)), randn(2, 3, 4))
case("amax_all", lambda x: x.amax(), randn(2, 3, 4))
case("amin_keepdim", lambda x: x.amin(0, keepdim=True), randn(2, 3, 4))
case("amax_ties", lambda x: x.amax(1), halves(3, 5))
case("amin_ties", lambda x: x.amin((0, 2)), halves(2, 3, 4))
case("logsumexp_dim", lambda x: torch.logsumexp(x, 1), randn(2, 3, 4, scale=3.0))
case("logsumexp_dims_keepdim", lambda x: torch.logsumexp(x, (0, 2), keepdim=True), randn(2, 3, 4, scale=3.0))
case("logsumexp_large", lambda x: torch.logsumexp(x, -1), randn(3, 4, scale=3.0) + 500)

# softmax
case("softmax_dim1", lambda x: torch.softmax(x, 1), randn(2, 3, 4, scale=2.0))
case("softmax_last", lambda x: torch.softmax(x, -1), randn(2, 3, 4, scale=2.0))
case("softmax_dim0_transposed", lambda x: torch.softmax(x.transpose(1, 2), 0), randn(2, 3, 4, scale=2.0))
case("log_softmax_dim1", lambda x: torch.log_softmax(x, 1), randn(2, 3, 4, scale=2.0))
case("log_softmax_last", lambda x: torch.log_softmax(x, -1), randn(2, 3, 4, scale=2.0))
case("softmax_large", lambda x: torch.softmax(x, -1), randn(3, 5, scale=50.0))

# matmul
case("matmul_2d", torch.matmul, randn(3, 4), randn(4, 5))
case("matmul_batched_bcast", torch.matmul, randn(2, 1, 3, 4), randn(3, 4, 5))
case("matmul_3d_2d", torch.matmul, randn(2, 3, 4), randn(4, 5))
case("matmul_2d_3d", torch.matmul, randn(3, 4), randn(2, 4, 5))
case("matmul_transposed", lambda a, b: a.t() @ b.t(), randn(4, 3), randn(5, 4))
case("matmul_batched_transposed", lambda a, b: a @ b.transpose(-1, -2), randn(2, 3, 4), randn(2, 5, 4))
case("matmul_vec_mat", torch.matmul, randn(4), randn(4, 5))
case("matmul_mat_vec", torch.matmul, randn(3, 4), randn(4))
case("matmul_vec_vec", torch.matmul, randn(4), randn(4))
case("matmul_vec_batched", torch.matmul, randn(4), randn(2, 4, 3))
case("matmul_17", torch.matmul, randn(1, 17), randn(17, 3))

# views
case("transpose_reshape", lambda x: x.transpose(0, 2).reshape(4, 6).t().reshape(3, 8), randn(2, 3, 4))
case("permute_reshape", lambda x: x.permute(2, 0, 1).reshape(4, 6) * 2, randn(2, 3, 4))
case("permute_flatten_mul", lambda x, w: x.permute(1, 0, 2).flatten(1) * w, randn(2, 3, 4), randn(8))
case("unsqueeze_squeeze", lambda x: x.unsqueeze(1).squeeze(0).unsqueeze(-1), randn(1, 3, 4))
case("expand", lambda x: x.expand(2, 3, 4), randn(3, 1))
case("expand_new_dims", lambda x: x.expand(2, 3, 4) * 1.5, randn(4))
case("narrow", lambda x: x.narrow(1, 1, 2), randn(2, 4, 3))
case("slice_step", lambda x: x[:, 1::2], randn(3, 7))
case("slice_step_last", lambda x: x[..., 0:4:3], randn(2, 3, 5))
case("slice_of_transpose", lambda x: x.t()[1:3:1, ::2], randn(5, 4))
case("select", lambda x: x.select(1, 2), randn(2, 4, 3))
case("select_negative", lambda x: x.select(-1, -1), randn(2, 4, 3))

# indexing
case("index_select_repeat", lambda x, i: x.index_select(0, i), randn(4, 3), index([2, 0, 2, 3, 2]))
case("index_select_dim1", lambda x, i: x.index_select(1, i), randn(2, 4, 3), index([3, 3, 1]))
case("gather_dim1", lambda x, i: x.gather(1, i), randn(3, 4), index([[0, 0], [3, 1], [2, 2]]))
case("gather_dim0", lambda x, i: x.gather(0, i), randn(4, 3), index([[3, 0, 1], [3, 3, 0]]))
case("scatter_add_dim0", lambda x, i, s: x.scatter_add(0, i, s), randn(3, 5), index([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]]), randn(2, 5))
case("scatter_add_dim1", lambda x, i, s: x.scatter_add(1, i, s), randn(2, 4), index([[1, 1, 3], [0, 2, 0]]), randn(2, 3))

# assembling
case("cat_dim0", lambda a, b, c: torch.cat([a, b, c], 0), randn(2, 3), randn(1, 3), randn(4, 3))
case("cat_dim1", lambda a, b: torch.cat([a, b], 1), randn(2, 3, 4), randn(2, 1, 4))
case("cat_same_twice", lambda a, b: torch.cat([a, b, a], -1), randn(2, 3), randn(2, 2))
case("stack_dim0", lambda a, b: torch.stack([a, b]), randn(3, 4), randn(3, 4))
case("stack_dim1", lambda a, b, c: torch.stack([a, b, c], 1), randn(2, 4), randn(2, 4), randn(2, 4))
case("tril", lambda x: x.tril(), randn(4, 5))
case("tril_plus1", lambda x: x.tril(1), randn(4, 5))
case("tril_minus1_batched", lambda x: x.tril(-1), randn(2, 4, 4))
case("triu", lambda x: x.triu(), randn(4, 5))
case("triu_plus2", lambda x: x.triu(2), randn(4, 5))
case("triu_minus1_batched", lambda x: x.triu(-1), randn(2, 3, 4))
case("masked_fill", lambda x, m: x.masked_fill(m, -1.5), randn(2, 3, 4), mask(3, 4))
case("masked_fill_causal", lambda x, m: x.masked_fill(m, float("-inf")).softmax(-1), randn(2, 4, 4), torch.ones(4, 4, dtype=torch.bool).triu(1))

# 0-d tensors (dim 0 / -1 is valid for a 0-d tensor, as in torch)
case("exp_0d", torch.exp, randn())
case("mul_0d", torch.mul, randn(), randn())
case("sum_0d_dim", lambda x: x.sum(0), randn())
case("mean_0d", lambda x: x.mean(), randn())
case("amax_0d", lambda x: x.amax(), randn())
case("logsumexp_0d", lambda x: torch.logsumexp(x, 0), randn())
case("softmax_0d", lambda x: torch.softmax(x, 0), randn())
case("log_softmax_0d", lambda x: torch.log_softmax(x, -1), randn())
case("transpose_0d", lambda x: x.transpose(0, -1) * 2, randn())

# ops on broadcast (stride-0) and strided views
case("softmax_of_expand", lambda x: x.expand(2, 3, 4).softmax(1), randn(1, 3, 4))
case("reshape_of_expand", lambda x: x.expand(3, 4).reshape(12), randn(3, 1))
case("matmul_expanded", lambda a, b: a.expand(2, 3, 4) @ b, randn(3, 4), randn(2, 4, 5))
case("matmul_sliced", lambda a, b: a[:, ::2] @ b[1:], randn(3, 8), randn(5, 2))
case("gather_transposed", lambda x, i: x.t().gather(1, i), randn(4, 3), index([[0, 3], [1, 1], [2, 0]]))


# the methods PyTorch users expect (issue 20). NOTE: drawn from their own seed and the global
# state restored after, so the upstream gradients of the cases above stay as they were
_state_before = torch.get_rng_state()
torch.manual_seed(20)
case("round", lambda x: torch.round(x * 3), randn(3, 4))
case("round_halves_to_even", torch.round, halves(3, 4) * 5)
case("floor", torch.floor, randn(3, 4, scale=3.0))
case("ceil", torch.ceil, randn(3, 4, scale=3.0))
case("sign", lambda x: torch.sign(x) * x, halves(3, 4))
case("cumsum_dim1", lambda x: torch.cumsum(x, 1), randn(2, 3, 4))
case("cumsum_transposed", lambda x: torch.cumsum(x.transpose(0, 2), 0), randn(2, 3, 4))
case("flip", lambda x: torch.flip(x, (0, 2)), randn(2, 3, 4))
case("repeat", lambda x: x.repeat(2, 1, 3), randn(2, 3))
case("unbind", lambda x: torch.unbind(x, 1)[1] * 2, randn(2, 3, 4))
case("std_dim", lambda x: x.std(1), randn(2, 3, 4))
case("std_all_population", lambda x: x.std(unbiased=False), randn(2, 3, 4))
case("std_dims_keepdim", lambda x: x.std((0, 2), keepdim=True), randn(2, 3, 4))
case("norm_2_dim", lambda x: torch.linalg.vector_norm(x, 2, 1), randn(2, 3, 4))
case("norm_1_all", lambda x: torch.linalg.vector_norm(x, 1), randn(2, 3, 4))
case("norm_inf_dims", lambda x: torch.linalg.vector_norm(x, float("inf"), (0, 2), keepdim=True), randn(2, 3, 4))
case("sort_values", lambda x: torch.sort(x, 1).values, randn(2, 5, 3))
case("sort_descending_dim0", lambda x: torch.sort(x, 0, descending=True).values, randn(4, 3))
case("sort_indices", lambda x: torch.sort(x, -1).indices, randn(3, 5))
case("argsort_descending", lambda x: torch.argsort(x, 0, descending=True), randn(4, 3))
case("topk_values", lambda x: torch.topk(x, 2).values, randn(3, 5))
case("topk_smallest_dim0", lambda x: torch.topk(x, 3, 0, largest=False).values, randn(5, 2))
case("topk_indices", lambda x: torch.topk(x, 2, 1).indices, randn(3, 5))
case("any_dim", lambda x: (x > 1).any(1), randn(4, 3))
case("all_dim", lambda x: (x > -1).all(0), randn(4, 3))
case("isnan", lambda x: torch.isnan(torch.log(x)), halves(3, 4))
case("isinf", lambda x: torch.isinf(torch.log(x)), halves(3, 4))
case("isfinite", lambda x: torch.isfinite(torch.log(x)), halves(3, 4))
case("where_method", lambda c, x, y: x.where(c, y), mask(3, 4), randn(3, 4), randn(4))
case("einsum_bmm", lambda a, b: torch.einsum("bij,bjk->bik", a, b), randn(2, 3, 4), randn(2, 4, 5))
case("einsum_attention", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), randn(1, 2, 3, 4), randn(1, 2, 5, 4))
case("einsum_transpose", lambda x: torch.einsum("ij->ji", x), randn(3, 4))
case("einsum_sum", lambda x: torch.einsum("ij->", x), randn(3, 4))
case("einsum_three", lambda a, b, c: torch.einsum("ij,jk,kl->il", a, b, c), randn(2, 3), randn(3, 4), randn(4, 2))
case("einsum_implicit_outer", lambda a, b: torch.einsum("i,j", a, b), randn(3), randn(4))
case("outer", torch.outer, randn(3), randn(4))
case("masked_select", torch.masked_select, randn(2, 3, 4), mask(3, 4))
# an all-zero row: torch's 2-norm gradient there is 0, not 0/0
case("norm_2_zero_row", lambda x: torch.linalg.vector_norm(x * torch.tensor([[0.0], [1.0], [1.0]], dtype=F64), 2, 1), randn(3, 4))
torch.set_rng_state(_state_before)


# ---- evaluation and output ------------------------------------------------------


def dump(t):
    """A tensor as {dtype, shape, data} with its elements flattened row-major."""
    if t.dtype == torch.bool:
        dtype, data = "bool", [int(v) for v in t.flatten().tolist()]
    elif t.dtype == torch.int64:
        dtype, data = "int32", t.flatten().tolist()
    else:
        assert t.dtype == F64, t.dtype
        dtype, data = "float64", [float(v) for v in t.flatten().tolist()]
    return {"dtype": dtype, "shape": list(t.shape), "data": data}


def float32_exact(t):
    """`t` rounded to the nearest float32 values (still float64)."""
    return t.to(torch.float32).to(F64) if t.is_floating_point() else t


def run(fn, inputs):
    # NOTE: inputs and upstream are float32-representable, so kiln's float32 run sees exactly
    # torch's inputs and its error measures float32 arithmetic, not input rounding
    inputs = [float32_exact(t) for t in inputs]
    args = [t.clone().requires_grad_(True) if t.is_floating_point() else t for t in inputs]
    out = fn(*args)
    if not out.is_floating_point():
        # index and bool results (argsort, isnan, any): compared as values, with no gradient
        return {"inputs": [dump(t) for t in inputs], "output": dump(out), "upstream": None, "grads": [None] * len(args)}
    assert out.dtype == F64, out.dtype
    upstream = float32_exact(torch.randn(out.shape, dtype=F64))
    out.backward(upstream)
    grads = []
    for a in args:
        if not a.is_floating_point():
            grads.append(None)
        else:
            grads.append(dump(a.grad if a.grad is not None else torch.zeros_like(a)))
    return {
        "inputs": [dump(t) for t in inputs],
        "output": dump(out.detach()),
        "upstream": dump(upstream),
        "grads": grads,
    }


def main():
    cases = {name: run(fn, inputs) for name, (fn, inputs) in CASES.items()}
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "test", "fixtures", "torch-ops.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write('{"torch": %s, "seed": 0, "cases": {\n' % json.dumps(torch.__version__))
        lines = ["%s: %s" % (json.dumps(name), json.dumps(c, separators=(",", ":"), allow_nan=False)) for name, c in cases.items()]
        f.write(",\n".join(lines))
        f.write("\n}}\n")
    print("wrote %d cases to %s (%d bytes)" % (len(cases), os.path.normpath(path), os.path.getsize(path)))


if __name__ == "__main__":
    main()
