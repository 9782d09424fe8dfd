/**
 * @file @kiln/lab: experiment runs as addressable units of work over a plan
 * directory on a shared filesystem, for one machine or a scheduler's array job.
 */
export { writePlan, readPlan, runDir, readResult, writeResult, PlanError, type Plan, type PlanRun } from "./queue/plan-dir.js";
export { tryClaim, currentClaim, defaultWorkerName, Claim, DEFAULT_TIMING, type ClaimInfo, type ClaimState, type ClaimTiming } from "./queue/claim.js";
export { planStatus, runIndex, runClaimLoop, taskIndex, type RunState, type RunStatus, type Executor, type WorkerOptions } from "./queue/queue.js";
