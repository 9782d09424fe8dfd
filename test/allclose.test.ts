/**
 * @file The shared `toBeAllclose` matcher (test/setup/allclose.ts): its
 * tolerance rule, shapes, NaN and infinities, and the failure message.
 */
import { tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";

describe("toBeAllclose", () => {
  it("passes within atol + rtol·|expected| and fails just beyond it", () => {
    expect([1, 100]).toBeAllclose([1.05, 110], { atol: 0.1, rtol: 0.1 });
    expect(() => expect([1, 100]).toBeAllclose([1.05, 112], { atol: 0.1, rtol: 0.1 })).toThrow(
      "1 of 2 elements differ beyond atol 0.1, rtol 0.1; worst at [1]: received 100, expected 112",
    );
    expect([1]).not.toBeAllclose([1 + 1e-4]);
  });

  it("compares tensors, nested arrays and typed arrays by shape", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(t).toBeAllclose([[1, 2], [3, 4]], { atol: 0, rtol: 0 });
    expect(t).toBeAllclose(tensor([[1, 2], [3, 4.000001]]), { atol: 1e-5 });
    expect(Float32Array.of(1, 2)).toBeAllclose([1, 2]);
    expect(() => expect(t).toBeAllclose([1, 2, 3, 4])).toThrow("expected shape [4], received shape [2, 2]");
    expect(() => expect(t).toBeAllclose([[1, 2], [3, 5]])).toThrow("worst at [1, 1]: received 4, expected 5");
  });

  it("matches NaN with NaN and infinities exactly", () => {
    expect([NaN, Infinity, -Infinity]).toBeAllclose([NaN, Infinity, -Infinity]);
    expect([1]).not.toBeAllclose([NaN]);
    expect([Infinity]).not.toBeAllclose([-Infinity], { atol: Infinity });
  });

  it("names a value it cannot compare", () => {
    expect(() => expect("abc").toBeAllclose([1])).toThrow("toBeAllclose: the received value must be a tensor, an array or a number, got string");
    expect(() => expect([[1], [2, 3]]).toBeAllclose([1])).toThrow("toBeAllclose: the received value is a ragged array");
  });
});
