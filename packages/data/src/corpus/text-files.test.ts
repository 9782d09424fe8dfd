import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { textCorpus } from "./text-files.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-text-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

describe("textCorpus", () => {
  it("reads a directory of .txt files recursively, one document per file", () => {
    const d = join(dir, "books");
    mkdirSync(join(d, "sub"), { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(d, i < 6 ? "" : "sub", `b${String(i).padStart(2, "0")}.txt`), `book ${i}\n`);
    writeFileSync(join(d, "notes.md"), "ignored");
    const c = textCorpus(d);
    expect(c.name).toBe("books");
    expect(c.documents.map((x) => x.id)).toEqual([...Array(6).keys()].map((i) => `b0${i}.txt`).concat(["sub/b06.txt", "sub/b07.txt", "sub/b08.txt", "sub/b09.txt", "sub/b10.txt", "sub/b11.txt"]));
    expect(c.val.map((x) => x.id)).toEqual(["sub/b09.txt"]);
    expect(c.train.length).toBe(11);
  });

  it("splits a single .txt file at a line break, ~last 10% to validation", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const c = textCorpus(file("one.txt", `\uFEFF${lines}`), { name: "one" });
    expect(c.train[0]!.text + c.val[0]!.text).toBe(lines);
    expect(c.val[0]!.text.startsWith("line 9")).toBe(true);
    expect(c.val[0]!.text.length / lines.length).toBeCloseTo(0.1, 1);
  });

  it("reads .jsonl records' text field, skipping blank lines", () => {
    const c = textCorpus(file("d.jsonl", '{"text": "a"}\n\n{"text": "b", "x": 1}\n{"text": ""}\n'));
    expect(c.documents).toEqual([{ id: "d.jsonl:1", text: "a" }, { id: "d.jsonl:3", text: "b" }]);
    expect(c.val.map((x) => x.text)).toEqual(["b"]);
  });

  it("rejects empty, binary, non-UTF-8 and unreadable input, naming the file", () => {
    expect(() => textCorpus(file("empty.txt", " \n"))).toThrow(/empty.txt" is empty/);
    expect(() => textCorpus(file("bin.txt", Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x00, 0x01)))).toThrow(/bin.txt" looks binary \(NUL byte at offset 4\)/);
    expect(() => textCorpus(file("latin1.txt", Uint8Array.of(0x63, 0x61, 0x66, 0xe9)))).toThrow(/latin1.txt" is not valid UTF-8/);
    expect(() => textCorpus(join(dir, "missing.txt"))).toThrow(/cannot read ".*missing.txt"/);
    expect(() => textCorpus(file("x.csv", "a,b"))).toThrow(/unsupported file type ".csv"/);
    expect(() => textCorpus(file("bad.jsonl", '{"text": "a"}\n{"body": "b"}\n'))).toThrow(/bad.jsonl" line 2: field "text" must be a string, got nothing/);
    expect(() => textCorpus(file("bad2.jsonl", '{"text": "a"}\n{oops\n'))).toThrow(/bad2.jsonl" line 2 is not valid JSON/);
    mkdirSync(join(dir, "nothing"));
    expect(() => textCorpus(join(dir, "nothing"))).toThrow(/no .txt files in directory/);
  });
});
