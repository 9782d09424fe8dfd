/**
 * @file JSON from files users hand kiln: a parse error names the line and
 * column, never echoes the file's bytes (a binary file would print garbage
 * into the one-line error), and a binary file is called one.
 */
import { readFileSync } from "node:fs";

/**
 * Reads the JSON object in `path`; `what` names it in errors, `invalid` says
 * what text that is not a JSON object is (e.g. "is truncated or corrupt" for a
 * file kiln wrote), `notObject` (optional) the whole message for valid JSON
 * that is not an object, and `fail` makes the error (the caller's error class).
 */
export function readJsonObject(path: string, what: string, fail: (message: string) => Error, invalid = "is not valid JSON", notObject?: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw fail(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = parseJsonText(text);
  } catch (e) {
    throw fail(`${path}: ${what} ${invalid} (${(e as Error).message})`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw fail(`${path}: ${notObject ?? `${what} ${invalid} (not a JSON object)`}`);
  return v as Record<string, unknown>;
}

/** Parses `text`, or throws an Error whose message says why without quoting the text. */
export function parseJsonText(text: string): unknown {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001a\ufffd]/.test(text.slice(0, 4096))) throw new Error("a binary file, not JSON");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const token = /Unexpected token '(.)'/u.exec(message)?.[1];
    if (at === null) return fail(/end of JSON input/.test(message) ? "ends before the JSON is complete" : `not valid JSON${token ? ` (unexpected ${JSON.stringify(token)})` : ""}`);
    const before = text.slice(0, Number(at[1])).split("\n");
    return fail(`not valid JSON at line ${before.length}, column ${before.at(-1)!.length + 1}`);
  }
}

function fail(why: string): never {
  throw new Error(why);
}
