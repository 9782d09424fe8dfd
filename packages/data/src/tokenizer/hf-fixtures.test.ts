/**
 * @file kiln's tokenizers against Hugging Face `tokenizers` itself, through
 * committed fixtures (packages/nn/scripts/make_hf_fixtures.py): pre-tokens of
 * fuzzed Unicode strings, then ids and decodes of tokenizer.json files written
 * by `ByteLevelBPETokenizer`, by a `TemplateProcessing` recipe and by kiln,
 * each loaded from disk as a user would.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HF_WHITESPACE } from "./hf-classes.js";
import { Tokenizer } from "./load.js";
import { pretokenize, splitRegExp } from "./pretokenize.js";

const FIXTURES = new URL("../../test/fixtures/hf/", import.meta.url);
const read = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, FIXTURES), "utf8")) as T;

/** Code points of `start-end` hex ranges. */
function codePoints(ranges: string): Set<number> {
  const out = new Set<number>();
  for (const r of ranges.split(" ")) {
    const [a, b] = r.split("-").map((h) => parseInt(h, 16)) as [number, number];
    for (let cp = a; cp <= b; cp++) out.add(cp);
  }
  return out;
}

describe("pre-tokenizer vs tokenizers' ByteLevel regex", () => {
  const fixture = read<{ whitespace_checked: string[]; cases: [string, string[]][] }>("pretokens.json");

  it(`${fixture.cases.length} fuzzed strings split exactly as tokenizers splits them`, () => {
    const diffs = fixture.cases.filter(([s, want]) => JSON.stringify(pretokenize(s)) !== JSON.stringify(want));
    expect(diffs.slice(0, 5)).toEqual([]);
    expect(diffs.length).toBe(0);
  });

  it("the fuzz covers every character whose whitespace class differs between ECMAScript's \\s and tokenizers'", () => {
    const hf = codePoints(HF_WHITESPACE);
    const differ: string[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (/\s/u.test(String.fromCodePoint(cp)) !== hf.has(cp)) differ.push(cp.toString(16).toUpperCase().padStart(4, "0"));
    }
    expect(differ).toEqual(expect.arrayContaining(["0085", "FEFF"]));
    expect(fixture.whitespace_checked).toEqual(expect.arrayContaining(differ));
  });

  it("the issue's example: a byte-order mark is not whitespace, U+0085 is", () => {
    expect(pretokenize("\ufeff's")).toEqual(["\ufeff'", "s"]); // HF: [239,187,191,39,115] with GPT-2's bytes
    expect(pretokenize("a\u0085 b")).toEqual(["a", "\u0085", " b"]);
    expect(splitRegExp().source).not.toMatch(/\\[sS]|\\p\{/);
  });
});

interface Expected {
  texts: string[];
  encodings: { ids: number[]; decoded: string }[];
}

describe.each(["bytelevel-bpe", "template", "kiln"])("%s/tokenizer.json: ids and decodes as tokenizers gives them", (name) => {
  const path = new URL(`${name}/tokenizer.json`, FIXTURES).pathname;
  const { texts, encodings } = read<Expected>(`${name}/expected.json`);

  it(`${texts.length} texts encode to the same ids and decode to the same text`, () => {
    const tok = Tokenizer.load(path);
    const diffs = texts.flatMap((t, i) => {
      const ids = Array.from(tok.encode(t, { allowSpecial: true })); // HF parses added tokens out of text by default
      const want = encodings[i]!;
      return JSON.stringify(ids) === JSON.stringify(want.ids) && tok.decode(ids) === want.decoded ? [] : [{ text: t, ids, want }];
    });
    expect(diffs.slice(0, 3)).toEqual([]);
  });

  it("saving keeps what HF reads (post_processor included) and reloads identically", () => {
    const original = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const tok = Tokenizer.load(path);
    expect(tok.toJSON().post_processor).toEqual(original.post_processor);
    const copy = join(mkdtempSync(join(tmpdir(), "kiln-hf-tok-")), "tokenizer.json");
    tok.save(copy);
    const back = Tokenizer.load(copy);
    for (const t of texts.slice(0, 50)) expect(Array.from(back.encode(t))).toEqual(Array.from(tok.encode(t)));
  });
});

describe("post_processor", () => {
  const base = () => JSON.parse(readFileSync(new URL("template/tokenizer.json", FIXTURES), "utf8")) as Record<string, unknown>;

  it("TemplateProcessing adds its ids unless addSpecialTokens is false", () => {
    const tok = Tokenizer.fromJSON(base());
    const plain = Array.from(tok.encode("Hello", { addSpecialTokens: false }));
    expect(Array.from(tok.encode("Hello"))).toEqual([0, ...plain, 1]);
  });

  it("other processors are refused by name", () => {
    for (const type of ["RobertaProcessing", "BertProcessing"]) {
      const json = { ...base(), post_processor: { type, sep: ["</s>", 1], cls: ["<s>", 0] } };
      expect(() => Tokenizer.fromJSON(json)).toThrow(`Tokenizer.load: tokenizer JSON: post_processor.type "${type}" is not supported`);
    }
    const pair = { ...base(), post_processor: { type: "TemplateProcessing", single: [{ Sequence: { id: "B", type_id: 0 } }], special_tokens: {} } };
    expect(() => Tokenizer.fromJSON(pair)).toThrow('post_processor.single[0] uses sequence "B"');
    const outside = { ...base(), post_processor: { type: "TemplateProcessing", single: [{ SpecialToken: { id: "X", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }], special_tokens: { X: { id: "X", ids: [9999], tokens: ["X"] } } } };
    expect(() => Tokenizer.fromJSON(outside)).toThrow("post_processor adds id 9999, outside the vocabulary");
  });

  it("a Sequence of ByteLevel and TemplateProcessing (Llama 3's layout) is honoured", () => {
    const json = base();
    json.post_processor = { type: "Sequence", processors: [{ type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true }, json.post_processor] };
    const tok = Tokenizer.fromJSON(json);
    expect(Array.from(tok.encode("Hi")).at(0)).toBe(0);
    expect(Array.from(tok.encode("Hi")).at(-1)).toBe(1);
  });
});
