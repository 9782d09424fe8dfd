/**
 * @file Scaling-law data points (`N, D, loss`, optionally the budget `C`) and
 * their CSV form, read with errors that name the line and the column.
 */
import { readFileSync } from "node:fs";

/** One training run: parameters N, training tokens D, final loss (nats/token); C = its compute budget if known. */
export interface ScalingPoint {
  N: number;
  D: number;
  loss: number;
  /** The run's compute budget (its IsoFLOP group); default `6·N·D`. */
  C?: number;
}

/** A points file that cannot be used. */
export class PointsError extends Error {
  override name = "PointsError";
}

/** The budget of a point: its `C`, else `6·N·D`. */
export function budgetOf(p: ScalingPoint): number {
  return p.C ?? 6 * p.N * p.D;
}

/** Splits one CSV line (double-quoted fields may hold commas). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += ch;
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/**
 * Parses CSV text with a header naming columns `N`, `D` and `loss` (any case;
 * `C` optional, other columns ignored). Every value must be a positive finite
 * number; a bad cell is an error naming `source`, the line and the column.
 */
export function parsePointsCsv(text: string, source = "points"): ScalingPoint[] {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.toLowerCase());
  const col = (name: string) => header.indexOf(name.toLowerCase());
  const idx = { N: col("N"), D: col("D"), loss: col("loss"), C: col("C") };
  const missing = (["N", "D", "loss"] as const).filter((k) => idx[k] < 0);
  if (missing.length > 0) {
    throw new PointsError(`${source}: the header must name columns N, D and loss (optionally C); missing ${missing.join(", ")} in ${JSON.stringify(lines[0] ?? "")}`);
  }
  const points: ScalingPoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const cells = splitCsvLine(line);
    const num = (k: keyof typeof idx): number => {
      const raw = cells[idx[k]];
      const v = raw === undefined || raw === "" ? NaN : Number(raw);
      if (!(Number.isFinite(v) && v > 0)) throw new PointsError(`${source}:${i + 1}: column ${k} must be a positive number, got ${JSON.stringify(raw ?? "")}`);
      return v;
    };
    const p: ScalingPoint = { N: num("N"), D: num("D"), loss: num("loss") };
    if (idx.C >= 0 && (cells[idx.C] ?? "") !== "") p.C = num("C");
    points.push(p);
  }
  return points;
}

/** Reads a points CSV file (see {@link parsePointsCsv}). */
export function readPointsCsv(path: string): ScalingPoint[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PointsError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parsePointsCsv(text, path);
}

/** Points as CSV text with the header `N,D,C,loss` (full float precision). */
export function formatPointsCsv(points: readonly ScalingPoint[]): string {
  return `N,D,C,loss\n${points.map((p) => `${p.N},${p.D},${budgetOf(p)},${p.loss}`).join("\n")}\n`;
}

/** The points left after dropping the `k` highest losses (Epoch AI drop the 5 highest of Chinchilla's). */
export function dropHighestLoss(points: readonly ScalingPoint[], k: number): ScalingPoint[] {
  if (k <= 0) return [...points];
  const cut = [...points].sort((a, b) => b.loss - a.loss)[Math.min(k, points.length) - 1]!.loss;
  let dropped = 0;
  return points.filter((p) => !(p.loss >= cut && dropped++ < k));
}
