/**
 * @file `runs.csv`: one line per finished run, in plan order, written by the
 * report from the runs' results — so it holds only what training determines
 * and is the same bytes wherever and however fast the runs executed (wall
 * time and throughput live in each run's timing.json). The first columns
 * (`id, C, N, D, loss`) make the file a points CSV that `kiln scaling fit`
 * reads as is; `loss_se` is the standard error of `loss` over its
 * validation windows.
 */
import { writeFileAtomic } from "@kiln/train";
import type { ScalingPoint } from "../fit/index.js";

/** The columns of runs.csv, in order. */
export const RUN_COLUMNS = [
  "id", "C", "N", "D", "loss", "loss_se",
  "rung", "budget_index", "N_nonembedding", "N_with_head", "flops_per_token", "C_6ND", "C_exact",
  "hidden", "layers", "heads", "batch", "steps", "tokens_per_step", "epochs", "lr", "warmup",
  "train_loss", "flags",
] as const;

/** One finished run. */
export type RunRow = { [K in (typeof RUN_COLUMNS)[number]]: K extends "id" | "rung" | "flags" ? string : number };

/** The CSV line of a row (no newline). Text cells never hold commas: ids and rung names are `[\w.-]`, flags are `;`-separated. */
export function formatRunRow(row: RunRow): string {
  return RUN_COLUMNS.map((k) => String(row[k])).join(",");
}

/** Writes runs.csv atomically with `rows`. */
export function writeRuns(path: string, rows: readonly RunRow[]): void {
  writeFileAtomic(path, `${[RUN_COLUMNS.join(","), ...rows.map(formatRunRow)].join("\n")}\n`);
}

/** The fit's points: N = N_total, D = tokens trained, loss = final validation loss, C = the budget. */
export function rowsToPoints(rows: readonly RunRow[]): ScalingPoint[] {
  return rows.map((r) => ({ N: r.N, D: r.D, loss: r.loss, C: r.C }));
}
