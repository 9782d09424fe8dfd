import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pretokenize } from "./pretokenize.js";

describe("pretokenize", () => {
  it("splits like GPT-2: contractions, space-prefixed words, numbers, punctuation, whitespace", () => {
    expect(pretokenize("Hello world, it's 2024!  Ok\n\nbye")).toEqual(["Hello", " world", ",", " it", "'s", " 2024", "!", " ", " Ok", "\n", "\n", "bye"]);
    expect(pretokenize("a\n\n b")).toEqual(["a", "\n\n", " b"]);
    expect(pretokenize("naïve café 😀😀")).toEqual(["naïve", " café", " 😀😀"]);
  });

  it("pieces always concatenate back to the input", () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(fc.property(fc.string({ unit }), (s) => {
      expect(pretokenize(s).join("")).toBe(s);
    }));
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      expect(pretokenize(s).join("")).toBe(s);
    }));
  });
});
