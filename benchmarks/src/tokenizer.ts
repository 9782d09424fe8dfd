/**
 * @file Tokenizer benchmark on the whole SOTU corpus (~10.7 MB): BPE training time,
 * time to encode every address, and compression (UTF-8 bytes per token) at vocab
 * 512–4096, next to the byte tokenizer. Held-out compression uses a second
 * tokenizer trained on the train split only and measured on the val addresses.
 * Run: `npx tsx benchmarks/src/tokenizer.ts [--vocab 512,1024] [--json out.json]`.
 */
import { writeFileSync } from "node:fs";
import { ByteTokenizer, sotuCorpus, trainBpe, type Tokenizer } from "@kiln/data";

interface Row {
  vocab: number;
  /** Seconds to train on the whole corpus (0 for the byte tokenizer). */
  trainS: number;
  /** Seconds to encode the whole corpus, first pass (BPE's word cache cold). */
  encodeS: number;
  tokens: number;
  bytesPerToken: number;
  /** Bytes/token on the val addresses, tokenizer trained on train addresses only. */
  heldOutBytesPerToken: number;
  roundTrip: boolean;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const vocabs = (arg("--vocab") ?? "512,1024,2048,4096").split(",").map(Number);
const corpus = sotuCorpus();
const texts = corpus.documents.map((d) => d.text);
const trainTexts = corpus.train.map((d) => d.text);
const valTexts = corpus.val.map((d) => d.text);
const utf8 = new TextEncoder();
const byteCount = (ts: string[]): number => ts.reduce((s, t) => s + utf8.encode(t).length, 0);
const bytes = byteCount(texts);
const valBytes = byteCount(valTexts);
const countTokens = (tok: Tokenizer, ts: string[]): number => ts.reduce((s, t) => s + tok.encode(t).length, 0);

function measure(tok: Tokenizer, heldOut: Tokenizer, trainS: number): Row {
  const t0 = performance.now();
  const encoded = texts.map((t) => tok.encode(t));
  const encodeS = (performance.now() - t0) / 1000;
  const tokens = encoded.reduce((s, ids) => s + ids.length, 0);
  const roundTrip = encoded.every((ids, i) => tok.decode(ids) === texts[i]);
  return {
    vocab: tok.vocabSize,
    trainS,
    encodeS,
    tokens,
    bytesPerToken: bytes / tokens,
    heldOutBytesPerToken: valBytes / countTokens(heldOut, valTexts),
    roundTrip,
  };
}

console.log(`SOTU: ${corpus.documents.length} addresses, ${(bytes / 1e6).toFixed(2)} MB UTF-8; val = ${corpus.val.length} addresses; node ${process.version}`);
const rows: Row[] = [measure(new ByteTokenizer(), new ByteTokenizer(), 0)];
for (const vocabSize of vocabs) {
  const t0 = performance.now();
  const tok = trainBpe(texts, { vocabSize });
  const trainS = (performance.now() - t0) / 1000;
  rows.push(measure(tok, trainBpe(trainTexts, { vocabSize }), trainS));
}

console.log("\n| vocab | train, whole corpus (s) | encode whole corpus (s) | tokens | bytes/token | held-out val bytes/token | round trip |");
console.log("|---:|---:|---:|---:|---:|---:|:--:|");
for (const r of rows) {
  const name = r.trainS === 0 ? `${r.vocab} (byte)` : String(r.vocab);
  console.log(
    `| ${name} | ${r.trainS ? r.trainS.toFixed(2) : "–"} | ${r.encodeS.toFixed(2)} | ${r.tokens.toLocaleString("en-US")} | ${r.bytesPerToken.toFixed(3)} | ${r.heldOutBytesPerToken.toFixed(3)} | ${r.roundTrip ? "yes" : "NO"} |`,
  );
}
const out = arg("--json");
if (out) writeFileSync(out, `${JSON.stringify({ corpusBytes: bytes, node: process.version, rows }, null, 2)}\n`);
