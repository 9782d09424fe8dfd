import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteTokenizer } from "./byte.js";

describe("ByteTokenizer", () => {
  const tok = new ByteTokenizer();

  it("maps text to its UTF-8 bytes with specials after 255", () => {
    expect([...tok.encode("hé")]).toEqual([0x68, 0xc3, 0xa9]);
    expect(tok.vocabSize).toBe(257);
    expect([tok.bosId, tok.eosId]).toEqual([256, 256]);
    expect(tok.kind).toBe("byte");
  });

  it("round-trips every string, emoji and lone surrogates included", () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit }), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })), (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
    );
    expect(tok.decode(tok.encode("🏳️‍🌈 \uD800 ok"))).toBe("🏳️‍🌈 \uD800 ok");
  });

  it("parses special tokens only when allowed, and can skip them when decoding", () => {
    const t = new ByteTokenizer({ specialTokens: ["<s>", "</s>", "<pad>"] });
    expect([t.bosId, t.eosId]).toEqual([256, 257]);
    expect([...t.encode("<s>a", { allowSpecial: true })]).toEqual([256, 97]);
    expect(t.encode("<s>a").length).toBe(4);
    expect(t.decode([256, 97, 257])).toBe("<s>a</s>");
    expect(t.decode([256, 97, 257], { skipSpecial: true })).toBe("a");
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(t.decode(t.encode(s, { allowSpecial: true }))).toBe(s);
      }),
    );
  });

  it("decodes broken byte sequences with U+FFFD instead of throwing", () => {
    expect(tok.decode([0xe2, 0x82])).toBe("\uFFFD");
  });

  it("names bad ids and bad options", () => {
    expect(() => tok.decode([65, 300])).toThrow("decode: id 300 at position 1 is outside the vocabulary [0, 257)");
    expect(() => tok.decode([1.5])).toThrow(/id 1.5/);
    expect(() => new ByteTokenizer({ specialTokens: [] })).toThrow(/at least one special token/);
    expect(() => new ByteTokenizer({ bos: "<s>" })).toThrow(`bos "<s>" is not one of the special tokens [<|endoftext|>]`);
  });
});
