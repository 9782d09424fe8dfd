/**
 * @file `runs.csv`: one line per finished run, appended as each run ends, so
 * an interrupted sweep knows what is done. The first columns (`id, C, N, D,
 * loss`) make the file a points CSV that `kiln scaling fit` reads as is;
 * `loss_se` is the standard error of `loss` over its validation windows.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { ScalingPoint } from "../fit/index.js";
import { writeFileAtomic } from "@kiln/train";

/** The columns of runs.csv, in order. */
export const RUN_COLUMNS = [
  "id", "C", "N", "D", "loss", "loss_se",
  "rung", "budget_index", "N_nonembedding", "N_with_head", "flops_per_token", "C_6ND", "C_exact",
  "hidden", "layers", "heads", "batch", "steps", "tokens_per_step", "epochs", "lr", "warmup",
  "train_loss", "wall_s", "tok_per_s", "flags",
] as const;

/** The header of runs.csv files written before `loss_se` was recorded; read with `loss_se` NaN. */
const LEGACY_COLUMNS = RUN_COLUMNS.filter((k) => k !== "loss_se");

/** One finished run. */
export type RunRow = { [K in (typeof RUN_COLUMNS)[number]]: K extends "id" | "rung" | "flags" ? string : number };

/** The CSV line of a row (no newline). Text cells never hold commas: ids and rung names are `[\w.-]`, flags are `;`-separated. */
export function formatRunRow(row: RunRow): string {
  return RUN_COLUMNS.map((k) => String(row[k])).join(",");
}

/** Reads runs.csv (absent: no rows; one from before `loss_se` reads with it NaN). A torn last line from a crash is ignored; the file is rewritten without it. */
export function readRuns(path: string): RunRow[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const header = lines[0] ?? "";
  const legacy = header === LEGACY_COLUMNS.join(",");
  if (header !== RUN_COLUMNS.join(",") && !legacy) throw new Error(`${path}: unexpected header ${JSON.stringify(header.slice(0, 80))}; this runs.csv is from another version or tool`);
  const columns: readonly string[] = legacy ? LEGACY_COLUMNS : RUN_COLUMNS;
  const rows: RunRow[] = [];
  let torn = !text.endsWith("\n");
  if (torn) lines.pop(); // a line cut short by a crash mid-append
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const cells = line.split(",");
    if (cells.length !== columns.length) {
      torn = true;
      continue;
    }
    const row: Record<string, string | number> = { loss_se: NaN };
    columns.forEach((k, i) => {
      const s = cells[i]!;
      row[k] = k === "id" || k === "rung" || k === "flags" ? s : s === "" ? NaN : Number(s);
    });
    if (!Number.isFinite(row.loss as number)) {
      torn = true;
      continue;
    }
    rows.push(row as RunRow);
  }
  if (torn && !legacy) writeRuns(path, rows);
  return rows;
}

/** Rewrites runs.csv atomically with `rows`. */
export function writeRuns(path: string, rows: readonly RunRow[]): void {
  writeFileAtomic(path, `${[RUN_COLUMNS.join(","), ...rows.map(formatRunRow)].join("\n")}\n`);
}

/** Appends one finished run (creating the file with its header first). */
export function appendRun(path: string, row: RunRow): void {
  if (!existsSync(path)) writeRuns(path, []);
  appendFileSync(path, `${formatRunRow(row)}\n`);
}

/** The fit's points: N = N_total, D = tokens trained, loss = final validation loss, C = the budget. */
export function rowsToPoints(rows: readonly RunRow[]): ScalingPoint[] {
  return rows.map((r) => ({ N: r.N, D: r.D, loss: r.loss, C: r.C }));
}
