/**
 * @file How long a plan has left. Before any run finished, the seconds a
 * throughput probe predicted per run (`probe.json`, written by whoever
 * probed); afterwards the pace the finished runs set (their `timing.json`
 * seconds per unit of planned cost, or per predicted second), applied to the
 * runs not yet done (less the time a running one has had since its claim) and
 * divided over the workers.
 */
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@kiln/tensor";
import { readTiming, type Plan } from "./plan-dir.js";
import type { RunStatus } from "./queue.js";

/** `probe.json`: the wall seconds a throughput probe predicted for each run (host-dependent, like timing.json). */
export interface ProbeFile {
  host: string;
  measuredAt: string;
  /** Predicted seconds by run id. */
  seconds: Record<string, number>;
}

/** Writes `dir/probe.json` with the predicted seconds of each run. */
export function writeProbe(dir: string, seconds: Record<string, number>): void {
  const file: ProbeFile = { host: hostname(), measuredAt: new Date().toISOString(), seconds };
  writeFileAtomic(join(dir, "probe.json"), `${JSON.stringify(file, null, 2)}\n`);
}

/** The predicted seconds of `dir/probe.json`, or undefined without one. */
export function readProbe(dir: string): Record<string, number> | undefined {
  const path = join(dir, "probe.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ProbeFile).seconds : undefined;
}

/** Seconds until every run of `plan` is done with `workers` running at once (NaN while nothing predicts it). */
export function planEta(dir: string, plan: Plan, status: readonly RunStatus[], workers: number): number {
  const predicted = readProbe(dir);
  const cost = (i: number) => predicted?.[plan.runs[i]!.id] ?? plan.runs[i]!.cost ?? 1;
  let spent = 0;
  let costDone = 0;
  let left = 0;
  const running: { index: number; since: number }[] = [];
  for (const s of status) {
    if (s.state !== "done") {
      if (s.state === "running" && s.holder?.claimedAt) running.push({ index: s.index, since: Date.parse(s.holder.claimedAt) });
      else left += cost(s.index);
      continue;
    }
    const timing = readTiming(dir, s.id);
    if (timing === undefined) continue;
    spent += timing.seconds;
    costDone += cost(s.index);
  }
  const pace = costDone > 0 ? spent / costDone : predicted ? 1 : NaN;
  // A running run has its predicted seconds left minus the time since it was claimed (at least none).
  const now = Date.now();
  const runningLeft = running.reduce((sum, r) => sum + Math.max(0, cost(r.index) * pace - (now - r.since) / 1000), 0);
  return (left * pace + runningLeft) / Math.max(1, workers);
}
