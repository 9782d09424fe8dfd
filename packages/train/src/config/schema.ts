/**
 * @file A tiny schema language for JSON configs: typed defaults, range
 * checks, and errors that name the field (`optim.lr must be a number > 0,
 * got "fast"`) or the unknown key (with a did-you-mean). The TypeScript type
 * of a config is inferred from its schema, so the two cannot drift apart.
 */
import { closest } from "@kiln/nn";

/** A field's schema: validates a raw JSON value at `path` and returns the typed value. */
export interface Field<T> {
  /** Parses `raw` (undefined = absent: use the default or fail). */
  parse(raw: unknown, path: string): T;
  /** Short description of the accepted values, for errors and `--help`. */
  describe: string;
}

/** The value type a schema produces. */
export type Infer<F> = F extends Field<infer T> ? T : never;

/** A configuration error naming the offending field. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? "an array" : v === null ? "null" : String(v));

/** A number with optional bounds; `integer` rejects fractions. */
export function number(def: number | undefined, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): Field<number> {
  const parts = [opts.integer ? "an integer" : "a number"];
  if (opts.min !== undefined) parts.push(`${opts.exclusiveMin ? ">" : "≥"} ${opts.min}`);
  if (opts.max !== undefined) parts.push(`≤ ${opts.max}`);
  const describe = parts.join(" ");
  return {
    describe,
    parse(raw, path) {
      const v = raw === undefined ? def : raw;
      if (v === undefined) throw new ConfigError(`${path} is required (${describe})`);
      const ok =
        typeof v === "number" &&
        Number.isFinite(v) &&
        (!opts.integer || Number.isInteger(v)) &&
        (opts.min === undefined || (opts.exclusiveMin ? v > opts.min : v >= opts.min)) &&
        (opts.max === undefined || v <= opts.max);
      if (!ok) throw new ConfigError(`${path} must be ${describe}, got ${show(v)}`);
      return v as number;
    },
  };
}

/** A string, optionally restricted to `choices`. */
export function string<const C extends string>(def: C | undefined, choices?: readonly C[]): Field<C>;
export function string(def: string | undefined): Field<string>;
export function string(def: string | undefined, choices?: readonly string[]): Field<string> {
  const describe = choices ? `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}` : "a string";
  return {
    describe,
    parse(raw, path) {
      const v = raw === undefined ? def : raw;
      if (v === undefined) throw new ConfigError(`${path} is required (${describe})`);
      if (typeof v !== "string" || (choices && !choices.includes(v))) throw new ConfigError(`${path} must be ${describe}, got ${show(v)}`);
      return v;
    },
  };
}

/** A boolean. */
export function boolean(def: boolean | undefined): Field<boolean> {
  return {
    describe: "true or false",
    parse(raw, path) {
      const v = raw === undefined ? def : raw;
      if (typeof v !== "boolean") throw new ConfigError(`${path} must be true or false, got ${show(v)}`);
      return v;
    },
  };
}

/** `inner`, or null (the default unless given). */
export function nullable<T>(inner: Field<T>, def: T | null = null): Field<T | null> {
  return {
    describe: `${inner.describe}, or null`,
    parse(raw, path) {
      if (raw === null || (raw === undefined && def === null)) return null;
      return inner.parse(raw === undefined ? def : raw, path);
    },
  };
}

/** A list whose items all match `item`. */
export function list<T>(item: Field<T>, def: T[] | undefined): Field<T[]> {
  return {
    describe: `a list of ${item.describe}`,
    parse(raw, path) {
      const v = raw === undefined ? def : raw;
      if (!Array.isArray(v)) throw new ConfigError(`${path} must be a list, got ${show(v)}`);
      return v.map((x, i) => item.parse(x, `${path}[${i}]`));
    },
  };
}

/** "Did you mean …?": the known name nearest to a mistyped one (one implementation, in @kiln/nn). */
export { closest };

/** An object with exactly these fields: unknown keys are errors (with a did-you-mean). */
export function object<S extends Record<string, Field<unknown>>>(fields: S): Field<{ [K in keyof S]: Infer<S[K]> }> {
  return {
    describe: "an object",
    parse(raw, path) {
      const v = raw === undefined ? {} : raw;
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ConfigError(`${path || "config"} must be an object, got ${show(v)}`);
      const known = Object.keys(fields);
      for (const key of Object.keys(v)) {
        if (!known.includes(key)) {
          const hint = closest(key, known);
          const where = path ? `${path}.${key}` : key;
          throw new ConfigError(`unknown config key "${where}"${hint ? ` (did you mean "${path ? `${path}.` : ""}${hint}"?)` : ""}`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(fields)) {
        out[key] = field.parse((v as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      }
      return out as { [K in keyof S]: Infer<S[K]> };
    },
  };
}

/**
 * Applies a `--set a.b.c=value` override to raw JSON. The value is parsed
 * as JSON when it can be (`3e-4`, `true`, `null`, `[1,2]`), else taken as a string.
 */
export function applyOverride(raw: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new ConfigError(`--set expects key=value, got ${JSON.stringify(assignment)}`);
  const keys = assignment.slice(0, eq).trim().split(".");
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  let node = raw;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === undefined) node[k] = {};
    else if (next === null || typeof next !== "object" || Array.isArray(next)) {
      throw new ConfigError(`--set ${assignment}: "${k}" is not an object in the config`);
    }
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
