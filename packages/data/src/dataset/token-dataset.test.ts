import { readdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Corpus } from "../corpus/corpus.js";
import { ByteTokenizer } from "../tokenizer/byte.js";
import { trainBpe } from "../tokenizer/train-bpe.js";
import { TokenDataset, tokenizeDocuments } from "./token-dataset.js";

const cacheDir = mkdtempSync(join(tmpdir(), "kiln-cache-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const corpus = (extra = ""): Corpus => {
  const documents = ["first doc", "second <|endoftext|> doc", `third${extra}`, "fourth"].map((text, i) => ({ id: `d${i}`, text }));
  return { name: "tiny", documents, train: documents.slice(0, 3), val: documents.slice(3) };
};

describe("TokenDataset", () => {
  it("joins documents with EOS (GPT-2) or BOS…EOS, never parsing specials inside text", () => {
    const docs = corpus().train;
    const eot = new ByteTokenizer();
    const ids = tokenizeDocuments(docs, eot);
    expect(ids.filter((t) => t === 256).length).toBe(3);
    expect(ids[ids.length - 1]).toBe(256);
    expect(eot.decode(ids)).toBe(docs.map((d) => `${d.text}<|endoftext|>`).join(""));
    const be = new ByteTokenizer({ specialTokens: ["<|bos|>", "<|eos|>"] });
    expect(be.decode(tokenizeDocuments(docs, be))).toBe(docs.map((d) => `<|bos|>${d.text}<|eos|>`).join(""));
  });

  it("builds the cache once, then hits it", () => {
    const tok = trainBpe(corpus().documents.map((d) => d.text), { vocabSize: 270, minFrequency: 1 });
    const a = TokenDataset.fromCorpus(corpus(), "train", tok, { cacheDir });
    expect(a.cacheStatus).toBe("built");
    const b = TokenDataset.fromCorpus(corpus(), "train", tok, { cacheDir });
    expect(b.cacheStatus).toBe("hit");
    expect([...b.tokens]).toEqual([...a.tokens]);
    expect(b.name).toBe("tiny.train");
    const files = readdirSync(cacheDir);
    expect(files.some((f) => f.endsWith(".tmp"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(cacheDir, files.find((f) => f.endsWith(".json"))!), "utf8"));
    expect(manifest).toMatchObject({ format: "kiln-token-cache", name: "tiny.train", dtype: "uint16", tokens: a.length, documents: 3, tokenizerHash: tok.fingerprint });
  });

  it("rebuilds a stale or corrupt cache", () => {
    const tok = new ByteTokenizer();
    TokenDataset.fromCorpus(corpus(), "val", tok, { cacheDir });
    const changed = TokenDataset.fromCorpus(corpus("!"), "val", tok, { cacheDir });
    expect(changed.cacheStatus).toBe("hit"); // the val split did not change
    const stale = TokenDataset.fromCorpus(corpus("!"), "train", tok, { cacheDir });
    expect(["built", "rebuilt"]).toContain(stale.cacheStatus);
    const again = TokenDataset.fromCorpus(corpus(), "train", tok, { cacheDir });
    expect(again.cacheStatus).toBe("rebuilt");
    expect(again.cacheNote).toMatch(/corpusHash differs/);
    const bin = readdirSync(cacheDir).find((f) => f.startsWith("tiny.train") && f.includes(tok.fingerprint.slice(0, 12)) && f.endsWith(".bin"))!;
    const bytes = readFileSync(join(cacheDir, bin));
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(join(cacheDir, bin), bytes);
    const fixed = TokenDataset.fromCorpus(corpus(), "train", tok, { cacheDir });
    expect(fixed.cacheStatus).toBe("rebuilt");
    expect(fixed.cacheNote).toMatch(/fails its SHA-256 check/);
    expect(fixed.tokens).toEqual(again.tokens);
    writeFileSync(join(cacheDir, bin), bytes.subarray(0, 5));
    expect(TokenDataset.fromCorpus(corpus(), "train", tok, { cacheDir }).cacheNote).toMatch(/has 5 bytes/);
  });

  it("samples batches and can skip the cache", () => {
    const ds = TokenDataset.fromCorpus(corpus(), "train", new ByteTokenizer(), { cacheDir: false });
    expect(ds.cacheStatus).toBe("uncached");
    const seq = ds.sequentialBatches({ batchSize: 2, contextLength: 4 });
    expect([...seq.arrays()].reduce((s, b) => s + b.targets.length, 0)).toBe(ds.length - 1);
    expect(() => TokenDataset.fromCorpus({ ...corpus(), val: [] }, "val", new ByteTokenizer())).toThrow(`corpus "tiny" has no val documents`);
  });
});
