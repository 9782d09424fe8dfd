/**
 * @file UTF-8 encoding that also round-trips lone UTF-16 surrogates (WTF-8,
 * https://simonsapin.github.io/wtf-8/), so that every JavaScript string, well
 * formed or not, survives `decode(encode(s)) === s` through a byte-level tokenizer.
 */

const encoder = new TextEncoder();
// NOTE: ignoreBOM keeps a leading U+FEFF; the default would silently strip it.
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Encodes a string as UTF-8 bytes; a lone surrogate (invalid UTF-16) becomes its
 * 3-byte generalized UTF-8 form `ED A0..BF 80..BF` instead of U+FFFD.
 */
export function encodeWtf8(s: string): Uint8Array {
  if (!LONE_SURROGATE.test(s)) return encoder.encode(s);
  const out = new Uint8Array(s.length * 3);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, o);
}

/**
 * Decodes UTF-8 bytes, accepting WTF-8 surrogate sequences. Any other invalid
 * sequence becomes U+FFFD exactly as the WHATWG decoder does ("maximal subpart"),
 * so arbitrary token ids (e.g. sampled from a model) always decode.
 */
export function decodeWtf8(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return decodeLenient(bytes);
  }
}

function decodeLenient(b: Uint8Array): string {
  const n = b.length;
  const units: number[] = [];
  let out = "";
  const flush = (): void => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  let i = 0;
  while (i < n) {
    if (units.length > 8192) flush();
    const b0 = b[i]!;
    if (b0 < 0x80) {
      units.push(b0);
      i++;
      continue;
    }
    let need: number;
    let cp: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      // NOTE: WHATWG caps the second byte after ED at 9F (no surrogates); WTF-8 allows A0..BF.
      if (b0 === 0xe0) lower = 0xa0;
      need = 2;
      cp = b0 & 0x0f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (b0 === 0xf0) lower = 0x90;
      if (b0 === 0xf4) upper = 0x8f;
      need = 3;
      cp = b0 & 0x07;
    } else {
      units.push(0xfffd);
      i++;
      continue;
    }
    let j = i + 1;
    let ok = true;
    for (let k = 0; k < need; k++, j++) {
      const bj = j < n ? b[j]! : -1;
      if (bj < lower || bj > upper) {
        ok = false;
        break;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (bj & 0x3f);
    }
    i = j; // on failure the offending byte is not consumed (WHATWG)
    if (!ok) units.push(0xfffd);
    else if (cp < 0x10000) units.push(cp);
    else units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
  }
  flush();
  return out;
}
