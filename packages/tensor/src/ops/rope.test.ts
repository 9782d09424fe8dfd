/**
 * @file `rope` against HF's composite `x·cos + rotate_half(x)·sin`, the inverse
 * rotation as backward, the position offset, norm preservation and errors.
 */
import { describe, expect, it } from "vitest";
import { Generator, cat, randn, rope, rotaryTables, type Tensor } from "../index.js";

/** HF modeling_llama: `q * cos + rotate_half(q) * sin` with cos/sin duplicated to hs, for x (B, T, nh, hs). */
function hfRope(x: Tensor, cos: Tensor, sin: Tensor, offset: number): Tensor {
  const [, T, , hs] = x.shape as [number, number, number, number];
  const full = (t: Tensor) => cat([t, t], 1).narrow(0, offset, T).unsqueeze(1); // (T, 1, hs)
  const [x1, x2] = [x.narrow(3, 0, hs / 2), x.narrow(3, hs / 2, hs / 2)];
  const rotated = cat([x2.neg(), x1], 3);
  return x.mul(full(cos)).add(rotated.mul(full(sin)));
}

describe("rope", () => {
  const g = new Generator(9);
  const { cos, sin } = rotaryTables(8, 16, 10000, "float64");

  it("matches HF's rotate_half composite at an offset, forward and backward", () => {
    const x = randn([2, 3, 2, 8], { dtype: "float64", generator: g, requiresGrad: true });
    const up = randn([2, 3, 2, 8], { dtype: "float64", generator: g });
    const y = rope(x, cos, sin, 4);
    expect(y).toBeAllclose(hfRope(x, cos, sin, 4), { atol: 1e-12, rtol: 0 });
    y.backward(up);
    const gx = x.grad!;
    x.grad = null;
    hfRope(x, cos, sin, 4).backward(up);
    expect(gx).toBeAllclose(x.grad!, { atol: 1e-12, rtol: 0 });
  });

  it("tables follow θ^(−2i/d); position 0 is the identity; norms are preserved", () => {
    expect(cos.select(0, 0).toArray()).toEqual([1, 1, 1, 1]);
    expect(sin.data[1 * 4 + 1]).toBeCloseTo(Math.sin(10000 ** (-2 / 8)), 14);
    const x = randn([1, 5, 3, 8], { dtype: "float64", generator: g });
    expect(rope(x, cos, sin).narrow(1, 0, 1)).toBeAllclose(x.narrow(1, 0, 1), { atol: 0, rtol: 0 });
    expect(rope(x, cos, sin, 7).square().sum(-1)).toBeAllclose(x.square().sum(-1), { atol: 1e-12, rtol: 0 });
  });

  it("names the op and the shapes on bad input", () => {
    const x = randn([1, 4, 2, 8]);
    expect(() => rope(x, cos, sin, 13)).toThrow("rope: cos must be a float table of shape (P ≥ 17, 4) for input [1, 4, 2, 8] at offset 13, got float64 [16, 4]");
    expect(() => rope(randn([4, 2, 8]), cos, sin)).toThrow("rope: expects input of shape (B, T, nh, hs), got [4, 2, 8]");
    expect(() => rotaryTables(5, 4)).toThrow("rotaryTables: head dim must be a positive even integer, got 5");
  });
});
