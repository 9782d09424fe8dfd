/**
 * @file Numeric command-line flags, validated where they are read: an
 * integer or number within a range, or a list of token ids, with an error
 * that names the flag and the accepted values.
 */
import { UsageError } from "./args.js";

type Values = Readonly<Record<string, unknown>>;

/** Bounds of a numeric flag; `exclusiveMin` makes `min` itself invalid. */
export interface FlagRange {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
}

function describe(integer: boolean, r: FlagRange): string {
  const parts = [integer ? "an integer" : "a number"];
  if (r.min !== undefined) parts.push(`${r.exclusiveMin ? ">" : "≥"} ${r.min}`);
  if (r.max !== undefined) parts.push(`${r.min !== undefined ? "and " : ""}≤ ${r.max}`);
  return parts.join(" ");
}

function parseNumber(name: string, raw: unknown, integer: boolean, r: FlagRange): number {
  const text = String(raw).trim();
  const n = text === "" ? NaN : Number(text);
  const ok = Number.isFinite(n) && (!integer || Number.isSafeInteger(n)) &&
    (r.min === undefined || (r.exclusiveMin ? n > r.min : n >= r.min)) && (r.max === undefined || n <= r.max);
  if (!ok) throw new UsageError(`--${name} must be ${describe(integer, r)}, got ${JSON.stringify(raw)}`);
  return n;
}

/** `--name` as an integer in range (`def` when absent). */
export function intFlag(values: Values, name: string, def: number, range?: FlagRange): number;
export function intFlag(values: Values, name: string, def: undefined, range?: FlagRange): number | undefined;
export function intFlag(values: Values, name: string, def: number | undefined, range: FlagRange = {}): number | undefined {
  return values[name] === undefined ? def : parseNumber(name, values[name], true, range);
}

/** `--name` as a finite number in range (`def` when absent). */
export function numFlag(values: Values, name: string, def: number, range?: FlagRange): number;
export function numFlag(values: Values, name: string, def: undefined, range?: FlagRange): number | undefined;
export function numFlag(values: Values, name: string, def: number | undefined, range: FlagRange = {}): number | undefined {
  return values[name] === undefined ? def : parseNumber(name, values[name], false, range);
}

/** A comma-separated list of token ids in `[0, vocabSize)`: no empty items, at least one id. */
export function tokenIdsFlag(name: string, raw: string, vocabSize: number): number[] {
  if (raw.trim() === "") throw new UsageError(`--${name} is empty; give comma-separated token ids, e.g. --${name} 1,2,3`);
  return raw.split(",").map((s, i) => {
    if (s.trim() === "") throw new UsageError(`--${name}: item ${i + 1} of ${JSON.stringify(raw)} is empty`);
    const id = Number(s.trim());
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new UsageError(`--${name}: ${JSON.stringify(s.trim())} is not a token id in [0, ${vocabSize})`);
    return id;
  });
}
