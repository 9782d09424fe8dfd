/**
 * @file The `post_processor` of a tokenizer.json: Hugging Face's
 * `TemplateProcessing` (e.g. `<s> $A </s>`, the common BOS/EOS template) is
 * honoured; `ByteLevel` (which only moves offsets) is accepted; a `Sequence`
 * of those is too. Every other processor is refused by name.
 */

/** The ids a single-sequence template puts around the text's ids, and the JSON to write back. */
export interface PostProcessor {
  /** Ids before the text (e.g. BOS). */
  readonly prefix: readonly number[];
  /** Ids after the text (e.g. EOS). */
  readonly suffix: readonly number[];
  /** The `post_processor` object as read, written back unchanged by `save`. */
  readonly json: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

type Fail = (field: string, problem: string) => never;

/** prefix/suffix of a `TemplateProcessing`'s `single` template; `special_tokens` maps each name to its ids. */
function template(p: Record<string, unknown>, field: string, fail: Fail): [number[], number[]] {
  const specials = p.special_tokens;
  if (!isObject(specials)) fail(`${field}.special_tokens`, "must be an object");
  const single = p.single;
  if (!Array.isArray(single)) fail(`${field}.single`, "must be an array of pieces");
  const out: [number[], number[]] = [[], []];
  let seen = 0;
  single.forEach((piece: unknown, i) => {
    const where = `${field}.single[${i}]`;
    if (isObject(piece) && isObject(piece.Sequence)) {
      if (piece.Sequence.id !== "A") fail(where, `uses sequence ${JSON.stringify(piece.Sequence.id)}; a single-sequence template has only $A`);
      seen++;
      return;
    }
    const name = isObject(piece) && isObject(piece.SpecialToken) ? piece.SpecialToken.id : undefined;
    if (typeof name !== "string") fail(where, `must be {"Sequence": ...} or {"SpecialToken": ...}, got ${JSON.stringify(piece)?.slice(0, 80)}`);
    const entry = specials[name];
    const ids = isObject(entry) ? entry.ids : undefined;
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id) && id >= 0)) fail(`${field}.special_tokens["${name}"].ids`, "must be an array of token ids");
    out[seen === 0 ? 0 : 1].push(...(ids as number[]));
  });
  if (seen !== 1) fail(`${field}.single`, `must contain $A exactly once (found ${seen})`);
  return out;
}

/**
 * Reads `post_processor` (null, `TemplateProcessing`, `ByteLevel` or a
 * `Sequence` of those) into a {@link PostProcessor}, or null when it adds
 * nothing. `fail(field, problem)` reports a bad field.
 */
export function parsePostProcessor(json: unknown, fail: Fail): PostProcessor | null {
  if (json === null || json === undefined) return null;
  const prefix: number[] = [];
  const suffix: number[] = [];
  const visit = (p: unknown, field: string): void => {
    if (!isObject(p)) fail(field, `must be an object, got ${JSON.stringify(p)?.slice(0, 80)}`);
    if (p.type === "ByteLevel") return; // trims offsets only; ids are unchanged
    if (p.type === "Sequence" && Array.isArray(p.processors)) {
      p.processors.forEach((q: unknown, i) => visit(q, `${field}.processors[${i}]`));
      return;
    }
    if (p.type !== "TemplateProcessing") {
      fail(`${field}.type`, `${JSON.stringify(p.type)} is not supported (kiln honours "TemplateProcessing" and accepts "ByteLevel"; others would change the ids silently)`);
    }
    if (prefix.length + suffix.length > 0) fail(field, "has more than one TemplateProcessing");
    const [pre, post] = template(p, field, fail);
    prefix.push(...pre);
    suffix.push(...post);
  };
  visit(json, "post_processor");
  return { prefix, suffix, json };
}
