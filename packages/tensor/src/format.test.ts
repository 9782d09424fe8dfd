/**
 * @file PyTorch-style printing: number formats (fixed, integer-valued,
 * scientific), dtype and autograd suffixes, 0-d and empty tensors, nesting
 * and line wrapping, summarisation past 1000 elements, and that
 * `util.inspect`, `console.log` and string conversion all use it.
 */
import { Console } from "node:console";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { arange, formatTensor, ones, tensor, zeros } from "./index.js";

describe("number formats", () => {
  it("floats print with 4 decimals", () => {
    expect(String(tensor([1, 2.5]))).toBe("tensor([1.0000, 2.5000])");
    expect(String(tensor([0.1]))).toBe("tensor([0.1000])");
  });
  it("integer-valued floats print as `1.`", () => {
    expect(String(tensor([1, 2]))).toBe("tensor([1., 2.])");
    expect(String(tensor([0, 0]))).toBe("tensor([0., 0.])");
    expect(String(tensor([-1, 2]))).toBe("tensor([-1.,  2.])");
  });
  it("negative values are right-aligned to a shared width", () => {
    expect(String(tensor([-1.5, 2]))).toBe("tensor([-1.5000,  2.0000])");
  });
  it("scientific notation for tiny, huge or wide-ranging values", () => {
    expect(String(tensor([1e-5, 1]))).toBe("tensor([1.0000e-05, 1.0000e+00])");
    expect(String(tensor([1e10, 1]))).toBe("tensor([1.0000e+10, 1.0000e+00])");
    expect(String(tensor([0.5, 1000.5]))).toBe("tensor([5.0000e-01, 1.0005e+03])");
    expect(String(tensor([-1e-5, 1]))).toBe("tensor([-1.0000e-05,  1.0000e+00])");
  });
  it("nan and inf", () => {
    expect(String(tensor([NaN, 1.5, Infinity]))).toBe("tensor([   nan, 1.5000,    inf])");
    expect(String(tensor([-Infinity, 1.5]))).toBe("tensor([  -inf, 1.5000])");
    expect(String(tensor([NaN, NaN]))).toBe("tensor([nan, nan])");
  });
});

describe("dtype suffixes", () => {
  it("int32 prints plain integers with dtype=int32", () => {
    expect(String(tensor([1, 2, 3], { dtype: "int32" }))).toBe("tensor([1, 2, 3], dtype=int32)");
    expect(String(tensor([-10, 5], { dtype: "int32" }))).toBe("tensor([-10,   5], dtype=int32)");
  });
  it("float64 gets a suffix; float32 (the default) does not", () => {
    expect(String(tensor([1.5, 2], { dtype: "float64" }))).toBe("tensor([1.5000, 2.0000], dtype=float64)");
    expect(String(tensor([1, 2], { dtype: "float64" }))).toBe("tensor([1., 2.], dtype=float64)");
  });
  it("bool prints true/false without a suffix", () => {
    expect(String(tensor([true, false]))).toBe("tensor([ true, false])");
    expect(String(tensor(true))).toBe("tensor(true)");
  });
});

describe("shapes", () => {
  it("0-d tensors print the bare value", () => {
    expect(String(tensor(3.5))).toBe("tensor(3.5000)");
    expect(String(tensor(2))).toBe("tensor(2.)");
    expect(String(tensor(5, { dtype: "int32" }))).toBe("tensor(5, dtype=int32)");
  });
  it("2-D and 3-D nest with aligned rows and blank lines between blocks", () => {
    expect(String(tensor([[1, 2], [3, 4]]))).toBe("tensor([[1., 2.],\n        [3., 4.]])");
    expect(String(zeros([2, 3, 2]))).toBe(
      "tensor([[[0., 0.],\n         [0., 0.],\n         [0., 0.]],\n\n        [[0., 0.],\n         [0., 0.],\n         [0., 0.]]])",
    );
  });
  it("empty tensors", () => {
    expect(String(zeros([0]))).toBe("tensor([])");
    expect(String(zeros([2, 0]))).toBe("tensor([], size=[2, 0])");
  });
  it("non-contiguous tensors print in logical order", () => {
    expect(String(tensor([[1, 2], [3, 4]]).t())).toBe("tensor([[1., 3.],\n        [2., 4.]])");
    expect(String(arange(6).slice(0, 1, 6, 2))).toBe("tensor([1, 3, 5], dtype=int32)");
  });
  it("long rows wrap at 80 columns, continuation lines aligned under the first element", () => {
    const s = String(tensor(Array.from({ length: 30 }, (_, i) => i + 0.5)));
    const lines = s.split("\n");
    expect(lines.length).toBe(4);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toBe("tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,");
    expect(lines[1]).toBe("         8.5000,  9.5000, 10.5000, 11.5000, 12.5000, 13.5000, 14.5000, 15.5000,");
  });
});

describe("summarisation", () => {
  it("up to 1000 elements prints everything", () => {
    const s = String(zeros([1000]));
    expect(s).not.toContain("...");
    expect(s.match(/0\./g)?.length).toBe(1000);
  });
  it("past 1000 elements shows the first and last 3 with `...`", () => {
    const s = String(arange(2000));
    expect(s).toMatch(/^tensor\(\[ {3}0, {4}1, {4}2, +\.\.\., 1997, 1998, 1999\], dtype=int32\)$/);
  });
  it("summarises every dim of a large matrix", () => {
    const s = String(ones([50, 50]));
    const lines = s.split("\n");
    expect(lines.length).toBe(7); // 3 rows, `...`, 3 rows
    expect(lines[3]!.trim()).toBe("...,");
    expect(lines[0]).toMatch(/^tensor\(\[\[1\., 1\., 1\., +\.\.\., 1\., 1\., 1\.\],$/);
  });
  it("the number format only looks at the shown values", () => {
    const x = zeros([2000]);
    x.data[1000] = 1e-9; // hidden in the middle
    expect(String(x)).not.toContain("e-");
  });
});

describe("autograd suffixes", () => {
  it("grad_fn names the producing op", () => {
    const a = tensor([[1, 2]], { requiresGrad: true });
    expect(String(a.matmul(tensor([[1], [1]])))).toBe("tensor([[3.]], grad_fn=<MatmulBackward>)");
    expect(String(a.sum())).toBe("tensor(3., grad_fn=<SumBackward>)");
    expect(String(a.mul(2))).toBe("tensor([[2., 4.]], grad_fn=<MulBackward>)");
  });
  it("a leaf that requires grad says requires_grad=true", () => {
    expect(String(tensor([1, 2], { requiresGrad: true }))).toBe("tensor([1., 2.], requires_grad=true)");
    expect(String(tensor([1], { dtype: "float64", requiresGrad: true }))).toBe("tensor([1.], dtype=float64, requires_grad=true)");
  });
  it("detached tensors print no suffix", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    expect(String(a.mul(2).detach())).toBe("tensor([2., 4.])");
  });
});

describe("integration with Node", () => {
  const t = tensor([[1, 2], [3, 4]]);
  const expected = "tensor([[1., 2.],\n        [3., 4.]])";
  it("toString, template strings and formatTensor agree", () => {
    expect(t.toString()).toBe(expected);
    expect(`${t}`).toBe(expected);
    expect(formatTensor(t)).toBe(expected);
  });
  it("util.inspect uses it", () => {
    expect(inspect(t)).toBe(expected);
    expect(inspect({ w: tensor([1]) })).toBe("{ w: tensor([1.]) }");
  });
  it("console.log uses it", () => {
    let out = "";
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    new Console(sink).log(t);
    expect(out).toBe(`${expected}\n`);
  });
});
