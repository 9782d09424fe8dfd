/**
 * @file `kiln scaling`: plan a scaling sweep (a preset or a sweep file) into
 * a plan directory and run it here — or only plan it, for `kiln lab run`
 * under a cluster's array job — then fit it; refit a sweep directory; or
 * fit any CSV of `N,D,loss` points. Each writes fit.json, report.md and the
 * SVG figures.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join } from "node:path";
import { ConfigError, formatDuration, intFlag, numFlag, Progress, UsageError, writeFileAtomic, type Command } from "@kiln/train";
import { analyzeScaling, CHINCHILLA_GRID, COARSE_GRID, readPointsCsv, type AnalysisOptions } from "../fit/index.js";
import { readPlan, readResult, writePlan, type Plan } from "../queue/plan-dir.js";
import { firstDifference } from "../queue/same-config.js";
import { runPlanLocally } from "../run/local.js";
import { openPlan } from "../run/studies.js";
import { bestOfBothCsv, compareReports, readReport } from "../scaling/compare.js";
import { writeFitReport } from "../scaling/report/report.js";
import { planScaling, predictScaling, sweepMeta } from "../scaling/study.js";
import { bestSizeLrs, planLrStages, withStageTwo, type SizeLrSweep } from "../scaling/lr-stages.js";
import type { SweepResult } from "../scaling/run-one.js";
import { loadSweepConfig, parseSweepConfig, type SweepConfig } from "../scaling/sweep-config.js";
import { writeSweepReport } from "../scaling/sweep-report.js";
import { plannedLine } from "./planned.js";
import { withSigint } from "./sigint.js";

const USAGE = `usage: kiln scaling --preset quick|full|approach1 [--out DIR] [--report DIR] [--jobs N] [--plan-only | --dry-run] [--set key=value ...]
       kiln scaling --sweep FILE [same options]
       kiln scaling fit POINTS.csv [--out DIR] [fit options]
       kiln scaling report SWEEP_DIR [--report DIR] [fit options]
       kiln scaling compare REPORT_A REPORT_B [--labels "a,b"] [--out FILE] [--points-out CSV]

  A sweep trains a ladder of LLaMA sizes at several compute budgets, each for
  D = C / (6·N) tokens, then fits Chinchilla's Approaches 2 and 3 — and
  Approach 1 (the lower envelope of the runs' validation curves) when the runs
  log curves (train.curveEvals; the approach1 preset trains every size at four
  budgets over 16×, i.e. four cosine horizons per size). The presets
  fix their budgets and sizes, so they plan the same runs on any machine. A
  sweep file without budgets.values sizes its budgets to its time budget at
  the throughput measured when planning. The plan (DIR/plan.json) fixes every
  run's config before training; run again, a sweep resumes where it stopped.

  --preset NAME       a preset shipped with @kiln/lab (quick: ~10 min, approach1: ~10 min,
                      full: < 2 h on 2 cores)
  --sweep FILE        a sweep file of your own (see configs/sweeps/README.md)
  --out DIR           the plan directory (default runs/scaling/<name>); runs.csv,
                      fit.json, report.md and the SVGs land here
  --report DIR        also write the report, runs.csv and plan.json here
  --jobs N            local worker processes (default: the config's; 0 = one per core)
  --plan-only         write DIR/plan.json and stop: run it with kiln lab run DIR
                      --index I (e.g. a Slurm array job) or --claim, then kiln lab report DIR
  --dry-run           plan, probe throughput and print the expected time; write nothing
  --set key=value     override a sweep-config field, e.g. --set timeBudget=300

  fit: POINTS.csv has columns N, D, loss (any case; C optional, others ignored).
  --out DIR           where fit.json/report.md/SVGs go (default <csv name>-fit/ beside it)
  --drop-highest-loss K   drop the K highest-loss points first (Epoch AI drop 5 of Chinchilla's)
  --bootstrap N       bootstrap resamples (default 400; 0 for none)
  --grid chinchilla|coarse   Approach 3 starts: 4,500 (default) or 288
  --budget-tolerance X     relative spread of one IsoFLOP budget (default 0.15)
  --seed S            bootstrap seed (default 0)
  report: the same as kiln lab report SWEEP_DIR, with fit options
  compare: two report directories (fit.json, runs.csv) side by side — a and b
  from each approach, α, β, E with intervals and their difference, each
  size's learning rate, the runs both trained, the checks. --labels names the columns (default the
  directory names); --out FILE writes the Markdown there, else it is printed;
  --points-out CSV writes both sweeps' points, the lower loss where both
  trained a run, for kiln scaling fit`;

function fitOptions(values: Record<string, unknown>): AnalysisOptions {
  const grid = values.grid ?? "chinchilla";
  if (grid !== "chinchilla" && grid !== "coarse") throw new UsageError(`--grid must be "chinchilla" or "coarse", got ${JSON.stringify(grid)}`);
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

/** `kiln scaling compare A B`: the comparison's Markdown, printed or written to --out. */
function compareCommand(dirs: string[], values: Record<string, unknown>): number {
  if (dirs.length !== 2) throw new UsageError(`kiln scaling compare needs two report directories, got ${dirs.length}`);
  const [da, db] = dirs as [string, string];
  const raw = typeof values.labels === "string" ? values.labels.split(",").map((s) => s.trim()) : [basename(da), basename(db)];
  if (raw.length !== 2 || raw.some((s) => s === "")) throw new UsageError(`--labels takes two non-empty names separated by a comma, got ${JSON.stringify(values.labels)}`);
  const fail = (m: string) => new UsageError(m);
  const [a, b] = [readReport(da, fail), readReport(db, fail)];
  const flag = (name: string, quote = false) => (typeof values[name] === "string" ? [`--${name} ${quote ? `"${values[name]}"` : values[name]}`] : []);
  const command = ["kiln scaling compare", da, db, ...flag("labels", true), ...flag("out"), ...flag("points-out")].join(" ");
  const text = compareReports(a, b, raw as [string, string], command);
  if (typeof values.out === "string") {
    writeFileAtomic(values.out, `${text}\n`);
    console.log(`wrote ${values.out}`);
  } else console.log(text);
  if (typeof values["points-out"] === "string") {
    writeFileAtomic(values["points-out"], bestOfBothCsv(a, b, raw as [string, string]));
    console.log(`wrote ${values["points-out"]}`);
  }
  return 0;
}

/**
 * The plan in `out` if it was made from `config` (refusing one made from
 * another config, by field) — extended by stage 2 of a learning-rate sweep
 * once stage 1 is done — else a new plan of `config` (stage 1 only, with a
 * sweep); `fresh` when it is not yet written.
 */
function sweepPlan(out: string, config: SweepConfig, jobs: number, log: (line: string) => void): { plan: Plan; fresh: boolean } {
  if (existsSync(join(out, "plan.json"))) {
    const existing = readPlan(out);
    const made = existing.kind === "scaling" ? parseSweepConfig(sweepMeta(existing, join(out, "plan.json")).config, join(out, "plan.json")) : null;
    const diff = made === null ? "kind" : firstDifference(made, config);
    if (diff !== null) throw new ConfigError(`${out} holds a sweep planned from a different config (it differs in "${diff}"); use another --out, or delete ${out} to start over`);
    log(`resuming the plan in ${out} (${existing.runs.length} runs)`);
    const next = nextLrStage(out, config, existing, log);
    return { plan: next ?? existing, fresh: next !== null };
  }
  log(`sweep "${config.name}" → ${out}`);
  const base = planScaling(config, jobs, log);
  if (config.lrSweep.factors.length === 0) return { plan: base, fresh: true };
  const { plan } = planLrStages(config, base, () => undefined);
  log(`learning-rate sweep, stage 1: every size at its cheapest budget at ${config.lrSweep.factors.join(", ")} × its ladder lr (${plan.runs.length} runs); stage 2 — the sweep at each size's best — is planned when they are done`);
  return { plan, fresh: true };
}

/** The final loss of run `id` in plan directory `dir`, if it finished. */
const lossIn = (dir: string) => (id: string) => (readResult(dir, id) as SweepResult | undefined)?.row.loss;

/** `plan` extended by stage 2 of its learning-rate sweep, if stage 1 (in `out`) is done and stage 2 not yet planned; else null. */
function nextLrStage(out: string, config: SweepConfig, plan: Plan, log: (line: string) => void): Plan | null {
  const sweep = (plan.meta as { lrSweep?: SizeLrSweep }).lrSweep;
  if (!sweep || sweep.best !== null) return null;
  const best = bestSizeLrs(sweep, lossIn(out));
  if (best === null) return null;
  log(`learning-rate sweep: chosen ${Object.entries(best).map(([s, lr]) => `${s} ${lr}`).join(", ")} (lowest final validation loss at each size's cheapest budget); stage 2 appended to ${out}`);
  return withStageTwo(config, plan, best);
}

export const scalingCommand: Command = {
  usage: USAGE,
  options: {
    preset: { type: "string" }, sweep: { type: "string" }, out: { type: "string" }, report: { type: "string" }, jobs: { type: "string" },
    "dry-run": { type: "boolean" }, "plan-only": { type: "boolean" }, set: { type: "string", multiple: true },
    "drop-highest-loss": { type: "string" }, bootstrap: { type: "string" }, grid: { type: "string" }, "budget-tolerance": { type: "string" }, seed: { type: "string" }, labels: { type: "string" }, "points-out": { type: "string" },
  },
  positional: "list",
  async run(values, positionals) {
    const [sub, arg, ...extra] = positionals;
    if (sub === "compare") return compareCommand(positionals.slice(1), values);
    if (extra.length > 0 || (sub !== undefined && sub !== "fit" && sub !== "report")) throw new UsageError(`unexpected arguments ${JSON.stringify(positionals)}; see kiln scaling --help`);
    if (sub === "fit") {
      if (arg === undefined) throw new UsageError("kiln scaling fit needs a POINTS.csv");
      return fitCommand(arg, values);
    }
    if (sub === "report") {
      if (arg === undefined) throw new UsageError("kiln scaling report needs a SWEEP_DIR");
      const { plan } = openPlan(arg);
      if (plan.kind !== "scaling") throw new UsageError(`${arg} holds a plan of kind "${plan.kind}", not a sweep; use kiln lab report ${arg}`);
      writeSweepReport(arg, plan, { reportDir: typeof values.report === "string" ? values.report : undefined, log: (l) => console.log(l), analysis: fitOptions(values) });
      return 0;
    }
    const source = typeof values.preset === "string" ? values.preset : typeof values.sweep === "string" ? values.sweep : null;
    if (source === null || (values.preset !== undefined && values.sweep !== undefined)) throw new UsageError("give one of --preset quick|full|approach1 or --sweep FILE (or the fit/report/compare subcommands); see kiln scaling --help");
    if (typeof values.preset === "string" && !/^[\w-]+$/.test(values.preset)) throw new UsageError(`--preset takes a name (quick, full, approach1), got ${JSON.stringify(values.preset)}; use --sweep for a file`);
    if (values["plan-only"] && values["dry-run"]) throw new UsageError("give --plan-only or --dry-run, not both");
    const config = loadSweepConfig(source, (values.set as string[] | undefined) ?? []);
    const jobs = intFlag(values, "jobs", config.jobs, { min: 0 }) || availableParallelism();
    const out = typeof values.out === "string" ? values.out : join("runs", "scaling", config.name);
    const progress = new Progress();
    const log = (line: string) => progress.log(line);
    const planned = sweepPlan(out, config, jobs, log);
    let plan = planned.plan;
    const pending = () => (plan.meta as { lrSweep?: SizeLrSweep }).lrSweep?.best === null;
    if (values["dry-run"]) {
      const whole = pending() ? withStageTwo(config, plan, Object.fromEntries(config.ladder.map((r) => [r.name, r.lr]))) : plan;
      log(`expected wall time on ${jobs} process${jobs > 1 ? "es" : ""}: ${formatDuration(predictScaling(whole, null, jobs, log))}${pending() ? " (stage 2 at the ladder's rates)" : ""} (time budget ${formatDuration(config.timeBudget)}); dry run: nothing written`);
      return 0;
    }
    if (planned.fresh) writePlan(out, plan, { extend: true });
    if (values["plan-only"]) {
      if (pending()) log(`then run this command again to plan stage 2 (the sweep at each size's best learning rate) into ${out}`);
      console.log(plannedLine(out, plan));
      return 0;
    }
    const t0 = performance.now();
    let predict = !existsSync(join(out, "probe.json"));
    for (;;) {
      if (predict) log(`expected wall time on ${jobs} process${jobs > 1 ? "es" : ""}: ${formatDuration(predictScaling(plan, out, jobs, log))}`);
      const complete = await withSigint(log, "checkpointing the active runs", (signal) => runPlanLocally(out, { jobs, log, progress, signal }));
      if (!complete) {
        log(`stopped: not every run finished; resume with the same command (or kiln lab run ${out} --claim)`);
        return 130;
      }
      const next = nextLrStage(out, config, plan, log);
      if (next === null) break;
      writePlan(out, next, { extend: true });
      [plan, predict] = [next, true];
    }
    log(`all ${plan.runs.length} runs finished in ${formatDuration((performance.now() - t0) / 1000)}; fitting...`);
    writeSweepReport(out, plan, { reportDir: typeof values.report === "string" ? values.report : undefined, log, analysis: fitOptions(values) });
    return 0;
  },
};
