/**
 * @file What a kind of study (`scaling`, `ablate`) gives the run queue: the
 * executor that trains one of its runs, and the report it writes from the
 * finished runs. `plan.json` names its kind, so `kiln lab run | report`
 * finds both from the plan directory alone.
 */
import type { Progress } from "@kiln/train";
import type { Plan, PlanRun } from "../queue/plan-dir.js";
import type { Executor } from "../queue/queue.js";

/** Options of a study's report. */
export interface StudyReportOptions {
  /** Also write the report here (besides the plan directory). */
  reportDir?: string;
  /** Lines for the user (what was found, where the report went). */
  log: (line: string) => void;
}

/** A kind of study. */
export interface Study {
  /** The queue's executor for this kind's runs; `progressFor` gives each run's live line its destination. */
  executor(progressFor: (run: PlanRun) => Progress): Executor;
  /** Writes the report of the finished runs of the plan in `dir` (into `dir`, and `opts.reportDir` if given); returns the files written in `dir`. */
  report(dir: string, plan: Plan, opts: StudyReportOptions): string[];
}
