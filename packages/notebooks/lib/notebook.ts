/**
 * @file What every lesson shares: the fast/default/full mode switch, numbered
 * cell headers, the output directory for SVGs, and number formatting. Nothing
 * here holds model or data state: each lesson builds everything it uses.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** How long a lesson may run: `fast` for the test suite, `default` (< 2 min on 2 cores), `full` (longer, better). */
export type Mode = "fast" | "default" | "full";

/** The mode from the environment: `KILN_NOTEBOOK_FAST=1` or `KILN_NOTEBOOK_FULL=1` (flags `--fast` / `--full` also work). */
export const MODE: Mode =
  process.env.KILN_NOTEBOOK_FAST === "1" || process.argv.includes("--fast") ? "fast"
  : process.env.KILN_NOTEBOOK_FULL === "1" || process.argv.includes("--full") ? "full"
  : "default";

/** Picks the value for the current mode (`full` falls back to `default`). */
export function byMode<T>(values: { fast: T; default: T; full?: T }): T {
  return MODE === "full" ? (values.full ?? values.default) : values[MODE];
}

/** A running lesson: cell headers, output files, total wall time. */
export interface Lesson {
  /** Prints a numbered cell header. */
  cell(title: string): void;
  /** Writes `file` into this lesson's output directory and prints where it went. */
  write(file: string, contents: string): string;
  /** Prints the lesson's wall time. */
  done(): void;
}

/**
 * Starts a lesson: prints its title and mode (`hasFullMode`: the lesson does more
 * with KILN_NOTEBOOK_FULL=1). Outputs go to
 * `$KILN_NOTEBOOK_OUT/<id>/` (default `.cache/notebooks/<id>/`, gitignored).
 */
export function lesson(id: string, title: string, { hasFullMode = false } = {}): Lesson {
  const start = performance.now();
  let n = 0;
  const dir = join(process.env.KILN_NOTEBOOK_OUT ?? join(".cache", "notebooks"), id);
  const rule = "═".repeat(Math.min(78, title.length + 4));
  console.log(`${rule}\n  ${title}\n${rule}\n(mode: ${MODE}${MODE === "default" ? `; KILN_NOTEBOOK_FAST=1 runs a quick version${hasFullMode ? ", KILN_NOTEBOOK_FULL=1 a longer, better one" : ""}` : ""})`);
  return {
    cell(cellTitle) {
      n++;
      console.log(`\n── [${n}] ${cellTitle} ${"─".repeat(Math.max(3, 70 - cellTitle.length))}`);
    },
    write(file, contents) {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, file);
      writeFileSync(path, contents);
      console.log(`(wrote ${relative(process.cwd(), path) || path})`);
      return path;
    },
    done() {
      console.log(`\n✓ ${id} finished in ${seconds(performance.now() - start)} (mode: ${MODE})`);
    },
  };
}

/** Milliseconds as `1.23 s` or `456 ms`. */
export function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** A number with `digits` significant digits, in scientific notation when very large or small. */
export function sig(x: number, digits = 3): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const e = Math.floor(Math.log10(Math.abs(x)));
  return e >= 6 || e <= -4 ? x.toExponential(digits - 1) : String(Number(x.toPrecision(digits)));
}

/** Milliseconds taken by `fn` (and its result). */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/** The largest absolute difference between two equally long number arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
