/**
 * @file einsum and outer: each contraction attention and MLPs use against the
 * same computation written with matmul/permute/sum, the implicit output,
 * three operands, and every refusal with its message.
 */
import { describe, expect, it } from "vitest";
import { Generator, einsum, outer, randn, tensor, type Tensor } from "../index.js";

const g = new Generator(0);
const r = (...shape: number[]) => randn(shape, { dtype: "float64", generator: g });
const close = (a: Tensor, b: Tensor) => expect(a).toBeAllclose(b, { atol: 1e-12, rtol: 0 });

describe("einsum", () => {
  it("bij,bjk->bik is a batched matmul", () => {
    const [a, b] = [r(2, 3, 4), r(2, 4, 5)];
    close(einsum("bij,bjk->bik", a, b), a.matmul(b));
  });
  it("bhqd,bhkd->bhqk is attention's scores", () => {
    const [q, k] = [r(2, 3, 4, 5), r(2, 3, 6, 5)];
    close(einsum("bhqd,bhkd->bhqk", q, k), q.matmul(k.transpose(-1, -2)));
  });
  it("transposes, sums and reduces", () => {
    const x = r(3, 4);
    close(einsum("ij->ji", x), x.t());
    close(einsum("ij->", x), x.sum());
    close(einsum("ij->i", x), x.sum(1));
    close(einsum("ij", x), x); // implicit output: i and j appear once, alphabetically
    close(einsum("ji", x), x.t());
  });
  it("contracts three operands and sums indices early", () => {
    const [a, b, c] = [r(2, 3), r(3, 4), r(4, 5)];
    close(einsum("ij,jk,kl->il", a, b, c), a.matmul(b).matmul(c));
    close(einsum("i,j->ij", r(3), r(4)).mul(0), tensor(new Float64Array(12)).reshape([3, 4]));
    const [u, v] = [r(2, 3), r(4, 3)];
    close(einsum("bi,ci->", u, v), u.matmul(v.t()).sum());
  });
  it("refuses what it does not support, naming the problem", () => {
    const x = r(3, 3);
    expect(() => einsum("ii->i", x)).toThrow('einsum: operand 0 repeats index "i"; diagonals and traces are not supported');
    expect(() => einsum("...ij->ij", x)).toThrow('einsum: "...ij->ij" uses "...", which is not supported; write every index out');
    expect(() => einsum("ij,jk->ik", x)).toThrow('einsum: "ij,jk->ik" names 2 operand(s) but 1 were given');
    expect(() => einsum("ijk->i", x)).toThrow('einsum: operand 0 has shape [3, 3] but "ijk" names 3 dim(s)');
    expect(() => einsum("ij,jk->ik", x, r(4, 2))).toThrow('einsum: index "j" has size 3 in one operand but 4 in operand 1');
    expect(() => einsum("ij->k", x)).toThrow('einsum: output index "k" does not appear in any operand of "ij->k"');
    expect(() => einsum("ij->ii", x)).toThrow('einsum: output index "i" appears twice in "ij->ii"');
    expect(() => einsum("ij,jk", x, r(3, 2).to("float32"))).toThrow("einsum: contracting operands needs float tensors of one dtype, got float64 and float32");
    expect(einsum("ij->j", tensor([[1, 2], [3, 4]], { dtype: "int32" })).toArray()).toEqual([4, 6]); // one operand: no matmul, any dtype
    expect(() => einsum("i j -> 2", x)).toThrow('einsum: cannot parse "i j -> 2" (expected e.g. "bij,bjk->bik")');
  });
});

describe("outer", () => {
  it("is a[i]·b[j]", () => {
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(() => tensor([[1]]).outer(tensor([1]))).toThrow("outer: expects two 1-D tensors, got [1, 1] and [1]");
  });
});
