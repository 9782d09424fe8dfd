/**
 * @file `kiln scaling`: run a scaling sweep (a preset or a sweep file),
 * refit a sweep directory, or fit any CSV of `N,D,loss` points — each
 * writing fit.json, report.md and the SVG figures.
 */
import { dirname, basename, join } from "node:path";
import { analyzeScaling, CHINCHILLA_GRID, COARSE_GRID, readPointsCsv, type AnalysisOptions } from "../fit/index.js";
import { writeFitReport } from "../scaling/report/report.js";
import { runSweep } from "../scaling/runner.js";
import { readPlan } from "../scaling/state.js";
import { loadSweepConfig } from "../scaling/sweep-config.js";
import { writeSweepReport } from "../scaling/sweep-report.js";
import { Progress } from "@kiln/train";
import { intFlag, numFlag } from "@kiln/train";
import type { Command } from "@kiln/train";

const USAGE = `usage: kiln scaling --preset quick|full [--out DIR] [--report DIR] [--jobs N] [--dry-run] [--set key=value ...]
       kiln scaling --sweep FILE [same options]
       kiln scaling fit POINTS.csv [--out DIR] [fit options]
       kiln scaling report SWEEP_DIR [--report DIR] [fit options]

  A sweep trains a ladder of LLaMA sizes at several compute budgets, each for
  D = C / (6·N) tokens, then fits Chinchilla's Approaches 2 and 3. The presets
  fix their budgets and sizes, so they plan the same runs on any machine; a
  throughput probe only predicts the wall time and picks the process count.
  A sweep file without budgets.values sizes its budgets to its time budget at
  the measured speed. Run again, a sweep resumes where it stopped.

  --preset NAME       a preset shipped with @kiln/train (quick: ~5–10 min, full: < 2 h)
  --sweep FILE        a sweep file of your own (see configs/sweeps/README.md)
  --out DIR           sweep directory (default runs/scaling/<name>)
  --report DIR        also write the report, runs.csv and plan.json here
  --jobs N            training processes (default: the config's; 0 = measure and decide)
  --dry-run           probe, print the plan and the expected time; train nothing
  --set key=value     override a sweep-config field, e.g. --set timeBudget=300

  fit: POINTS.csv has columns N, D, loss (any case; C optional, others ignored).
  --out DIR           where fit.json/report.md/SVGs go (default <csv name>-fit/ beside it)
  --drop-highest-loss K   drop the K highest-loss points first (Epoch AI drop 5 of Chinchilla's)
  --bootstrap N       bootstrap resamples (default 400; 0 for none)
  --grid chinchilla|coarse   Approach 3 starts: 4,500 (default) or 288
  --budget-tolerance X     relative spread of one IsoFLOP budget (default 0.15)
  --seed S            bootstrap seed (default 0)`;

function fitOptions(values: Record<string, unknown>): AnalysisOptions {
  const grid = values.grid ?? "chinchilla";
  if (grid !== "chinchilla" && grid !== "coarse") throw new Error(`--grid must be "chinchilla" or "coarse", got ${JSON.stringify(grid)}`);
  return {
    grid: grid === "coarse" ? COARSE_GRID : CHINCHILLA_GRID,
    resamples: intFlag(values, "bootstrap", 400, { min: 0 }),
    seed: intFlag(values, "seed", 0, { min: 0 }),
    budgetTolerance: numFlag(values, "budget-tolerance", 0.15, { min: 0 }),
    dropHighestLoss: intFlag(values, "drop-highest-loss", 0, { min: 0 }),
  };
}

async function fitCommand(csv: string, values: Record<string, unknown>): Promise<number> {
  const points = readPointsCsv(csv);
  const out = typeof values.out === "string" ? values.out : join(dirname(csv), `${basename(csv, ".csv")}-fit`);
  const t0 = performance.now();
  const an = analyzeScaling(points, fitOptions(values));
  const files = writeFitReport(out, an, { title: `Scaling fit of ${basename(csv)}`, source: `Produced by \`kiln scaling fit ${csv}\`.` });
  const law = an.law;
  if (law) {
    const ci = law.bootstrap?.ci;
    const show = (k: "E" | "A" | "B" | "alpha" | "beta" | "a") => `${k} = ${(k === "a" ? law.a : law.law[k]).toPrecision(4)}${ci ? ` [${ci[k][0].toPrecision(3)}, ${ci[k][1].toPrecision(3)}]` : ""}`;
    console.log(`Approach 3 (${an.points.length} points): ${(["E", "A", "B", "alpha", "beta", "a"] as const).map(show).join(", ")}; log RMSE ${law.logRmse.toFixed(4)}`);
  } else console.log(`Approach 3: ${an.lawError}`);
  const n = an.isoflop.nOpt;
  console.log(`Approach 2: ${n ? `a = ${n.exponent.toFixed(3)}${n.ci ? ` [${n.ci[0].toFixed(3)}, ${n.ci[1].toFixed(3)}]` : ""}; ` : ""}${an.isoflop.message}`);
  for (const v of an.verdicts) console.log(`  ${v.status.padEnd(12)} ${v.title}: ${v.detail}`);
  console.log(`wrote ${files.join(", ")} in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  return 0;
}

export const scalingCommand: Command = {
  usage: USAGE,
  options: {
    preset: { type: "string" }, sweep: { type: "string" }, out: { type: "string" }, report: { type: "string" }, jobs: { type: "string" },
    "dry-run": { type: "boolean" }, set: { type: "string", multiple: true },
    "drop-highest-loss": { type: "string" }, bootstrap: { type: "string" }, grid: { type: "string" }, "budget-tolerance": { type: "string" }, seed: { type: "string" },
  },
  positional: "list",
  async run(values, positionals) {
    const [sub, arg, ...extra] = positionals;
    if (extra.length > 0 || (sub !== undefined && sub !== "fit" && sub !== "report")) throw new Error(`unexpected arguments ${JSON.stringify(positionals)}; see kiln scaling --help`);
    if (sub === "fit") {
      if (arg === undefined) throw new Error("kiln scaling fit needs a POINTS.csv");
      return fitCommand(arg, values);
    }
    if (sub === "report") {
      if (arg === undefined) throw new Error("kiln scaling report needs a SWEEP_DIR");
      const plan = readPlan(arg);
      if (plan === null) throw new Error(`${arg}: no plan.json (not a sweep directory)`);
      const an = writeSweepReport(arg, plan, [arg, ...(typeof values.report === "string" ? [values.report] : [])], fitOptions(values));
      for (const v of an.verdicts) console.log(`  ${v.status.padEnd(12)} ${v.title}: ${v.detail}`);
      console.log(`wrote ${join(arg, "report.md")}`);
      return 0;
    }
    const source = typeof values.preset === "string" ? values.preset : typeof values.sweep === "string" ? values.sweep : null;
    if (source === null || (values.preset !== undefined && values.sweep !== undefined)) throw new Error("give one of --preset quick|full or --sweep FILE (or the fit/report subcommands); see kiln scaling --help");
    if (typeof values.preset === "string" && !/^[\w-]+$/.test(values.preset)) throw new Error(`--preset takes a name (quick, full), got ${JSON.stringify(values.preset)}; use --sweep for a file`);
    const config = loadSweepConfig(source, (values.set as string[] | undefined) ?? []);
    const jobs = intFlag(values, "jobs", undefined, { min: 0 });
    const progress = new Progress();
    const handle = runSweep(config, {
      out: typeof values.out === "string" ? values.out : join("runs", "scaling", config.name), jobs, dryRun: values["dry-run"] === true,
      reportDir: typeof values.report === "string" ? values.report : undefined, log: (l) => progress.log(l), progress,
    });
    let stopping = false;
    const onSigint = () => {
      if (stopping) process.exit(130);
      stopping = true;
      progress.log("\nCtrl-C: checkpointing the active runs (press again to quit at once)");
      handle.stop();
    };
    process.on("SIGINT", onSigint);
    try {
      const r = await handle.done;
      return r.status === "interrupted" ? 130 : 0;
    } finally {
      process.off("SIGINT", onSigint);
    }
  },
};
