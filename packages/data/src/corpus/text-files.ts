/**
 * @file User corpora from disk: one `.txt` file, a directory of `.txt` files, or a
 * `.jsonl` file whose lines carry a `text` field. Bad input fails with the path.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import { splitEveryNth, type Corpus, type CorpusDocument } from "./corpus.js";

/** Options for {@link textCorpus}. */
export interface TextCorpusOptions {
  /** Corpus name used in cache file names (default: the file or directory base name). */
  readonly name?: string;
  /** Every `valEvery`-th document is validation (default 10); see {@link textCorpus}. */
  readonly valEvery?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a text file as UTF-8, rejecting what is not text: an unreadable file,
 * an empty (or whitespace-only) one, a NUL byte (binary) or invalid UTF-8.
 */
export function readTextFile(path: string, what = "readTextFile"): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`${what}: cannot read "${path}": ${(err as Error).message}`, { cause: err });
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new Error(`${what}: "${path}" looks binary (NUL byte at offset ${nul}); expected UTF-8 text`);
  let text: string;
  try {
    text = utf8.decode(bytes); // strips a leading UTF-8 BOM
  } catch {
    throw new Error(`${what}: "${path}" is not valid UTF-8 text`);
  }
  if (text.trim().length === 0) throw new Error(`${what}: "${path}" is empty`);
  return text;
}

function listTxt(dir: string, root: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listTxt(path, root, out);
    else if (name.toLowerCase().endsWith(".txt")) out.push(relative(root, path));
  }
}

function readJsonl(path: string): CorpusDocument[] {
  const docs: CorpusDocument[] = [];
  const lines = readTextFile(path, "textCorpus").split("\n");
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const where = `"${path}" line ${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      throw new Error(`textCorpus: ${where} is not valid JSON (${(err as Error).message})`);
    }
    const text = (record as { text?: unknown } | null)?.text;
    if (typeof text !== "string") {
      throw new Error(`textCorpus: ${where}: field "text" must be a string, got ${text === undefined ? "nothing" : typeof text}`);
    }
    if (text.length > 0) docs.push({ id: `${basename(path)}:${i + 1}`, text });
  });
  if (docs.length === 0) throw new Error(`textCorpus: "${path}" has no non-empty "text" records`);
  return docs;
}

/** Splits a lone document into train/val: the val part is its last 1/`every`, cut at a line break when there is one. */
function splitSingle(doc: CorpusDocument, every: number): { train: CorpusDocument[]; val: CorpusDocument[] } {
  const target = Math.floor((doc.text.length * (every - 1)) / every);
  let cut = doc.text.lastIndexOf("\n", target);
  if (cut <= 0) cut = target;
  else cut += 1;
  // NOTE: never cut between the two halves of a surrogate pair.
  const c = doc.text.charCodeAt(cut);
  if (c >= 0xdc00 && c <= 0xdfff) cut -= 1;
  if (cut <= 0 || cut >= doc.text.length) return { train: [doc], val: [] };
  return {
    train: [{ id: `${doc.id}#train`, text: doc.text.slice(0, cut) }],
    val: [{ id: `${doc.id}#val`, text: doc.text.slice(cut) }],
  };
}

/**
 * A corpus from a `.txt` file, a directory of `.txt` files (recursive, sorted by
 * path; one document per file) or a `.jsonl` file (one document per line, field
 * `text`). Split: every `valEvery`-th document is validation; with fewer than
 * `valEvery` documents the last one is; a single document is cut instead, its
 * last 1/`valEvery` (from a line break) becoming validation.
 */
export function textCorpus(path: string, options: TextCorpusOptions = {}): Corpus {
  const every = options.valEvery ?? 10;
  if (!Number.isInteger(every) || every < 2) throw new RangeError(`textCorpus: valEvery must be an integer ≥ 2, got ${every}`);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new Error(`textCorpus: cannot read "${path}": ${(err as Error).message}`, { cause: err });
  }
  let documents: CorpusDocument[];
  const ext = extname(path).toLowerCase();
  if (isDir) {
    const files: string[] = [];
    listTxt(path, path, files);
    if (files.length === 0) throw new Error(`textCorpus: no .txt files in directory "${path}"`);
    documents = files.map((f) => ({ id: f, text: readTextFile(join(path, f), "textCorpus") }));
  } else if (ext === ".txt") {
    documents = [{ id: basename(path), text: readTextFile(path, "textCorpus") }];
  } else if (ext === ".jsonl") {
    documents = readJsonl(path);
  } else {
    throw new Error(`textCorpus: unsupported file type "${ext || basename(path)}" for "${path}" (expected .txt, .jsonl or a directory)`);
  }
  const name = options.name ?? basename(path, ext);
  let split: { train: CorpusDocument[]; val: CorpusDocument[] };
  if (documents.length === 1) split = splitSingle(documents[0]!, every);
  else if (documents.length < every) split = { train: documents.slice(0, -1), val: documents.slice(-1) };
  else split = splitEveryNth(documents, every);
  return { name, documents, ...split };
}
