/**
 * @file Pre-tokenization: the GPT-2 split pattern (also Hugging Face's ByteLevel
 * pre-tokenizer with `use_regex: true`), so merges never cross a word boundary.
 */

/**
 * GPT-2's pattern (Radford et al. 2019, `encoder.py`): English contractions, an
 * optional space + a run of letters, of digits or of other symbols, then
 * whitespace (a trailing space stays with the next word).
 */
export const GPT2_SPLIT_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/**
 * Calls `visit` for each pre-token of `text` in order; the pieces concatenate
 * back to `text` exactly (any gap the pattern skipped is visited as its own piece).
 */
export function forEachPretoken(text: string, visit: (piece: string) => void): void {
  const re = new RegExp(GPT2_SPLIT_PATTERN, "gu");
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
