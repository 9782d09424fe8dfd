/**
 * @file `kiln scaling compare`: two scaling reports side by side — the
 * exponents of the three approaches and the loss law with their intervals,
 * the difference, the peak learning rate each size trained at, and the
 * runs both trained (same id) — so a change of method (tuned instead of
 * ladder learning rates, another batch size) shows what it moved.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonObject } from "@kiln/train";
import { splitCsvLine } from "../fit/points.js";

/** A number with its 95% interval, as fit.json holds it. */
interface Estimate {
  value: number;
  ci: [number, number] | null;
}

/** What `compareReports` reads of one report directory. */
export interface ReportReading {
  dir: string;
  points: number;
  /** Quantity name → estimate (absent: the report has no such fit). */
  estimates: Map<string, Estimate>;
  /** Run (its id without a learning-rate tag: budget and size) → its point, steps and peak learning rate (from runs.csv). */
  runs: Map<string, SweepRun>;
  verdicts: { title: string; status: string }[];
  /** The sweep config the runs were planned from (plan.json, either plan format), flattened to dotted keys; empty without one. */
  settings: Map<string, string>;
}

/** One finished run of a sweep, as runs.csv has it. */
export interface SweepRun {
  /** The model size's name. */
  rung: string;
  N: number;
  D: number;
  C: number;
  loss: number;
  steps: number;
  lr: number;
}

/** A run's key across sweeps: its id without the learning-rate tag a per-size sweep adds (`c1.47e11-d16L1.lr-4e-3` → `c1.47e11-d16L1`). */
export const runKey = (id: string) => id.replace(/\.lr-.*$/, "");

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const pair = (v: unknown): [number, number] | null => (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number") ? (v as [number, number]) : null);

/** Reads `dir/fit.json` (and `dir/plan.json`, `dir/runs.csv` when present); a missing fit or a malformed file is a one-line error naming it. */
export function readReport(dir: string, fail: (message: string) => Error): ReportReading {
  const fitPath = join(dir, "fit.json");
  const fit = readJsonObject(fitPath, "fit.json", fail, "is truncated or corrupt");
  if (!Array.isArray(fit["points"])) throw fail(`${fitPath}: not a scaling fit (no "points" array); give directories written by kiln scaling or kiln lab report`);
  const estimates = new Map<string, Estimate>();
  const put = (name: string, value: unknown, ci: unknown) => {
    const v = num(value);
    if (v !== null) estimates.set(name, { value: v, ci: pair(ci) });
  };
  const powerLaw = (name: string, p: unknown) => put(name, obj(p)?.["exponent"], obj(p)?.["ci"]);
  const a1 = obj(fit["approach1"]);
  const iso = obj(fit["isoflop"]);
  const law = obj(fit["law"]);
  const ci = obj(obj(law?.["bootstrap"])?.["ci"]);
  powerLaw("a (Approach 1)", a1?.["nOpt"]);
  powerLaw("a (Approach 2)", iso?.["nOpt"]);
  put("a (Approach 3)", law?.["a"], ci?.["a"]);
  powerLaw("b (Approach 1)", a1?.["dOpt"]);
  powerLaw("b (Approach 2)", iso?.["dOpt"]);
  put("b (Approach 3)", law?.["b"], ci?.["b"]);
  for (const k of ["alpha", "beta", "E"] as const) put(k === "alpha" ? "α" : k === "beta" ? "β" : "E", obj(law?.["law"])?.[k], ci?.[k]);
  put("log-residual RMSE", law?.["logRmse"], null);
  put("holdout relative error", obj(fit["holdout"])?.["relError"], null);
  const verdicts = (Array.isArray(fit["verdicts"]) ? fit["verdicts"] : []).map(obj).filter((v): v is Json => v !== null).map((v) => ({ title: String(v["title"]), status: String(v["status"]) }));
  return { dir, points: fit["points"].length, estimates, verdicts, settings: readSettings(join(dir, "plan.json"), fail), runs: readRuns(join(dir, "runs.csv")) };
}

/**
 * The sweep config in a plan.json (this kiln's `meta.config`, an older kiln's `config`), flattened;
 * the ladder and name left out. Without a plan.json (a points fit) there is nothing to compare; an
 * unreadable or corrupt one is a one-line error, not a silently empty comparison.
 */
function readSettings(path: string, fail: (message: string) => Error): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(path)) return out;
  const plan = readJsonObject(path, "plan.json", fail, "is truncated or corrupt");
  const config = obj(obj(plan?.["meta"])?.["config"]) ?? obj(plan?.["config"]);
  const walk = (v: unknown, key: string) => {
    const o = obj(v);
    if (o === null) out.set(key, JSON.stringify(v));
    else for (const [k, x] of Object.entries(o)) walk(x, key ? `${key}.${k}` : k);
  };
  for (const [k, v] of Object.entries(config ?? {})) if (k !== "ladder" && k !== "name") walk(v, k);
  return out;
}

/** The runs in `runs.csv` by key (empty when the file or its columns are absent). */
function readRuns(path: string): Map<string, SweepRun> {
  const out = new Map<string, SweepRun>();
  if (!existsSync(path)) return out;
  const [head, ...rows] = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = splitCsvLine(head ?? "");
  const col = Object.fromEntries(["id", "rung", "lr", "N", "D", "C", "loss", "steps"].map((k) => [k, header.indexOf(k)]));
  if (Object.values(col).some((i) => i < 0)) return out;
  for (const row of rows) {
    const cells = splitCsvLine(row);
    const get = (k: string) => cells[col[k]!] ?? "";
    const lr = Number(get("lr"));
    if (!Number.isFinite(lr)) continue;
    out.set(runKey(get("id")), { rung: get("rung"), N: Number(get("N")), D: Number(get("D")), C: Number(get("C")), loss: Number(get("loss")), steps: Number(get("steps")), lr });
  }
  return out;
}

/** Size → its parameter count and the sorted distinct peak learning rates its runs trained at. */
function sizeLrs(runs: Map<string, SweepRun>): Map<string, { N: number; lrs: number[] }> {
  const out = new Map<string, { N: number; lrs: number[] }>();
  for (const r of runs.values()) {
    const size = out.get(r.rung) ?? { N: r.N, lrs: [] };
    if (!size.lrs.includes(r.lr)) size.lrs.push(r.lr);
    out.set(r.rung, size);
  }
  for (const size of out.values()) size.lrs.sort((x, y) => x - y);
  return out;
}

const f3 = (x: number) => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(3));
const cell = (e: Estimate | undefined) => (e === undefined ? "—" : `${f3(e.value)}${e.ci ? ` [${f3(e.ci[0])}, ${f3(e.ci[1])}]` : ""}`);

/** What the two sweeps' configs set differently, and a warning when their validation losses are measured differently. */
function settingsLines(a: ReportReading, b: ReportReading, [la, lb]: [string, string]): string[] {
  if (a.settings.size === 0 || b.settings.size === 0) return [];
  const keys = [...new Set([...a.settings.keys(), ...b.settings.keys()])].filter((k) => a.settings.get(k) !== b.settings.get(k));
  if (keys.length === 0) return ["The two sweeps were planned from the same settings (ladder aside).", ""];
  const L = [`Settings that differ (${la} → ${lb}): ${keys.map((k) => `${k} ${a.settings.get(k) ?? "unset"} → ${b.settings.get(k) ?? "unset"}`).join("; ")}.`, ""];
  if (keys.some((k) => k === "train.evalSequences" || k.startsWith("data."))) L.push(`**The two measure validation loss differently** (another evaluation set or data), so their losses differ by that too: compare exponents, not losses run by run.`, "");
  return L;
}

/** The comparison as Markdown: `labels` name the two reports, `command` is the line that made it. */
export function compareReports(a: ReportReading, b: ReportReading, labels: [string, string], command: string): string {
  const [la, lb] = labels;
  const names = [...new Set([...a.estimates.keys(), ...b.estimates.keys()])];
  const L = [
    `# Scaling fits compared: ${la} vs ${lb}`,
    "",
    `Generated by \`${command}\`. ${la}: \`${a.dir}\` (${a.points} runs fitted); ${lb}: \`${b.dir}\` (${b.points} runs fitted). Brackets are each report's 95% bootstrap intervals; the difference is ${lb} − ${la}.`,
    "",
    ...settingsLines(a, b, labels),
    `| quantity | ${la} | ${lb} | difference |`,
    "|---|---|---|---|",
    ...names.map((n) => {
      const [x, y] = [a.estimates.get(n), b.estimates.get(n)];
      return `| ${n} | ${cell(x)} | ${cell(y)} | ${x && y ? `${y.value - x.value >= 0 ? "+" : ""}${f3(y.value - x.value)}` : "—"} |`;
    }),
    "",
  ];
  const [sa, sb] = [sizeLrs(a.runs), sizeLrs(b.runs)];
  const N = (s: string) => (sa.get(s) ?? sb.get(s))!.N;
  const sizes = [...new Set([...sa.keys(), ...sb.keys()])].sort((x, y) => N(x) - N(y));
  if (sizes.length > 0) {
    const lrs = (by: typeof sa, s: string) => by.get(s)?.lrs.map((v) => v.toPrecision(3)).join(", ") ?? "—";
    L.push("## Peak learning rate by size", "", `| size | ${la} | ${lb} |`, "|---|---|---|", ...sizes.map((s) => `| ${s} | ${lrs(sa, s)} | ${lrs(sb, s)} |`), "");
  }
  const shared = [...a.runs.keys()].filter((id) => b.runs.has(id));
  if (shared.length > 0) {
    const run = (r: ReportReading, id: string) => r.runs.get(id)!;
    L.push(
      "## Runs in both",
      "",
      `The runs both sweeps trained at the same budget and size (same id, learning-rate tag aside): final validation loss, optimizer steps and peak learning rate.`,
      "",
      `| run | ${la} loss | ${lb} loss | difference | ${la} steps | ${lb} steps | ${la} lr | ${lb} lr |`,
      "|---|---|---|---|---|---|---|---|",
      ...shared.map((id) => {
        const [x, y] = [run(a, id), run(b, id)];
        const d = y.loss - x.loss;
        return `| ${id} | ${x.loss.toFixed(4)} | ${y.loss.toFixed(4)} | ${d >= 0 ? "+" : ""}${d.toFixed(4)} | ${x.steps} | ${y.steps} | ${x.lr.toPrecision(3)} | ${y.lr.toPrecision(3)} |`;
      }),
      "",
    );
  }
  const titles = [...new Set([...a.verdicts, ...b.verdicts].map((v) => v.title))];
  if (titles.length > 0) {
    const st = (r: ReportReading, t: string) => r.verdicts.find((v) => v.title === t)?.status ?? "—";
    L.push("## Checks", "", `| check | ${la} | ${lb} |`, "|---|---|---|", ...titles.map((t) => `| ${t} | ${st(a, t)} | ${st(b, t)} |`), "");
  }
  return L.join("\n");
}

/**
 * The points of both sweeps as a points CSV for `kiln scaling fit`: every
 * run of either, and for a run both trained the one with the lower final
 * loss (the better-tuned of the two settings); column `from` says whose.
 */
export function bestOfBothCsv(a: ReportReading, b: ReportReading, labels: [string, string]): string {
  const keys = [...new Set([...a.runs.keys(), ...b.runs.keys()])];
  const rows = keys.map((k) => {
    const [x, y] = [a.runs.get(k), b.runs.get(k)];
    const [run, from] = y !== undefined && (x === undefined || y.loss < x.loss) ? [y, labels[1]] : [x!, labels[0]];
    return `${k},${run.N},${run.D},${run.C},${run.loss},${JSON.stringify(from)}`;
  });
  return ["run,N,D,C,loss,from", ...rows].map((l) => `${l}\n`).join("");
}
