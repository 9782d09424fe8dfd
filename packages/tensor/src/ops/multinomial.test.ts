/**
 * @file multinomial: seeded determinism, frequencies close to the weights
 * (a chi-square bound), without-replacement draws distinct, zero weights
 * never drawn, and every refusal with its message.
 */
import { describe, expect, it } from "vitest";
import { Generator, multinomial, tensor } from "../index.js";

describe("multinomial", () => {
  const w = tensor([1, 2, 3, 4]);
  it("is deterministic for a seeded generator", () => {
    const a = multinomial(w, 20, { replacement: true, generator: new Generator(5) });
    const b = w.multinomial(20, { replacement: true, generator: new Generator(5) });
    expect(a.toArray()).toEqual(b.toArray());
    expect([a.dtype, a.shape]).toEqual(["int32", [20]]);
  });
  it("draws with frequencies proportional to the weights", () => {
    const n = 20000;
    const draws = multinomial(w, n, { replacement: true, generator: new Generator(1) }).data;
    const counts = [0, 0, 0, 0];
    for (const i of draws) counts[i]!++;
    // chi-square with 3 degrees of freedom: P(χ² > 16.27) = 0.001
    const chi2 = counts.reduce((s, c, i) => s + (c - (n * (i + 1)) / 10) ** 2 / ((n * (i + 1)) / 10), 0);
    expect(chi2).toBeLessThan(16.27);
  });
  it("without replacement draws distinct indices, never a zero weight", () => {
    const d = tensor([[0, 1, 1, 1], [5, 1, 0, 1]]).multinomial(3, { generator: new Generator(2) }).toArray() as number[][];
    expect(new Set(d[0]).size).toBe(3);
    expect(d[0]).not.toContain(0);
    expect(d[1]).not.toContain(2);
    expect(() => tensor([[0, 1, 1, 1], [5, 0, 0, 1]]).multinomial(3)).toThrow(
      "multinomial: row 1 has only 2 positive weight(s), fewer than 3 samples without replacement",
    );
  });
  it("refuses bad weights and sizes before drawing", () => {
    expect(() => multinomial(tensor([1, -1]), 1)).toThrow("multinomial: weight -1 at row 0, index 1 is not a finite non-negative number");
    expect(() => multinomial(tensor([0, 0]), 1)).toThrow("multinomial: row 0 has no positive weight");
    expect(() => multinomial(tensor([1, 1]), 3)).toThrow("multinomial: cannot draw 3 samples without replacement from 2 categories");
    expect(() => multinomial(tensor([[[1]]]), 1)).toThrow("multinomial: probs must be 1-D or 2-D, got [1, 1, 1]");
    expect(() => multinomial(tensor([1, NaN]), 1)).toThrow("multinomial: weight NaN at row 0, index 1 is not a finite non-negative number");
  });
});
