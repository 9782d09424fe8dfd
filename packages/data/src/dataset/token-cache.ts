/**
 * @file On-disk cache of a tokenized corpus: `<name>.<tok>.bin` holds the ids
 * (little-endian uint16 when the vocabulary fits, else int32) and `<name>.<tok>.json`
 * a manifest keyed by corpus and tokenizer hashes. Both written atomically;
 * the manifest last, so it commits the pair.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../util/hash.js";
import { writeFileAtomic } from "@kiln/tensor";

/** Version of the stream layout (document separators); bump to invalidate caches. */
export const TOKEN_CACHE_VERSION = 1;

/** The manifest beside a cached token stream. */
export interface TokenCacheManifest {
  readonly format: "kiln-token-cache";
  readonly version: number;
  /** Dataset name (corpus name and split). */
  readonly name: string;
  /** `corpusHash` of the documents tokenized. */
  readonly corpusHash: string;
  /** `fingerprint` of the tokenizer used. */
  readonly tokenizerHash: string;
  readonly vocabSize: number;
  readonly dtype: "uint16" | "int32";
  /** Number of tokens in the `.bin` file. */
  readonly tokens: number;
  readonly documents: number;
  /** SHA-256 of the `.bin` file. */
  readonly sha256: string;
}

/** What identifies a cache entry. */
export interface TokenCacheKey {
  readonly name: string;
  readonly corpusHash: string;
  readonly tokenizerHash: string;
}

/** Result of {@link readTokenCache}: the tokens, or why they could not be used. */
export type TokenCacheRead =
  | { readonly status: "hit"; readonly tokens: Int32Array; readonly manifest: TokenCacheManifest }
  | { readonly status: "missing" | "stale" | "corrupt"; readonly reason: string };

/** Paths of the manifest and data file for a key inside `dir`. */
export function tokenCachePaths(dir: string, key: TokenCacheKey): { manifest: string; bin: string } {
  const stem = `${key.name.replace(/[^A-Za-z0-9._-]+/g, "_")}.${key.tokenizerHash.slice(0, 12)}`;
  return { manifest: join(dir, `${stem}.json`), bin: join(dir, `${stem}.bin`) };
}

/** Reads a cached stream, verifying the manifest's keys, size and checksum. */
export function readTokenCache(dir: string, key: TokenCacheKey): TokenCacheRead {
  const paths = tokenCachePaths(dir, key);
  if (!existsSync(paths.manifest)) return { status: "missing", reason: `no manifest at "${paths.manifest}"` };
  let m: TokenCacheManifest;
  try {
    m = JSON.parse(readFileSync(paths.manifest, "utf8")) as TokenCacheManifest;
  } catch (err) {
    return { status: "corrupt", reason: `"${paths.manifest}": ${(err as Error).message}` };
  }
  if (m?.format !== "kiln-token-cache" || m.version !== TOKEN_CACHE_VERSION) {
    return { status: "stale", reason: `"${paths.manifest}": format/version ${String(m?.format)}/${String(m?.version)}` };
  }
  for (const field of ["name", "corpusHash", "tokenizerHash"] as const) {
    if (m[field] !== key[field]) return { status: "stale", reason: `"${paths.manifest}": ${field} differs` };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(paths.bin);
  } catch (err) {
    return { status: "corrupt", reason: `cannot read "${paths.bin}": ${(err as Error).message}` };
  }
  const width = m.dtype === "uint16" ? 2 : m.dtype === "int32" ? 4 : 0;
  if (width === 0 || !Number.isInteger(m.tokens) || bytes.length !== m.tokens * width) {
    return { status: "corrupt", reason: `"${paths.bin}" has ${bytes.length} bytes, manifest says ${m.tokens} × ${m.dtype}` };
  }
  if (sha256(bytes) !== m.sha256) return { status: "corrupt", reason: `"${paths.bin}" fails its SHA-256 check` };
  const aligned = new Uint8Array(bytes).buffer; // copy: Buffer pool slices may be misaligned
  const view = width === 2 ? new Uint16Array(aligned) : new Int32Array(aligned);
  const tokens = view instanceof Int32Array ? view : Int32Array.from(view);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]! < 0 || tokens[i]! >= m.vocabSize) return { status: "corrupt", reason: `"${paths.bin}": id ${tokens[i]} at ${i} ≥ vocabSize ${m.vocabSize}` };
  }
  return { status: "hit", tokens, manifest: m };
}

/** Writes a token stream and its manifest (atomically, data first). */
export function writeTokenCache(dir: string, key: TokenCacheKey, tokens: Int32Array, vocabSize: number, documents: number): TokenCacheManifest {
  const dtype = vocabSize <= 65536 ? "uint16" : "int32";
  // NOTE: typed arrays use the platform's byte order; every Node target kiln supports is little-endian.
  const data = dtype === "uint16" ? Uint16Array.from(tokens) : tokens;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const manifest: TokenCacheManifest = {
    format: "kiln-token-cache",
    version: TOKEN_CACHE_VERSION,
    ...key,
    vocabSize,
    dtype,
    tokens: tokens.length,
    documents,
    sha256: sha256(bytes),
  };
  const paths = tokenCachePaths(dir, key);
  writeFileAtomic(paths.bin, bytes);
  writeFileAtomic(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
