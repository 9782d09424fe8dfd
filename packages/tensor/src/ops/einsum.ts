/**
 * @file `einsum` (Einstein summation) and `outer`, composed from permute,
 * reshape, sum and batched matmul — so their gradients come from those ops.
 * Operands are contracted pairwise from the left: each pair becomes one
 * `(batch, m, k) @ (batch, k, n)` matmul; indices no later term needs are
 * summed out first. Not supported (refused by name): `...` and an index
 * repeated within one operand (diagonals, traces).
 */
import { isFloat } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { fmtShape } from "../shape.js";
import { sum } from "./reduce.js";
import { checkTensor } from "./util.js";

/** A tensor with one index letter per dim. */
interface Term {
  t: Tensor;
  idx: string[];
}

function parse(equation: string, operands: readonly Tensor[]): { inputs: string[][]; output: string[] } {
  const eq = equation.replace(/\s+/g, "");
  if (eq.includes("...")) throw new RangeError(`einsum: "${equation}" uses "...", which is not supported; write every index out`);
  if (!/^[a-zA-Z,]*(->[a-zA-Z]*)?$/.test(eq)) throw new RangeError(`einsum: cannot parse "${equation}" (expected e.g. "bij,bjk->bik")`);
  const [lhs, rhs] = eq.split("->") as [string, string | undefined];
  const inputs = lhs.split(",").map((s) => [...s]);
  if (inputs.length !== operands.length) {
    throw new RangeError(`einsum: "${equation}" names ${inputs.length} operand(s) but ${operands.length} were given`);
  }
  const counts = new Map<string, number>();
  inputs.forEach((idx, i) => {
    const t = operands[i]!;
    checkTensor(t, "einsum", `operands[${i}]`);
    if (idx.length !== t.ndim) throw new RangeError(`einsum: operand ${i} has shape ${fmtShape(t.shape)} but "${idx.join("")}" names ${idx.length} dim(s)`);
    const dup = idx.find((c, k) => idx.indexOf(c) !== k);
    if (dup !== undefined) throw new RangeError(`einsum: operand ${i} repeats index "${dup}"; diagonals and traces are not supported`);
    for (const c of idx) counts.set(c, (counts.get(c) ?? 0) + 1);
  });
  // implicit output: the indices that appear once, in alphabetical order (as NumPy and torch)
  const output = rhs === undefined ? [...counts.keys()].filter((c) => counts.get(c) === 1).sort() : [...rhs];
  for (const [k, c] of output.entries()) {
    if (!counts.has(c)) throw new RangeError(`einsum: output index "${c}" does not appear in any operand of "${equation}"`);
    if (output.indexOf(c) !== k) throw new RangeError(`einsum: output index "${c}" appears twice in "${equation}"`);
  }
  return { inputs, output };
}

function checkSizes(terms: readonly Term[]): Map<string, number> {
  const sizes = new Map<string, number>();
  terms.forEach(({ t, idx }, i) =>
    idx.forEach((c, d) => {
      const s = sizes.get(c);
      if (s !== undefined && s !== t.shape[d]) throw new RangeError(`einsum: index "${c}" has size ${s} in one operand but ${t.shape[d]} in operand ${i}`);
      sizes.set(c, t.shape[d]!);
    }),
  );
  return sizes;
}

/** Sums out the indices of `a` that are not in `keep`. */
function sumOut(a: Term, keep: ReadonlySet<string>): Term {
  const dims = a.idx.flatMap((c, d) => (keep.has(c) ? [] : [d]));
  if (dims.length === 0) return a;
  return { t: sum(a.t, dims), idx: a.idx.filter((c) => keep.has(c)) };
}

/** `a` permuted to `order` and reshaped to three dims of the given letter groups' sizes. */
function as3d(a: Term, groups: readonly string[][], sizes: ReadonlyMap<string, number>): Tensor {
  const order = groups.flat().map((c) => a.idx.indexOf(c));
  const size = (g: readonly string[]) => g.reduce((p, c) => p * sizes.get(c)!, 1);
  return a.t.permute(order).reshape(groups.map(size));
}

/** Contracts two terms into one holding batch, then a's free, then b's free indices. */
function contract(a: Term, b: Term, keep: ReadonlySet<string>, sizes: ReadonlyMap<string, number>): Term {
  if (!isFloat(a.t.dtype) || a.t.dtype !== b.t.dtype) {
    throw new TypeError(`einsum: contracting operands needs float tensors of one dtype, got ${a.t.dtype} and ${b.t.dtype}`);
  }
  const inB = new Set(b.idx);
  const batch = a.idx.filter((c) => inB.has(c) && keep.has(c));
  const summed = a.idx.filter((c) => inB.has(c) && !keep.has(c));
  const aFree = a.idx.filter((c) => !inB.has(c));
  const bFree = b.idx.filter((c) => !a.idx.includes(c));
  // NOTE: b as (batch, n, k) transposed when it is already laid out that way, so `…qd,…kd` needs no copy
  const bTransposed = [...batch, ...bFree, ...summed].every((c, i) => b.idx[i] === c);
  const left = as3d(a, [batch, aFree, summed], sizes); // (nb, m, k)
  const right = bTransposed ? as3d(b, [batch, bFree, summed], sizes).transpose(1, 2) : as3d(b, [batch, summed, bFree], sizes); // (nb, k, n)
  const idx = [...batch, ...aFree, ...bFree];
  return { t: left.matmul(right).reshape(idx.map((c) => sizes.get(c)!)), idx };
}

/**
 * Einstein summation (`torch.einsum`): `einsum("bij,bjk->bik", a, b)` is a batched
 * matmul, `einsum("ij->ji", x)` a transpose, `einsum("ij->", x)` a sum. Without
 * `->` the output holds the indices that appear once, alphabetically.
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  const { inputs, output } = parse(equation, operands);
  let terms: Term[] = inputs.map((idx, i) => ({ t: operands[i]!, idx }));
  const sizes = checkSizes(terms);
  const neededAfter = (from: number) => new Set([...output, ...terms.slice(from).flatMap((t) => t.idx)]);
  terms = terms.map((term, i) => sumOut(term, new Set([...output, ...terms.filter((_, j) => j !== i).flatMap((t) => t.idx)])));
  let acc = terms[0]!;
  for (let i = 1; i < terms.length; i++) {
    const keep = neededAfter(i + 1);
    acc = contract(sumOut(acc, new Set([...keep, ...terms[i]!.idx])), terms[i]!, keep, sizes);
  }
  acc = sumOut(acc, new Set(output));
  return acc.t.permute(output.map((c) => acc.idx.indexOf(c)));
}

/** The outer product of two 1-D tensors: `y[i, j] = a[i]·b[j]` (`torch.outer`). */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "outer");
  checkTensor(b, "outer", "other");
  if (a.ndim !== 1 || b.ndim !== 1) throw new RangeError(`outer: expects two 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}
