/**
 * @file Measuring the ladder's throughput: per rung at the sweep's full batch
 * size with the shared probe, and lazily for planning by time budget (plan
 * with estimates, probe the sizes that plan uses, plan again), so a short
 * sweep does not spend its minutes timing big models.
 */
import type { RunData } from "@kiln/train";
import { probeThroughput } from "../run/probe.js";
import type { Rung } from "./ladder.js";
import { planSweep, type SweepPlan, type Throughput } from "./plan.js";
import { runTrainConfig } from "./run-one.js";
import type { SweepConfig } from "./sweep-config.js";

/** Measured training tokens/second of each of `rungs` (at `train.batchSize`). */
export function probeRungs(config: SweepConfig, rungs: readonly Rung[], data: RunData): Throughput {
  return Object.fromEntries(rungs.map((r) => {
    const probeRun = { id: `probe-${r.name}`, steps: 1000, batchSize: config.train.batchSize, warmupSteps: 10, lr: r.lr };
    return [r.name, probeThroughput(runTrainConfig(config, probeRun, r), data, config.probe)];
  }));
}

/** Throughput of every rung: measured where known, else the FLOP rate of the nearest measured size (by N). */
export function estimateThroughput(ladder: readonly Rung[], measured: Throughput): Throughput {
  const known = ladder.filter((r) => Number.isFinite(measured[r.name]));
  if (known.length === 0) throw new Error("estimateThroughput: nothing measured");
  return Object.fromEntries(ladder.map((r) => {
    if (Number.isFinite(measured[r.name])) return [r.name, measured[r.name]!];
    const near = known.reduce((a, b) => (Math.abs(Math.log(b.N / r.N)) < Math.abs(Math.log(a.N / r.N)) ? b : a));
    return [r.name, (measured[near.name]! * near.flopsPerToken) / r.flopsPerToken];
  }));
}

/**
 * Plans budgets sized to the time budget: probes the smallest sizes, plans
 * with estimates for the rest, probes the sizes that plan trains, and
 * repeats until every size in the plan was measured.
 */
export function measureAndPlan(config: SweepConfig, ladder: readonly Rung[], data: RunData, jobs: number, log: (l: string) => void): { plan: SweepPlan; throughput: Throughput } {
  const measured: Throughput = {};
  probeRungs(config, ladder.slice(0, 1), data); // warm-up, untimed: let V8 compile the hot loops
  let todo: Rung[] = ladder.slice(0, 2);
  for (let round = 0; ; round++) {
    Object.assign(measured, probeRungs(config, todo, data));
    log(`  probed ${todo.map((r) => `${r.name} ${Math.round(measured[r.name]!)} tok/s`).join(", ")}`);
    const throughput = estimateThroughput(ladder, measured);
    const plan = planSweep(config, ladder, data.train.length, throughput, jobs);
    const used = new Set(plan.runs.filter((r) => r.status === "run").map((r) => r.rung));
    todo = ladder.filter((r) => used.has(r.name) && !(r.name in measured));
    if (todo.length === 0 || round >= 8) return { plan, throughput };
  }
}
