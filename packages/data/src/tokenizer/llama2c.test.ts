/**
 * @file llama2.c `tokenizer.bin`: file round trip, run.c's encode (ids checked
 * against the Python transcription of run.c in
 * packages/nn/scripts/make_interop_fixtures.py --encode), decode rules, errors.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Llama2cTokenizer } from "./llama2c.js";

const bytePieces = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
/** [piece, score]: singles score low, merges rank by score (higher first); "ab" and "bc" tie. */
const PIECES: [string, number][] = [
  ["<unk>", 0], ["\n<s>\n", 0], ["\n</s>\n", 0], ...bytePieces.map((p): [string, number] => [p, 0]),
  [" ", -100], ["a", -101], ["b", -102], ["c", -103], ["e", -104], ["h", -105], ["l", -106], ["o", -107], ["t", -108], ["é", -109],
  ["he", -1], [" t", -2], ["th", -3], ["the", -1.5], [" the", -0.5], ["ll", -4], ["llo", -5], ["hello", -7], ["hé", -8],
  ["ab", -6], ["bc", -6], ["abc", -9], ["  ", -10], [" a", -11], [" h", -12], [" hello", -13],
];
const tok = Llama2cTokenizer.fromPieces(PIECES.map((p) => p[0]), PIECES.map((p) => p[1]));
const id = (piece: string) => PIECES.findIndex((p) => p[0] === piece);

/** Texts and the ids of run.c's encode(text, bos=1, eos=0), from the Python transcription. */
const EXPECTED: [string, number[]][] = [
  ["", [1]],
  ["hello", [1, 284]],
  ["the hello", [1, 273, 284]],
  ["abc", [1, 259, 280]],
  ["  the", [1, 281, 273]],
  ["hé€ 🦙!", [1, 259, 277, 229, 133, 175, 259, 243, 162, 169, 156, 36]],
  ["zzé", [1, 259, 125, 125, 268]],
  ["the<s>", [1, 273, 63, 118, 65]],
  ["abcabc hello", [1, 259, 280, 280, 284]],
];

describe("Llama2cTokenizer", () => {
  it("reads and writes tokenizer.bin byte for byte", () => {
    const bytes = tok.toBytes();
    const back = Llama2cTokenizer.fromBytes(bytes);
    expect(Buffer.compare(back.toBytes(), bytes)).toBe(0);
    expect(back.vocabSize).toBe(PIECES.length);
    expect(back.fingerprint).toBe(tok.fingerprint);
    expect([...back.scores]).toEqual(PIECES.map((p) => Math.fround(p[1])));
    const path = join(mkdtempSync(join(tmpdir(), "kiln-tok-")), "tokenizer.bin");
    tok.save(path);
    expect(Buffer.compare(Llama2cTokenizer.load(path).toBytes(), bytes)).toBe(0);
    expect(Llama2cTokenizer.load(path, { vocabSize: 260 }).vocabSize).toBe(260); // run.c reads the model's vocab_size entries
  });

  it("encodes as run.c does (dummy prefix, code points, byte fallback + 3, best-score merges, leftmost on ties)", () => {
    for (const [text, ids] of EXPECTED) expect([...tok.encode(text, { bos: true })], JSON.stringify(text)).toEqual(ids);
    expect([...tok.encode("hello")]).toEqual([id(" hello")]);
    expect([...tok.encode("hello", { bos: true, eos: true })]).toEqual([1, id(" hello"), 2]);
    expect([...tok.encode("the<s>", { allowSpecial: true })]).toEqual([id(" the"), 1]);
  });

  it("decodes as run.c prints: byte pieces, no leading space after BOS or at the start", () => {
    expect(tok.decode([1, id(" hello"), id(" the")])).toBe("\n<s>\nhello the");
    expect(tok.decode([1, id(" hello"), 2], { skipSpecial: true })).toBe("hello");
    expect(tok.decode([id(" the"), id(" hello")])).toBe("the hello");
    expect(tok.decode([id("<0xF0>"), id("<0x9F>"), id("<0xA6>"), id("<0x99>")])).toBe("🦙");
    expect(tok.decode([id("<0xF0>")])).toBe("\uFFFD");
    expect([...tok.tokenBytes(id("<0x41>"))]).toEqual([0x41]);
    expect(() => tok.decode([PIECES.length])).toThrow(`decode: id ${PIECES.length} at position 0 is outside the vocabulary [0, ${PIECES.length})`);
  });

  it("round-trips any string", () => {
    for (const s of ["", "hello", "  the  hello ", "hé€ 🦙!", "a\u0000b", "lone \ud800 surrogate", "\n<s>\n"]) {
      expect(tok.decode(tok.encode(s, { bos: true }), { skipSpecial: true }), JSON.stringify(s)).toBe(s);
      expect(tok.decode(tok.encode(s)), JSON.stringify(s)).toBe(s);
    }
  });

  it("encodes long text in linear-ish time: 4× the text takes well under 16× as long", () => {
    // run.c's rescanning merge loop is quadratic (minutes at 85k characters); a ratio, not a time limit, so load does not matter
    const piece = "the hello abc hé ";
    const fastest = (text: string) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        tok.encode(text);
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const [short, long] = [piece.repeat(1_250), piece.repeat(5_000)];
    fastest(short); // warm-up
    expect(fastest(long) / fastest(short)).toBeLessThan(8);
    expect(tok.decode(tok.encode(long))).toBe(long);
  });

  it("names the file and the problem for bad files", () => {
    const bytes = tok.toBytes();
    const dir = mkdtempSync(join(tmpdir(), "kiln-tok-"));
    const path = join(dir, "cut.bin");
    writeFileSync(path, bytes.subarray(0, 110));
    expect(() => Llama2cTokenizer.load(path)).toThrow(`${path}: not a valid llama2.c tokenizer: token 7 at byte 100 claims 6 bytes, but 2 remain (truncated or corrupt)`);
    writeFileSync(path, bytes.subarray(0, 100)); // cut between entries: only the expected count can tell
    expect(Llama2cTokenizer.load(path).vocabSize).toBe(7);
    expect(() => Llama2cTokenizer.load(path, { vocabSize: 300 })).toThrow(`${path}: not a valid llama2.c tokenizer: token 7 starts at byte 100 but the file ends at 100 (truncated; expected 300 tokens?)`);
    expect(() => Llama2cTokenizer.fromBytes(bytes, "t.bin", { vocabSize: PIECES.length + 1 })).toThrow(`t.bin: not a valid llama2.c tokenizer: token ${PIECES.length} starts at byte ${bytes.length} but the file ends at ${bytes.length} (truncated; expected ${PIECES.length + 1} tokens?)`);
    expect(() => Llama2cTokenizer.fromBytes(new Uint8Array(2))).toThrow("tokenizer.bin: not a valid llama2.c tokenizer: only 2 bytes");
    expect(() => Llama2cTokenizer.load(join(dir, "missing.bin"))).toThrow(/cannot read ".*missing\.bin"/);
    expect(() => tok.save(join(dir, "tokenizer.json"))).toThrow("no kiln tokenizer.json form; save it as tokenizer.bin");
  });
});
