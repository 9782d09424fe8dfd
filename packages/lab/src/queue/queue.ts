/**
 * @file The run queue over a plan directory: which runs are done, running,
 * stale or pending; execute one run by index (an array job's task) or keep
 * claiming the next free run (a pool of identical workers). A run executes
 * under a claim whose heartbeat beats while it trains; if the claim is taken
 * over, the executor is told to stop through its AbortSignal.
 */
import { currentClaim, DEFAULT_TIMING, defaultWorkerName, tryClaim, type Claim, type ClaimInfo, type ClaimTiming } from "./claim.js";
import { readPlan, readResult, runDir, writeResult, type Plan, type PlanRun } from "./plan-dir.js";

/** Where a run stands. */
export type RunState = "done" | "running" | "stale" | "pending";

/** One row of `planStatus`. */
export interface RunStatus {
  index: number;
  id: string;
  state: RunState;
  holder?: ClaimInfo;
  heartbeatAgeSeconds?: number;
}

/**
 * Trains one run in `dir` and resolves to its result, or to undefined when it
 * stopped early (signal aborted, Ctrl-C); it must resume from what `dir`
 * holds when called again.
 */
export type Executor = (plan: Plan, run: PlanRun, dir: string, signal: AbortSignal) => Promise<unknown>;

/** Worker settings. */
export interface WorkerOptions {
  worker?: string;
  timing?: ClaimTiming;
  /** Stops the worker: the active run is asked to checkpoint and stop (its claim is given back), and no further run is claimed. */
  signal?: AbortSignal;
  /** Told of each run a worker starts and ends. */
  onEvent?: (event: { kind: "start" | "done" | "stopped" | "lost"; run: PlanRun; index: number }) => void;
}

/** The state of every run of the plan in `dir`. */
export function planStatus(dir: string, timing: ClaimTiming = DEFAULT_TIMING): RunStatus[] {
  return readPlan(dir).runs.map((run, index) => {
    if (readResult(dir, run.id) !== undefined) return { index, id: run.id, state: "done" };
    const claim = currentClaim(dir, run.id, timing);
    if (!claim) return { index, id: run.id, state: "pending" };
    return { index, id: run.id, state: claim.stale ? "stale" : "running", holder: claim.info, heartbeatAgeSeconds: claim.heartbeatAgeSeconds };
  });
}

/** Claims run `id` unless it is done or live elsewhere; re-checks "done" after winning (a holder may just have finished). */
function claimIfOpen(dir: string, id: string, worker: string, timing: ClaimTiming): Claim | undefined {
  if (readResult(dir, id) !== undefined) return undefined;
  const claim = tryClaim(dir, id, worker, timing);
  if (claim && readResult(dir, id) !== undefined) {
    claim.release();
    return undefined;
  }
  return claim;
}

/** Executes a claimed run with its heartbeat beating; resolves to "done", "stopped" or "lost". */
async function executeClaimed(plan: Plan, dir: string, index: number, claim: Claim, execute: Executor, opts: WorkerOptions): Promise<"done" | "stopped" | "lost"> {
  const run = plan.runs[index]!;
  const timing = opts.timing ?? DEFAULT_TIMING;
  const controller = new AbortController();
  const stop = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", stop);
  if (opts.signal?.aborted) stop();
  let lost = false;
  const beat = setInterval(() => {
    if (!claim.heartbeat()) {
      lost = true;
      controller.abort(new Error(`run ${run.id} was taken over by another worker`));
    }
  }, timing.heartbeatSeconds * 1000);
  beat.unref();
  opts.onEvent?.({ kind: "start", run, index });
  try {
    const result = await execute(plan, run, runDir(dir, run.id), controller.signal);
    if (lost || !claim.held()) {
      opts.onEvent?.({ kind: "lost", run, index });
      return "lost";
    }
    if (result === undefined) {
      claim.release();
      opts.onEvent?.({ kind: "stopped", run, index });
      return "stopped";
    }
    writeResult(dir, run.id, result);
    claim.finish();
    opts.onEvent?.({ kind: "done", run, index });
    return "done";
  } catch (e) {
    claim.release();
    throw e;
  } finally {
    clearInterval(beat);
    opts.signal?.removeEventListener("abort", stop);
  }
}

/** The array-job task index from `--index`, Slurm's `SLURM_ARRAY_TASK_ID` or Kubernetes' `JOB_COMPLETION_INDEX`. */
export function taskIndex(explicit: number | undefined, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (explicit !== undefined) return explicit;
  for (const name of ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] as const) {
    const v = env[name];
    if (v === undefined || v === "") continue;
    if (!/^\d+$/.test(v)) throw new Error(`${name}=${JSON.stringify(v)} is not a run index`);
    return Number(v);
  }
  return undefined;
}

/**
 * Executes run `index` of the plan in `dir`. A run already done is not
 * repeated; a run held by a live worker is refused with that worker's name.
 */
export async function runIndex(dir: string, index: number, execute: Executor, opts: WorkerOptions = {}): Promise<"done" | "already-done" | "stopped" | "lost"> {
  const plan = readPlan(dir);
  const run = plan.runs[index];
  if (!Number.isInteger(index) || run === undefined) throw new Error(`run index ${index} is out of range: the plan in ${dir} has runs 0…${plan.runs.length - 1}`);
  if (readResult(dir, run.id) !== undefined) return "already-done";
  const timing = opts.timing ?? DEFAULT_TIMING;
  const claim = claimIfOpen(dir, run.id, opts.worker ?? defaultWorkerName(), timing);
  if (!claim) {
    if (readResult(dir, run.id) !== undefined) return "already-done";
    const holder = currentClaim(dir, run.id, timing);
    throw new Error(`run ${index} (${run.id}) is being trained by ${holder?.info.worker ?? "another worker"} (heartbeat ${Math.round(holder?.heartbeatAgeSeconds ?? 0)} s ago)`);
  }
  return executeClaimed(plan, dir, index, claim, execute, opts);
}

/**
 * Claims and executes free runs (pending, or stale: their worker died) until
 * every run is done; resolves to how many this worker finished. While the
 * only runs left are held by live workers it waits (polling every heartbeat
 * interval, at most 2 s), so a run whose worker dies later is still taken
 * over and the plan completes as long as one worker lives.
 */
export async function runClaimLoop(dir: string, execute: Executor, opts: WorkerOptions = {}): Promise<number> {
  const plan = readPlan(dir);
  const worker = opts.worker ?? defaultWorkerName();
  const timing = opts.timing ?? DEFAULT_TIMING;
  let finished = 0;
  for (;;) {
    let open = 0;
    let worked = false;
    for (let index = 0; index < plan.runs.length; index++) {
      if (opts.signal?.aborted) return finished;
      const id = plan.runs[index]!.id;
      if (readResult(dir, id) !== undefined) continue;
      const claim = claimIfOpen(dir, id, worker, timing);
      if (!claim) {
        open += readResult(dir, id) === undefined ? 1 : 0;
        continue;
      }
      worked = true;
      const outcome = await executeClaimed(plan, dir, index, claim, execute, opts);
      if (outcome === "done") finished++;
      else open++;
      if (outcome === "stopped") return finished;
    }
    if (open === 0) return finished;
    // Only runs held by live workers are left: wait for them to finish (polling every ≤ 2 s), or to go stale.
    if (!worked) await new Promise((resolve) => setTimeout(resolve, Math.min(timing.heartbeatSeconds, 2) * 1000));
  }
}
