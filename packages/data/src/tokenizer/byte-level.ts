/**
 * @file GPT-2's reversible byte ↔ printable-character map ("bytes_to_unicode"),
 * used by Hugging Face's ByteLevel pre-tokenizer/decoder to spell byte tokens as
 * strings in `tokenizer.json` (a space is `Ġ`, a newline `Ċ`).
 */

function buildTables(): { byteToChar: string[]; charToByte: Map<string, number> } {
  const keep = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const byteToChar: string[] = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) byteToChar[b] = String.fromCharCode(keep(b) ? b : 256 + n++);
  const charToByte = new Map<string, number>(byteToChar.map((c, b) => [c, b]));
  return { byteToChar, charToByte };
}

const { byteToChar, charToByte } = buildTables();

/** Spells bytes as a byte-level token string, e.g. `[0x20, 0x74]` → `"Ġt"`. */
export function bytesToByteLevel(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += byteToChar[b]!;
  return s;
}

/** Inverse of {@link bytesToByteLevel}; `undefined` when a character is not a byte-level symbol. */
export function byteLevelToBytes(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = charToByte.get(token.charAt(i));
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}
