/**
 * @file The kinds of study a plan directory can hold, by the `kind` its
 * plan.json records, and opening a plan directory with its study checked
 * before any work starts.
 */
import { ablationStudy } from "../ablate/study.js";
import { PlanError, readPlan, type Plan } from "../queue/plan-dir.js";
import { scalingStudy } from "../scaling/study.js";
import type { Study } from "./study.js";

/** Every study kind, by the `kind` of its plans. */
export const STUDIES: Record<string, Study> = { scaling: scalingStudy, ablate: ablationStudy };

/** Reads the plan in `dir` and the study of its kind (an unknown kind is refused by name). */
export function openPlan(dir: string): { plan: Plan; study: Study } {
  const plan = readPlan(dir);
  const study = STUDIES[plan.kind];
  if (study === undefined) throw new PlanError(`${dir}/plan.json: unknown kind ${JSON.stringify(plan.kind)} (this kiln runs ${Object.keys(STUDIES).join(", ")})`);
  return { plan, study };
}
