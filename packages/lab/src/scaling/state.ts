/**
 * @file A sweep directory's own files besides runs.csv: `plan.json` (the
 * budgets, runs and measured throughput, fixed when the sweep first starts so
 * a resumed sweep runs the same plan) and `sessions.jsonl` (wall time of each
 * session, summed into the sweep's measured wall time).
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@kiln/train";
import type { SweepPlan, Throughput } from "./plan.js";
import type { SweepConfig } from "./sweep-config.js";

/** The format tag of plan.json. */
export const PLAN_FORMAT = "kiln.scaling-plan/1";

/** plan.json. */
export interface StoredPlan extends SweepPlan {
  format: typeof PLAN_FORMAT;
  createdAt: string;
  /** The sweep config the plan was made from (`jobs` aside, a resumed sweep must match it). */
  config: SweepConfig;
  jobs: number;
  /** Tokens/s per rung with `jobs` processes busy: measured for the rungs in `measured`, estimated from the nearest one's FLOP rate for the rest. */
  throughput: Throughput;
  measured: string[];
  /** How jobs was chosen, in words. */
  jobsReason: string;
  trainTokens: number;
  valTokens: number;
  /** Unigram and bigram losses on the validation split (fitted on the training split); absent in plans made before they were recorded. */
  baselines?: { unigram: number; bigram: number };
}

/** One session of work on a sweep. */
export interface Session {
  start: string;
  seconds: number;
  runs: number;
  status: "completed" | "interrupted" | "failed";
}

const comparable = (c: SweepConfig) => JSON.stringify({ ...c, jobs: 0 });

/** The first top-level field where two configs differ, for the error message. */
function firstDifference(a: SweepConfig, b: SweepConfig): string {
  for (const k of Object.keys(a) as (keyof SweepConfig)[]) {
    if (k !== "jobs" && JSON.stringify(a[k]) !== JSON.stringify(b[k])) return k;
  }
  return "?";
}

/** Reads `dir/plan.json` (null when absent). */
export function readPlan(dir: string): StoredPlan | null {
  const path = join(dir, "plan.json");
  if (!existsSync(path)) return null;
  let plan: StoredPlan;
  try {
    plan = JSON.parse(readFileSync(path, "utf8")) as StoredPlan;
  } catch (e) {
    throw new Error(`${path}: unreadable (${(e as Error).message}); delete it to plan the sweep again`);
  }
  if (plan.format !== PLAN_FORMAT) throw new Error(`${path}: unknown format ${JSON.stringify(plan.format)}`);
  return plan;
}

/** Reads `dir/plan.json` if present, checking that it was made from `config`. */
export function loadPlan(dir: string, config: SweepConfig): StoredPlan | null {
  const plan = readPlan(dir);
  if (plan === null) return null;
  const path = join(dir, "plan.json");
  if (comparable(plan.config) !== comparable(config)) {
    throw new Error(`${dir} holds a sweep planned from a different config (it differs in "${firstDifference(plan.config, config)}"); use another --out, or delete ${path} and runs.csv to start over`);
  }
  return plan;
}

/** Writes plan.json atomically. */
export function savePlan(dir: string, plan: StoredPlan): void {
  writeFileAtomic(join(dir, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
}

/** Appends a session record. */
export function recordSession(dir: string, s: Session): void {
  appendFileSync(join(dir, "sessions.jsonl"), `${JSON.stringify(s)}\n`);
}

/** Every recorded session (torn lines skipped). */
export function readSessions(dir: string): Session[] {
  const path = join(dir, "sessions.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").flatMap((l) => {
    try {
      return l.trim() ? [JSON.parse(l) as Session] : [];
    } catch {
      return [];
    }
  });
}
