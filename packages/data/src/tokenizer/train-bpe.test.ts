import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sotuCorpus } from "../corpus/sotu.js";
import { encodeWtf8 } from "../util/wtf8.js";
import { pretokenize } from "./pretokenize.js";
import { trainBpe } from "./train-bpe.js";

/** Textbook BPE training: recount every pair before each merge (slow, obviously right). */
function naiveMerges(texts: string[], numMerges: number, minFrequency: number): [number, number][] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const p of pretokenize(t)) counts.set(p, (counts.get(p) ?? 0) + 1);
  let words = [...counts].map(([w, f]) => ({ s: [...encodeWtf8(w)], f }));
  const merges: [number, number][] = [];
  while (merges.length < numMerges) {
    const pairs = new Map<number, number>();
    for (const { s, f } of words) for (let i = 0; i + 1 < s.length; i++) pairs.set(s[i]! * 65536 + s[i + 1]!, (pairs.get(s[i]! * 65536 + s[i + 1]!) ?? 0) + f);
    let best = -1;
    let bestCount = 0;
    for (const [k, c] of pairs) if (c > bestCount || (c === bestCount && k < best)) [best, bestCount] = [k, c];
    if (best < 0 || bestCount < minFrequency) break;
    const a = Math.floor(best / 65536);
    const b = best % 65536;
    const c = 256 + merges.length;
    merges.push([a, b]);
    words = words.map(({ s, f }) => {
      const out: number[] = [];
      for (let i = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) (out.push(c), (i += 2));
        else out.push(s[i++]!);
      }
      return { s: out, f };
    });
  }
  return merges;
}

const mergesOf = (tok: ReturnType<typeof trainBpe>): [number, number][] => tok.merges.map(([a, b]) => [a, b]);

describe("trainBpe", () => {
  const sotu = sotuCorpus();
  const slice = sotu.documents.slice(0, 6).map((d) => d.text);

  it("learns the same merges as a full recount per merge", () => {
    const tok = trainBpe(slice.map((t) => t.slice(0, 4000)), { vocabSize: 257 + 150 });
    expect(mergesOf(tok)).toEqual(naiveMerges(slice.map((t) => t.slice(0, 4000)), 150, 2));
  });

  it("agrees with the recount on random repetitive text (overlapping pairs like 'aaa')", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "a", " ", "é", "😀", "\uD800"), maxLength: 60 });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (texts, minFrequency) => {
        const tok = trainBpe(texts, { vocabSize: 257 + 30, minFrequency });
        expect(mergesOf(tok)).toEqual(naiveMerges(texts, 30, minFrequency));
      }),
      { numRuns: 150 },
    );
  });

  it("lays out ids as bytes, merges, then specials, and hits the requested size", () => {
    const tok = trainBpe(slice, { vocabSize: 600, specialTokens: ["<|bos|>", "<|eos|>"] });
    expect(tok.vocabSize).toBe(600);
    expect(tok.numMerges).toBe(600 - 256 - 2);
    expect(tok.specialTokens).toEqual([{ content: "<|bos|>", id: 598 }, { content: "<|eos|>", id: 599 }]);
    expect([tok.bosId, tok.eosId]).toEqual([598, 599]);
    expect(new TextDecoder().decode(tok.tokenBytes(256)).length).toBe(2);
  });

  it("is deterministic", () => {
    const a = trainBpe(slice, { vocabSize: 400 });
    const b = trainBpe(slice, { vocabSize: 400 });
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it("compresses English and round-trips any string exactly", () => {
    const tok = trainBpe(slice, { vocabSize: 1024 });
    const val = sotu.val[0]!.text;
    const ids = tok.encode(val);
    expect(tok.decode(ids)).toBe(val);
    expect(encodeWtf8(val).length / ids.length).toBeGreaterThan(3);
    const unit = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }));
    fc.assert(
      fc.property(unit, (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
    );
    for (const s of ["👩‍👩‍👧 family", "\uD83D", "x\uDE00y", "<|endoftext|>", "", " ", "The the THE  \n\t"]) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  it("stops early at minFrequency and says why options are wrong", () => {
    const tok = trainBpe(["abab"], { vocabSize: 300, minFrequency: 1 });
    expect(tok.numMerges).toBeLessThan(43);
    expect(tok.vocabSize).toBe(256 + tok.numMerges + 1);
    expect(() => trainBpe(slice, { vocabSize: 256 })).toThrow(/vocabSize must be an integer in \[257, 65536\].*got 256/);
    expect(() => trainBpe(slice, { vocabSize: 300, minFrequency: 0 })).toThrow(/minFrequency/);
    expect(() => trainBpe(slice, { vocabSize: 300, specialTokens: ["x", "x"] })).toThrow(/"x" twice/);
    expect(() => trainBpe("just one string" as unknown as string[], { vocabSize: 300 })).toThrow(/not a single string/);
  });
});
