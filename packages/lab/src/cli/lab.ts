/**
 * @file `kiln lab`: the plan directory's side of a study, for schedulers and
 * for people — `run` executes run I (an array job's task) or claims runs
 * until none is left (a pool of workers), `status` counts done / running /
 * stale / pending runs with an ETA, `report` writes the same report and fits
 * a local run does. Bad input is refused in one line before any work.
 */
import { setThreads } from "@kiln/tensor";
import { formatDuration, intFlag, Progress, UsageError, type Command } from "@kiln/train";
import { planEta } from "../queue/eta.js";
import { RunProgress } from "../queue/progress.js";
import { planStatus, runIndex, taskIndex } from "../queue/queue.js";
import { statusLine, workerLoop } from "../run/local.js";
import { openPlan } from "../run/studies.js";
import { withSigint } from "./sigint.js";

const USAGE = `usage: kiln lab run DIR --index I [--threads N]
       kiln lab run DIR --claim [--threads N]
       kiln lab status DIR [--verbose]
       kiln lab report DIR [--report RDIR]

  DIR is a plan directory on a filesystem every worker shares, made by
  kiln scaling --plan-only --out DIR or kiln ablate --plan-only --out DIR:
  plan.json fixes every run's config before any training.

  run --index I   train run I (0-based) of the plan; without --index, I is read
                  from SLURM_ARRAY_TASK_ID (a Slurm job array), else from
                  JOB_COMPLETION_INDEX (a Kubernetes Indexed Job). A finished
                  run is not repeated; a run held by a live worker is refused.
  run --claim     claim and train runs until none is left (a pool of identical
                  workers); a run whose worker stopped heartbeating is taken over
  --threads N     kernel threads for this worker (default KILN_THREADS, else every core)
  status          how many runs are done / running / stale / pending, and the ETA;
                  --verbose lists every run
  report          runs.csv, the fits and report.md (scaling) or ablation.json and
                  report.md (ablate) from the finished runs, in DIR (and in --report RDIR)`;

async function run(dir: string, values: Record<string, unknown>): Promise<number> {
  const { plan, study } = openPlan(dir);
  const claim = values.claim === true;
  const explicit = intFlag(values, "index", undefined, { min: 0 });
  if (claim && explicit !== undefined) throw new UsageError("give --index I or --claim, not both");
  const index = claim ? undefined : taskIndex(explicit);
  if (!claim && index === undefined) throw new UsageError("give --index I or --claim (or run under a Slurm job array or Kubernetes Indexed Job, which set SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX); see kiln lab --help");
  if (index !== undefined && index >= plan.runs.length) throw new UsageError(`run index ${index} is out of range: the plan in ${dir} has runs 0…${plan.runs.length - 1}`);
  const threads = intFlag(values, "threads", undefined, { min: 1 });
  if (threads !== undefined) setThreads(threads);
  const progress = new Progress();
  const log = (line: string) => progress.log(line);
  return withSigint(log, "checkpointing the active run", async (signal) => {
    if (claim) {
      const n = await workerLoop(dir, signal, log, progress);
      log(`this worker finished ${n} run${n === 1 ? "" : "s"}; ${statusLine(dir, plan)}`);
      return signal.aborted ? 130 : 0;
    }
    const r = plan.runs[index!]!;
    const executor = study.executor(() => new RunProgress(progress, () => `[${index}/${plan.runs.length - 1} ${r.id}]`));
    log(`run ${index} of ${dir}: ${r.id}`);
    const outcome = await runIndex(dir, index!, executor, { signal });
    progress.done();
    log(`run ${index} (${r.id}): ${outcome === "already-done" ? "already done (not repeated)" : outcome === "stopped" ? "stopped and checkpointed; run it again to resume" : outcome === "lost" ? "taken over by another worker" : "done"}`);
    return outcome === "stopped" ? 130 : outcome === "lost" ? 1 : 0;
  });
}

function status(dir: string, verbose: boolean): number {
  const { plan } = openPlan(dir);
  const rows = planStatus(dir);
  console.log(`${dir}: ${plan.kind} "${plan.name}", ${plan.runs.length} runs`);
  for (const state of ["done", "running", "stale", "pending"] as const) console.log(`${state.padEnd(8)} ${rows.filter((s) => s.state === state).length}`);
  const running = rows.filter((s) => s.state === "running").length;
  const left = rows.filter((s) => s.state !== "done").length;
  const eta = planEta(dir, plan, rows, Math.max(1, running));
  console.log(`ETA      ${left === 0 ? "done" : Number.isFinite(eta) ? `${formatDuration(eta)} at the pace so far with ${Math.max(1, running)} worker${running > 1 ? "s" : ""}` : "unknown until a run finishes (or a local run probes throughput)"}`);
  if (verbose) {
    for (const s of rows) {
      const who = s.holder ? ` ${s.holder.worker} (claim ${s.holder.generation}, heartbeat ${Math.round(s.heartbeatAgeSeconds ?? 0)} s ago)` : "";
      console.log(`  ${String(s.index).padStart(String(plan.runs.length - 1).length)} ${s.id} ${s.state}${who}`);
    }
  }
  return 0;
}

/** `kiln lab`. */
export const labCommand: Command = {
  usage: USAGE,
  options: { index: { type: "string" }, claim: { type: "boolean" }, threads: { type: "string" }, report: { type: "string" } },
  positional: "list",
  async run(values, positionals) {
    const [sub, dir, ...extra] = positionals;
    if (sub === undefined) throw new UsageError("give a subcommand: run, status or report; see kiln lab --help");
    if (!["run", "status", "report"].includes(sub)) throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}: kiln lab has run, status and report; see kiln lab --help`);
    if (dir === undefined) throw new UsageError(`kiln lab ${sub} needs a plan directory: kiln lab ${sub} DIR`);
    if (extra.length > 0) throw new UsageError(`unexpected arguments ${JSON.stringify(extra)}; see kiln lab --help`);
    for (const [k, only] of [["index", "run"], ["claim", "run"], ["threads", "run"], ["report", "report"]] as const) {
      if (values[k] !== undefined && sub !== only) throw new UsageError(`--${k} goes with kiln lab ${only}`);
    }
    if (sub === "run") return run(dir, values);
    if (sub === "status") return status(dir, values.verbose === true);
    const { plan, study } = openPlan(dir);
    study.report(dir, plan, { reportDir: typeof values.report === "string" ? values.report : undefined, log: (l) => console.log(l) });
    return 0;
  },
};
