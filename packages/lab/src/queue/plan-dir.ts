/**
 * @file A plan directory: every run of a study, fixed before any training, on
 * a filesystem that all workers share. `plan.json` lists the runs; each run
 * trains in `runs/<id>/` and is done once `runs/<id>/result.json` exists
 * (written atomically, so a result is either whole or absent). A result holds
 * only what training determines (the same bytes wherever the run executed);
 * how long it took and on which host goes beside it in `timing.json`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@kiln/tensor";
import { firstDifference } from "./same-config.js";

/** One unit of work: its id (a safe file name) and its kind-specific, fully resolved config. */
export interface PlanRun {
  id: string;
  config: unknown;
  /** Relative amount of work (e.g. training FLOPs), for the ETA; 1 when absent. */
  cost?: number;
}

/** Where and how long a finished run trained: expected to differ between hosts and executions. */
export interface RunTiming {
  /** Wall-clock seconds of training and evaluation, over every session of the run. */
  seconds: number;
  /** Training tokens per second (median over the run's logging windows). */
  tokensPerSec: number;
  host: string;
  finishedAt: string;
}

/** Everything a worker needs to execute any run of a study. */
export interface Plan {
  /** Which planner made it (`scaling`, `ablate`, ...): picks the executor. */
  kind: string;
  name: string;
  runs: PlanRun[];
  /** Planner-specific context shared by every run (e.g. the sweep config). */
  meta?: unknown;
}

const PLAN_FILE = "plan.json";
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** A plan that cannot be written or read; the message names the directory and what is wrong. */
export class PlanError extends Error {
  override name = "PlanError";
}

function validate(plan: Plan, where: string): void {
  const format = (plan as { format?: unknown }).format;
  if (plan.kind === undefined && typeof format === "string") throw new PlanError(`${where}: written by an older kiln (format ${format}), not a plan of this one; refit a sweep's points with kiln scaling fit runs.csv`);
  if (typeof plan.kind !== "string" || plan.kind === "") throw new PlanError(`${where}: "kind" must be a non-empty string`);
  if (!Array.isArray(plan.runs) || plan.runs.length === 0) throw new PlanError(`${where}: "runs" must be a non-empty array`);
  const seen = new Set<string>();
  plan.runs.forEach((r, i) => {
    if (typeof r?.id !== "string" || !SAFE_ID.test(r.id)) throw new PlanError(`${where}: runs[${i}].id must be a file-safe name, got ${JSON.stringify(r?.id)}`);
    if (seen.has(r.id)) throw new PlanError(`${where}: run id "${r.id}" appears twice`);
    seen.add(r.id);
  });
}

/**
 * Writes `plan` into `dir`. Writing the same plan again is a no-op; a
 * different plan over an existing one is refused (its runs may have started),
 * except, with `extend`, one that keeps every existing run as it is, at its
 * index, and adds runs after them (e.g. an ablation given more seeds).
 */
export function writePlan(dir: string, plan: Plan, { extend = false } = {}): "written" | "unchanged" | "extended" {
  validate(plan, dir);
  const path = join(dir, PLAN_FILE);
  let outcome: "written" | "extended" = "written";
  if (existsSync(path)) {
    const existing = readPlan(dir);
    const diff = firstDifference(existing, JSON.parse(JSON.stringify(plan)));
    if (diff === null) return "unchanged";
    const kept = existing.kind === plan.kind && firstDifference(existing.runs, JSON.parse(JSON.stringify(plan.runs.slice(0, existing.runs.length)))) === null;
    if (!extend || !kept || plan.runs.length <= existing.runs.length) throw new PlanError(`${dir} already holds a different plan (it differs in ${diff}); choose a new directory (or delete it to start over)`);
    outcome = "extended";
  }
  writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
  return outcome;
}

/** Reads and checks the plan in `dir`. */
export function readPlan(dir: string): Plan {
  const path = join(dir, PLAN_FILE);
  if (!existsSync(path)) throw new PlanError(`${dir} is not a plan directory (no ${PLAN_FILE}); make one with --plan-only --out ${dir}`);
  let plan: Plan;
  try {
    plan = JSON.parse(readFileSync(path, "utf8")) as Plan;
  } catch (e) {
    throw new PlanError(`${path}: not valid JSON (${(e as Error).message.split("\n")[0]!.slice(0, 120)})`);
  }
  validate(plan, path);
  return plan;
}

/** The directory run `id` trains in. */
export function runDir(dir: string, id: string): string {
  return join(dir, "runs", id);
}

/** The result of run `id`, or undefined while it is not done. */
export function readResult(dir: string, id: string): unknown {
  const path = join(runDir(dir, id), "result.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as unknown) : undefined;
}

/** Records run `id` as done (atomically: a reader sees the whole result or none). */
export function writeResult(dir: string, id: string, result: unknown): void {
  writeFileAtomic(join(runDir(dir, id), "result.json"), `${JSON.stringify(result, null, 2)}\n`);
}

/** Records how long the run in `runDir` took (atomically); an executor writes it before returning the run's result. */
export function writeTiming(runDirectory: string, timing: RunTiming): void {
  writeFileAtomic(join(runDirectory, "timing.json"), `${JSON.stringify(timing, null, 2)}\n`);
}

/** The timing of run `id`, or undefined when it has none (not done, or its executor records none). */
export function readTiming(dir: string, id: string): RunTiming | undefined {
  const path = join(runDir(dir, id), "timing.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunTiming) : undefined;
}
