/**
 * @file `npm run test:faults [-- --trials N --seed S --steps K]`: the
 * randomized crash campaign. One run is SIGKILLed N times (a third at random
 * delays, the rest at named points of checkpoint and metrics writes, each
 * point in turn first), resumed after every kill, and checked against an
 * uninterrupted run. Prints the trial counts (killed, mid-write) by fault
 * and exits 1 if any invariant failed.
 */
import { parseArgs } from "node:util";
import { drawFaults, runCampaign, type TrialRecord } from "./fault-harness.js";

const { values } = parseArgs({ options: { trials: { type: "string" }, seed: { type: "string" }, steps: { type: "string" } } });
const trials = Number(values.trials ?? 60);
const seed = Number(values.seed ?? Date.now() % 1_000_000);
const steps = Number(values.steps ?? 40);
console.log(`fault campaign: ${trials} kills, seed ${seed}, ${steps}-step run with a checkpoint every step (reproduce with --seed ${seed})`);
const start = performance.now();
const r = await runCampaign(drawFaults(seed, trials, 1500), { steps, log: (l) => console.log(`  ${l}`) });
const label = (t: TrialRecord) => ("point" in t.fault ? t.fault.point : "random delay");
const rows = new Map<string, { n: number; killed: number; mid: number }>();
for (const t of r.trials) {
  const row = rows.get(label(t)) ?? { n: 0, killed: 0, mid: 0 };
  row.n++;
  row.killed += t.killed ? 1 : 0;
  row.mid += t.midWrite ? 1 : 0;
  rows.set(label(t), row);
}
console.log(`\n| fault | trials | killed | mid-write |\n|---|---:|---:|---:|`);
for (const [k, v] of rows) console.log(`| ${k} | ${v.n} | ${v.killed} | ${v.mid} |`);
const killed = r.trials.filter((t) => t.killed).length;
const mid = r.trials.filter((t) => t.midWrite).length;
console.log(`| total | ${r.trials.length} | ${killed} | ${mid} |`);
console.log(`\n${((performance.now() - start) / 1000).toFixed(0)} s; ${r.failures.length === 0 ? "every invariant held: newest checkpoint loadable after each kill, no lost history, bit-identical end, no debris" : `${r.failures.length} FAILURES:`}`);
for (const f of r.failures) console.log(`  ${f}`);
process.exitCode = r.failures.length === 0 ? 0 : 1;
