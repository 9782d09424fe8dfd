/**
 * @file An ablation spec: a base training config, named variants as config
 * overrides, seeds, a budget and how variants are matched (parameters,
 * tokens or FLOPs). Read from a JSON file in `configs/ablations/` or built
 * from `kiln ablate --config … --variant name:key=value,…`; every field is
 * validated with the config schema's errors.
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { ConfigError, readJsonObject, schema } from "@kiln/train";

const { nullable, number, object, string } = schema;
type Field<T> = schema.Field<T>;

/** What a variant's parameter count is matched to the baseline's by, via `model.intermediate_size`. */
export type MatchMode = "params" | "non_embedding_params";
/** Equal training tokens per run, or equal training FLOPs (the baseline's tokens × its FLOPs/token). */
export type EqualMode = "tokens" | "flops";

/** A published result the variant is checked against. */
export interface PublishedClaim {
  /** What the paper found, in a sentence. */
  claim: string;
  /** Author, year and title. */
  source: string;
  /** The variant's validation loss relative to the baseline's, as the paper predicts. */
  expect: "better" | "worse" | "same";
}

/** One variant: config overrides on top of the base. */
export interface VariantSpec {
  name: string;
  /** What the variant is, for the report. */
  note: string;
  /** Dotted config keys → JSON values (`{"model.ffn": "gelu_mlp"}`). */
  set: Record<string, unknown>;
  match: MatchMode | null;
  published: PublishedClaim | null;
}

/** A validated ablation spec. */
export interface AblationSpec {
  name: string;
  description: string;
  /** The base training config as raw JSON (before overrides). */
  base: Record<string, unknown>;
  /** Where `base` came from (a path, or "inline"). */
  baseSource: string;
  /** Overrides applied to the base for every variant. */
  set: Record<string, unknown>;
  /** Paired seeds: a list, or a count starting at the base config's `train.seed`. */
  seeds: number[] | number;
  budget: { tokens: number } | { steps: number };
  equal: EqualMode;
  /** Validation evaluations per run (the curve's points; the last is at the final step). */
  evalPoints: number;
  /** The variant every other one is compared with. */
  baseline: string;
  variants: VariantSpec[];
  /** Run directory (relative to the working directory). */
  out: string;
  /** Where the report is also written, or null. */
  report: string | null;
}

/** Config keys an ablation sets itself, so variants may not. */
export const RESERVED_KEYS = ["name", "train.steps", "train.seed", "train.evalInterval"];

const NAME = /^[A-Za-z][\w.+-]*$/;
const jsonObject = (what: string): Field<Record<string, unknown>> => ({
  describe: what,
  parse(raw, path) {
    const v = raw ?? {};
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError(`${path} must be ${what}`);
    return v as Record<string, unknown>;
  },
});

const overrides = jsonObject('an object of dotted config keys and values, e.g. {"model.norm": "layernorm"}');
const matchField = nullable(string(undefined, ["params", "non_embedding_params"] as const), null);
const publishedField = nullable(object({ claim: string(undefined), source: string(undefined), expect: string(undefined, ["better", "worse", "same"] as const) }), null);
const variantField = object({ note: string(""), set: overrides, match: matchField, published: publishedField });

const variantsField: Field<VariantSpec[]> = {
  describe: "an object of named variants",
  parse(raw, path) {
    const v = jsonObject("an object of named variants").parse(raw, path);
    const out = Object.entries(v).map(([name, body]) => {
      if (!NAME.test(name)) throw new ConfigError(`${path}: variant name ${JSON.stringify(name)} must start with a letter and use only letters, digits, _ . + -`);
      return { name, ...variantField.parse(body, `${path}.${name}`) };
    });
    if (out.length < 2) throw new ConfigError(`${path} needs at least two variants (a baseline and one to compare), got ${out.length}`);
    return out;
  },
};

const SEEDS = "a count of seeds (≥ 1) or a list of distinct integer seeds";
const seedsField: Field<number[] | number> = {
  describe: SEEDS,
  parse(raw, path) {
    const v = raw ?? 3;
    if (Number.isInteger(v) && (v as number) >= 1) return v as number;
    if (Array.isArray(v) && v.length > 0 && v.every((s) => Number.isSafeInteger(s)) && new Set(v).size === v.length) return v as number[];
    throw new ConfigError(`${path} must be ${SEEDS}, got ${JSON.stringify(v)}`);
  },
};

const budgetField: Field<AblationSpec["budget"]> = {
  describe: 'an object with "tokens" or "steps" per run',
  parse(raw, path) {
    const b = object({ tokens: nullable(number(undefined, { integer: true, min: 1 })), steps: nullable(number(undefined, { integer: true, min: 1 })) }).parse(raw, path);
    if ((b.tokens === null) === (b.steps === null)) throw new ConfigError(`${path} must give exactly one of "tokens" or "steps"`);
    return b.tokens !== null ? { tokens: b.tokens } : { steps: b.steps! };
  },
};

const specSchema = object({
  name: string(undefined),
  description: string(""),
  base: { describe: "a path to a training config or an inline config object", parse: (raw) => raw } as Field<unknown>,
  set: overrides,
  seeds: seedsField,
  budget: budgetField,
  equal: string("tokens", ["tokens", "flops"] as const),
  evalPoints: number(8, { integer: true, min: 1 }),
  baseline: nullable(string(undefined), null),
  variants: variantsField,
  out: nullable(string(undefined), null),
  report: nullable(string(undefined), null),
});

/** Reads a JSON file (a spec or a config), with errors naming it. */
export function readJson(path: string, what: string): Record<string, unknown> {
  return readJsonObject(path, what, (m) => new ConfigError(m));
}

/** Validates a raw spec; `source` names it in errors, `dir` resolves a `base` path. */
export function parseAblationSpec(raw: unknown, source = "ablation", dir = "."): AblationSpec {
  try {
    const s = specSchema.parse(raw, "");
    let base: Record<string, unknown>;
    let baseSource = "inline";
    if (typeof s.base === "string") {
      const path = resolve(dir, s.base);
      base = readJson(path, "base config");
      baseSource = relative(process.cwd(), path);
    } else if (typeof s.base === "object" && s.base !== null && !Array.isArray(s.base)) base = s.base as Record<string, unknown>;
    else throw new ConfigError(`base must be a path to a training config or an inline config object`);
    const baseline = s.baseline ?? s.variants[0]!.name;
    if (!s.variants.some((v) => v.name === baseline)) throw new ConfigError(`baseline "${baseline}" is not one of the variants (${s.variants.map((v) => v.name).join(", ")})`);
    return { ...s, base, baseSource, baseline, out: s.out ?? `runs/ablations/${s.name}` };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`);
    throw e;
  }
}

/** Loads a spec file (`base` paths resolve against its directory). */
export function loadAblationSpec(path: string): AblationSpec {
  return parseAblationSpec(readJson(path, "ablation spec"), path, dirname(path));
}

/**
 * Parses `--variant name:key=value,key=value`. Values are JSON when they
 * parse (`3e-4`, `true`, `[1,2]`), else strings; a comma splits only before
 * another `key=`, so list values survive. `name:` alone is an unchanged copy.
 */
export function parseVariantArg(arg: string): { name: string; set: Record<string, unknown> } {
  const colon = arg.indexOf(":");
  const name = colon < 0 ? arg : arg.slice(0, colon);
  if (!NAME.test(name)) throw new ConfigError(`--variant ${JSON.stringify(arg)}: expected NAME:key=value,… with NAME starting with a letter`);
  const set: Record<string, unknown> = {};
  const body = colon < 0 ? "" : arg.slice(colon + 1).trim();
  for (const part of body === "" ? [] : body.split(/,(?=\s*[\w.]+=)/)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new ConfigError(`--variant ${name}: expected key=value, got ${JSON.stringify(part)}`);
    const text = part.slice(eq + 1).trim();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    set[part.slice(0, eq).trim()] = value;
  }
  return { name, set };
}

/** `500k` → 500000, `1.5M` → 1500000, `2e6` → 2000000; names `what` in errors. */
export function parseCount(text: string, what: string): number {
  const m = /^\s*([\d.]+(?:e\d+)?)\s*([kKmMgG]?)\s*$/.exec(text);
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[(m?.[2] ?? "").toLowerCase()];
  const n = m && scale !== undefined ? Math.round(Number(m[1]) * scale) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError(`${what} must be a positive count like 200000 or 200k, got ${JSON.stringify(text)}`);
  return n;
}
