import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BpeTokenizer } from "./bpe.js";
import { ByteTokenizer } from "./byte.js";
import { Tokenizer } from "./load.js";
import { trainBpe } from "./train-bpe.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-tok-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const text = "The Congress shall have power to lay and collect taxes, duties, imposts and excises. 😀 Ünïcödé!\n".repeat(20);

/** A hand-written file in GPT-2's layout: ids not in byte order, merges as pairs, decoder absent. */
function gpt2Style(): object {
  const vocab: Record<string, number> = {};
  const bytes: string[] = [];
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    bytes.push(printable ? String.fromCharCode(b) : "");
  }
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bytes[b]) bytes[b] = String.fromCharCode(256 + n++);
  // Printable bytes first, then the remapped ones (as GPT-2 orders them).
  [...bytes.entries()].sort((x, y) => x[1].charCodeAt(0) - y[1].charCodeAt(0)).forEach(([, ch], id) => (vocab[ch] = id));
  vocab["Ġt"] = 256;
  vocab["he"] = 257;
  vocab["Ġthe"] = 258;
  return {
    version: "1.0",
    added_tokens: [{ id: 259, content: "<|endoftext|>", special: true, single_word: false, lstrip: false, rstrip: false, normalized: true }],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    decoder: null,
    model: { type: "BPE", dropout: null, unk_token: null, vocab: { ...vocab, "<|endoftext|>": 259 }, merges: [["Ġ", "t"], "h e", ["Ġt", "he"]] },
  };
}

describe("Tokenizer.load / save", () => {
  it("saves BPE as Hugging Face tokenizer.json and loads it back identically", () => {
    const tok = trainBpe([text], { vocabSize: 300 });
    const path = join(dir, "bpe.json");
    tok.save(path);
    const json = JSON.parse(readFileSync(path, "utf8"));
    expect(json.model.type).toBe("BPE");
    expect(json.pre_tokenizer).toEqual({ type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true });
    expect(json.model.vocab["Ġ"]).toBe(32);
    expect(json.model.merges[0]).toMatch(/^\S+ \S+$/);
    expect(json.added_tokens[0]).toMatchObject({ content: "<|endoftext|>", id: 299, special: true });
    const back = Tokenizer.load(path);
    expect(back).toBeInstanceOf(BpeTokenizer);
    expect(back.fingerprint).toBe(tok.fingerprint);
    expect([...back.encode(text)]).toEqual([...tok.encode(text)]);
    expect(back.eosId).toBe(299);
  });

  it("saves a ByteTokenizer as a merge-less BPE file and loads it as a ByteTokenizer", () => {
    const path = join(dir, "byte.json");
    new ByteTokenizer({ specialTokens: ["<|bos|>", "<|eos|>"] }).save(path);
    const back = Tokenizer.load(path);
    expect(back).toBeInstanceOf(ByteTokenizer);
    expect([back.bosId, back.eosId]).toEqual([256, 257]);
  });

  it("reads GPT-2-style files (bytes not in byte order, pair merges)", () => {
    const tok = Tokenizer.fromJSON(gpt2Style());
    const ids = tok.encode("the the");
    expect(ids.length).toBe(3); // t, he, Ġthe
    expect(ids[2]).toBe(258);
    expect(tok.decode(ids)).toBe("the the");
    expect(tok.bosId).toBe(259);
  });

  it("names the file and field of every problem", () => {
    const bad = (mutate: (j: any) => void): string => {
      const j: any = gpt2Style();
      mutate(j);
      const path = join(dir, `bad-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(j));
      try {
        Tokenizer.load(path);
      } catch (err) {
        expect((err as Error).message).toContain(path);
        return (err as Error).message;
      }
      throw new Error("expected an error");
    };
    expect(bad((j) => (j.model.type = "WordPiece"))).toMatch(/model.type "WordPiece" is not supported/);
    expect(bad((j) => (j.normalizer = { type: "NFC" }))).toMatch(/normalizer must be null/);
    expect(bad((j) => (j.pre_tokenizer = { type: "Whitespace" }))).toMatch(/pre_tokenizer must be/);
    expect(bad((j) => j.model.merges.push("x yz"))).toMatch(/model.merges\[3\].*missing from model.vocab: "yz"/);
    expect(bad((j) => delete j.model.vocab["Ā"])).toMatch(/model.vocab has no token with id|lacks the single-byte token for byte 0x00/);
    expect(bad((j) => (j.added_tokens[0].special = false))).toMatch(/added_tokens\[0\].*not special/);
    expect(() => Tokenizer.load(join(dir, "nope.json"))).toThrow(/cannot read ".*nope.json"/);
    writeFileSync(join(dir, "garbage.json"), "{ not json");
    expect(() => Tokenizer.load(join(dir, "garbage.json"))).toThrow(/garbage.json" is not valid JSON/);
  });
});
