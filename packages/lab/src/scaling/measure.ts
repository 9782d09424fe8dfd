/**
 * @file Measuring before planning: whether two training processes beat one
 * on this machine, and the throughput of the ladder sizes the plan needs —
 * probed lazily (plan with estimates, probe the sizes the plan uses, plan
 * again), so a short sweep does not spend its minutes timing big models.
 */
import { availableParallelism } from "node:os";
import type { RunData } from "@kiln/train";
import { InProcessExecutor, type Executor } from "./executor.js";
import type { Rung } from "./ladder.js";
import { planSweep, type SweepPlan, type Throughput } from "./plan.js";
import { ProcessPoolExecutor } from "./pool.js";
import type { SweepConfig } from "./sweep-config.js";

/** Picks the executor: `jobs` if given (≥ 1), else 2 processes when a probe shows they beat 1 by more than 15%. */
export async function chooseExecutor(
  config: SweepConfig, out: string, data: RunData, ladder: readonly Rung[], jobs: number, log: (l: string) => void,
): Promise<{ executor: Executor; reason: string }> {
  const inProcess = () => new InProcessExecutor(config, out, data);
  if (jobs === 1) return { executor: inProcess(), reason: "1 requested" };
  if (jobs > 1) return { executor: await ProcessPoolExecutor.start(config, out, jobs), reason: `${jobs} requested` };
  if (availableParallelism() < 2) return { executor: inProcess(), reason: "1 core" };
  const sample = [ladder[0]!, ladder[Math.floor(ladder.length / 2)]!];
  const single = inProcess();
  await single.probe(sample.slice(0, 1)); // let V8 compile the hot loops before timing
  const alone = await single.probe(sample);
  const pool = await ProcessPoolExecutor.start(config, out, 2);
  await pool.probe(sample.slice(0, 1));
  const together = await pool.probe(sample);
  const speedup = sample.reduce((s, r) => s + (2 * together[r.name]!) / alone[r.name]!, 0) / sample.length;
  const use = speedup > 1.15;
  const reason = `2 processes measured at ${speedup.toFixed(2)}× the throughput of 1 on ${sample.map((r) => r.name).join(" and ")}`;
  log(`parallel probe: ${reason} → ${use ? "2 processes" : "1 process"}`);
  if (use) return { executor: pool, reason };
  await pool.close();
  return { executor: single, reason };
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
 * Probes the smallest sizes, plans with estimates for the rest, probes the
 * sizes that plan trains, and repeats until every size in the plan was measured.
 */
export async function measureAndPlan(
  executor: Executor, config: SweepConfig, ladder: readonly Rung[], trainTokens: number, log: (l: string) => void,
): Promise<{ plan: SweepPlan; throughput: Throughput; measured: string[] }> {
  const measured: Throughput = {};
  await executor.probe(ladder.slice(0, 1)); // warm-up, untimed
  let todo: Rung[] = ladder.slice(0, 2);
  for (let round = 0; ; round++) {
    Object.assign(measured, await executor.probe(todo));
    log(`  probed ${todo.map((r) => `${r.name} ${Math.round(measured[r.name]!)} tok/s`).join(", ")}`);
    const throughput = estimateThroughput(ladder, measured);
    const plan = planSweep(config, ladder, trainTokens, throughput, executor.jobs);
    const used = new Set(plan.runs.filter((r) => r.status === "run").map((r) => r.rung));
    todo = ladder.filter((r) => used.has(r.name) && !(r.name in measured));
    if (todo.length === 0 || round >= 8) return { plan, throughput, measured: Object.keys(measured) };
  }
}
