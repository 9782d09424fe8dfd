/**
 * @file Comparing configs by content: a stable JSON form (sorted keys) and
 * the first dotted path where two values differ, so "this directory was made
 * with another config" errors can name the field.
 */

/** A stable JSON form (object keys sorted, undefined fields left out as JSON does), so values compare by content. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(",")}]`;
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(x) ?? "null";
}

/** The first dotted path where two JSON values differ (`"(root)"` for the values themselves), or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d !== null) return d;
    }
  }
  return path || "(root)";
}
