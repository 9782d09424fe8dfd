/**
 * @file Executing a plan on this machine: in this process with a live line
 * (one worker), or in N worker processes that claim runs as a cluster's
 * workers would, with a status line here. Either way each run goes through
 * the run queue, so an interrupted plan resumes where it stopped and a
 * finished run is never repeated.
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatDuration, Progress } from "@kiln/train";
import { planEta } from "../queue/eta.js";
import { PlanError, readPlan, writePlan, type Plan } from "../queue/plan-dir.js";
import { RunProgress } from "../queue/progress.js";
import { planStatus, runClaimLoop, type WorkerOptions } from "../queue/queue.js";
import { firstDifference } from "../queue/same-config.js";
import { openPlan } from "./studies.js";

/**
 * Writes `plan` into `dir`; when `dir` already holds a plan with the same
 * runs, keeps that one (resuming it); one whose runs `plan` keeps and adds to
 * is extended; one with other runs is refused, naming where they differ.
 */
export function writeOrResumePlan(dir: string, plan: Plan): { plan: Plan; resumed: boolean } {
  if (!existsSync(join(dir, "plan.json"))) {
    writePlan(dir, plan);
    return { plan, resumed: false };
  }
  const existing = readPlan(dir);
  const diff = existing.kind !== plan.kind ? "kind" : firstDifference(existing.runs, plan.runs.slice(0, existing.runs.length));
  if (diff !== null) throw new PlanError(`${dir} holds a plan with other runs (they differ in runs.${diff}); use another --out, or delete ${dir} to start over`);
  if (plan.runs.length > existing.runs.length) {
    writePlan(dir, plan, { extend: true });
    return { plan, resumed: true };
  }
  return { plan: existing, resumed: true };
}

/**
 * "3/12 done, 2 running, 0 stale, 7 pending | ETA 4m10s" for the plan in
 * `dir`; the ETA divides the work left over `workers` (default: the running
 * runs, plus one for a caller between runs, `idle`).
 */
export function statusLine(dir: string, plan: Plan, workers?: number, idle = false): string {
  const status = planStatus(dir);
  const count = (s: string) => status.filter((x) => x.state === s).length;
  const running = count("running");
  const eta = planEta(dir, plan, status, workers ?? Math.max(1, running + (idle ? 1 : 0)));
  return `${count("done")}/${plan.runs.length} done, ${running} running, ${count("stale")} stale, ${count("pending")} pending | ETA ${count("done") === plan.runs.length ? "0s" : formatDuration(eta)}`;
}

/** Claims and trains runs of the plan in `dir` until none is left or `signal` stops it; `log` gets a line per run started and ended. */
export async function workerLoop(dir: string, signal: AbortSignal, log: (line: string) => void, progress?: Progress): Promise<number> {
  const { plan, study } = openPlan(dir);
  const index = new Map(plan.runs.map((r, i) => [r.id, i]));
  let etaText = "?";
  const refresh = (idle: boolean) => (etaText = statusLine(dir, plan, undefined, idle));
  const quiet = new Progress({ write: () => true, isTTY: false });
  const executor = study.executor((run) => new RunProgress(progress ?? quiet, () => `[${index.get(run.id)! + 1}/${plan.runs.length} ${run.id} | ${etaText}]`));
  const onEvent: WorkerOptions["onEvent"] = (e) => {
    refresh(e.kind !== "start");
    progress?.done();
    if (e.kind === "start") log(`[${e.index + 1}/${plan.runs.length}] ${e.run.id}: starting`);
    else log(`[${e.index + 1}/${plan.runs.length}] ${e.run.id}: ${e.kind === "done" ? "done" : e.kind === "stopped" ? "stopped (checkpointed; it resumes next time)" : "lost (another worker took it over)"} — ${etaText}`);
  };
  return runClaimLoop(dir, executor, { signal, onEvent });
}

/**
 * How a child process runs worker.ts: compiled JavaScript (an installed
 * package) directly, TypeScript source (this repository) under tsx's loader.
 */
function workerEntry(): { path: string; execArgv: string[] } {
  if (import.meta.url.endsWith(".js")) return { path: fileURLToPath(new URL("./worker.js", import.meta.url)), execArgv: [] };
  const require = createRequire(import.meta.url);
  return { path: fileURLToPath(new URL("./worker.ts", import.meta.url)), execArgv: ["--import", pathToFileURL(require.resolve("tsx")).href] };
}

/** Options of {@link runPlanLocally}. */
export interface LocalRunOptions {
  /** Worker processes; 1 trains in this process. */
  jobs: number;
  log: (line: string) => void;
  progress: Progress;
  /** Aborted (Ctrl-C): active runs checkpoint and stop; running again resumes. */
  signal: AbortSignal;
}

/** Executes every run of the plan in `dir` here; resolves to whether every run is done. */
export async function runPlanLocally(dir: string, opts: LocalRunOptions): Promise<boolean> {
  const plan = readPlan(dir);
  if (opts.jobs <= 1) {
    await workerLoop(dir, opts.signal, opts.log, opts.progress);
    return planStatus(dir).every((s) => s.state === "done");
  }
  const worker = workerEntry();
  // Split the cores between the workers (results do not depend on the thread count).
  const threads = process.env.KILN_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / opts.jobs)));
  const failures: string[] = [];
  const children = Array.from({ length: opts.jobs }, (_, w) => {
    const child = fork(worker.path, [dir], { execArgv: worker.execArgv, env: { ...process.env, KILN_THREADS: threads }, stdio: ["ignore", "pipe", "pipe", "ipc"] });
    createInterface({ input: child.stdout! }).on("line", (line) => opts.log(`worker ${w + 1}: ${line}`));
    createInterface({ input: child.stderr! }).on("line", (line) => failures.push(`worker ${w + 1}: ${line}`));
    return child;
  });
  const exits = children.map((child) => new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))));
  // A worker checkpoints its run on its first SIGINT (a terminal's Ctrl-C reaches them all; a signal to this process alone is passed on).
  const stop = () => children.forEach((c) => c.exitCode === null && c.kill("SIGINT"));
  opts.signal.addEventListener("abort", stop);
  const tick = setInterval(() => opts.progress.update(statusLine(dir, plan, opts.jobs)), 2000);
  try {
    const codes = await Promise.all(exits);
    opts.progress.done();
    if (codes.some((c) => c !== 0) && failures.length > 0) throw new Error(failures.at(-1));
  } finally {
    clearInterval(tick);
    opts.signal.removeEventListener("abort", stop);
  }
  return planStatus(dir).every((s) => s.state === "done");
}
