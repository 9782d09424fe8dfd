/**
 * @file `metrics.jsonl`: one JSON object per line, appended as the run goes
 * (step, tokens, loss, val loss, lr, grad norm, tok/s, elapsed), so a plot
 * or a resumed run can read the history back.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { fsyncDir, writeFileDurable } from "./util/atomic.js";
import { faultPoint } from "./util/fault.js";

/** One logged row. */
export interface MetricsRow {
  step: number;
  tokens: number;
  loss?: number;
  valLoss?: number;
  /** Standard error of `valLoss` over its windows. */
  valStdErr?: number;
  lr?: number;
  gradNorm?: number;
  tokPerSec?: number;
  elapsed: number;
}

/** Appends rows to a JSONL file. */
export class MetricsLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Appends one row. */
  append(row: MetricsRow): void {
    appendFileSync(this.path, `${JSON.stringify(row)}\n`);
  }

  /**
   * Drops rows after `step` (a resumed run rewrites what the crashed one
   * logged past its checkpoint, and a line a kill tore). The shorter file replaces the old one by a
   * rename, so a kill leaves either the old history or the new, never less.
   */
  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    const text = readMetrics(this.path).filter((r) => r.step <= step).map((r) => `${JSON.stringify(r)}\n`).join("");
    if (text === readFileSync(this.path, "utf8")) return;
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileDurable(tmp, text);
    faultPoint("metrics:truncate");
    renameSync(tmp, this.path);
    fsyncDir(dirname(this.path));
  }
}

/** Reads a metrics file (skipping a torn last line). */
export function readMetrics(path: string): MetricsRow[] {
  const rows: MetricsRow[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line) as MetricsRow);
    } catch {
      // a line torn by a crash mid-append
    }
  }
  return rows;
}
