import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeWtf8, encodeWtf8 } from "./wtf8.js";

/** Any UTF-16 code unit sequence, lone surrogates included. */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });

describe("wtf8", () => {
  it("matches TextEncoder on well-formed strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      expect(encodeWtf8(s)).toEqual(new TextEncoder().encode(s));
    }));
  });

  it("round-trips every JavaScript string, lone surrogates included", () => {
    fc.assert(fc.property(anyUtf16, (s) => {
      expect(decodeWtf8(encodeWtf8(s))).toBe(s);
    }));
    expect(decodeWtf8(encodeWtf8("a\uD800b\uDFFF😀"))).toBe("a\uD800b\uDFFF😀");
    expect([...encodeWtf8("\uD800")]).toEqual([0xed, 0xa0, 0x80]);
  });

  it("keeps a leading byte-order mark", () => {
    expect(decodeWtf8(encodeWtf8("\uFEFFhi"))).toBe("\uFEFFhi");
  });

  it("replaces invalid bytes exactly like the WHATWG decoder (outside surrogate sequences)", () => {
    const lenient = new TextDecoder("utf-8", { ignoreBOM: true });
    const bytes = fc.uint8Array({ maxLength: 24 }).filter((b) => !b.some((x, i) => x === 0xed && (b[i + 1] ?? 0) >= 0xa0));
    fc.assert(fc.property(bytes, (b) => {
      expect(decodeWtf8(b)).toBe(lenient.decode(b));
    }), { numRuns: 2000 });
    expect(decodeWtf8(Uint8Array.of(0x61, 0xe2, 0x82, 0x62))).toBe("a\uFFFDb");
  });
});
