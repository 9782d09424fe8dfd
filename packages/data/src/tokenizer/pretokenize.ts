/**
 * @file Pre-tokenization: the GPT-2 split pattern as Hugging Face tokenizers'
 * ByteLevel pre-tokenizer (`use_regex: true`) runs it, so merges never cross a
 * word boundary and a tokenizer.json splits text exactly as it does in Python.
 */
import { HF_LETTERS, HF_NUMBERS, HF_WHITESPACE } from "./hf-classes.js";

/**
 * GPT-2's pattern (Radford et al. 2019, `encoder.py`): English contractions, an
 * optional space + a run of letters, of digits or of other symbols, then
 * whitespace (a trailing space stays with the next word). `\s`, `\p{L}` and
 * `\p{N}` mean what they mean to HF tokenizers (Oniguruma), not to V8: see
 * {@link splitRegExp}.
 */
export const GPT2_SPLIT_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/** One class member: ASCII escaped, anything else as itself (a `\u{...}` escape per bound made the pattern ~40 KB, which V8 runs at half speed). */
const member = (hex: string): string => {
  const cp = parseInt(hex, 16);
  return cp < 0x80 ? `\\x${hex.padStart(2, "0")}` : String.fromCodePoint(cp);
};

/** A class body (no brackets) from `start-end` hex ranges. */
const classBody = (ranges: string): string =>
  ranges.split(" ").map((r) => r.split("-").map(member).join("-")).join("");

let compiled: RegExp | undefined;

/**
 * {@link GPT2_SPLIT_PATTERN} with explicit character classes: tokenizers'
 * whitespace is U+0009–U+000D, U+0085 and the Zs/Zl/Zp characters, where
 * ECMAScript's `\s` has U+FEFF instead of U+0085; letters and numbers follow
 * tokenizers' Unicode tables (hf-classes.ts), whatever Unicode version V8 has.
 */
export function splitRegExp(): RegExp {
  if (compiled) return new RegExp(compiled);
  const [w, l, n] = [classBody(HF_WHITESPACE), classBody(HF_LETTERS), classBody(HF_NUMBERS)];
  const source = GPT2_SPLIT_PATTERN.replace(String.raw`[^\s\p{L}\p{N}]`, `[^${w}${l}${n}]`)
    .replace(String.raw`\s+(?!\S)`, `[${w}]+(?![^${w}])`)
    .replace(String.raw`|\s+`, `|[${w}]+`)
    .replaceAll(String.raw`\p{L}`, `[${l}]`)
    .replaceAll(String.raw`\p{N}`, `[${n}]`);
  compiled = new RegExp(source, "gu");
  return new RegExp(compiled);
}

/**
 * Calls `visit` for each pre-token of `text` in order; the pieces concatenate
 * back to `text` exactly (any gap the pattern skipped is visited as its own piece).
 */
export function forEachPretoken(text: string, visit: (piece: string) => void): void {
  const re = splitRegExp();
  let pos = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > pos) visit(text.slice(pos, m.index));
    visit(m[0]);
    pos = m.index + m[0].length;
  }
  if (pos < text.length) visit(text.slice(pos));
}

/** The pre-tokens of `text` as an array (see {@link forEachPretoken}). */
export function pretokenize(text: string): string[] {
  const out: string[] = [];
  forEachPretoken(text, (p) => out.push(p));
  return out;
}
