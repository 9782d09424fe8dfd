/**
 * @file Dropout module: active only in training, seeded masks, and a
 * gradcheck through a fixed mask.
 */
import { Generator, gradcheck, ones } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { leaf, weighted } from "../test/helpers.js";
import { Dropout } from "./index.js";

describe("Dropout", () => {
  it("drops and rescales in training, is the identity in eval", () => {
    const d = new Dropout(0.25, new Generator(1));
    const x = ones([1000]);
    const kept = Array.from(d.forward(x).data).filter((v) => v !== 0);
    expect(Math.abs(kept.length / 1000 - 0.75)).toBeLessThan(0.05);
    expect(kept.every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    expect(d.eval().forward(x)).toBe(x);
    expect(d.toString()).toBe("Dropout(p=0.25)");
    expect(() => new Dropout(2)).toThrow("Dropout: p must be in [0, 1], got 2");
  });

  it("the same seed drops the same units; gradcheck through a fixed mask", () => {
    const x = leaf([4, 5], 2);
    const once = (seed: number) => new Dropout(0.5, new Generator(seed)).forward(x);
    expect(once(3).toArray()).toEqual(once(3).toArray());
    expect(gradcheck(() => weighted(once(4)), [x])).toBe(true);
  });
});
