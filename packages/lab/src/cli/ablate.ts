/**
 * @file `kiln ablate`: architecture ablations with paired seeds and honest
 * statistics, from a spec file (`configs/ablations/`) or from a training
 * config plus `--variant name:key=value,…`. Re-running the same command
 * resumes; Ctrl-C checkpoints the current run.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError, formatDuration, intFlag, numFlag, Progress, UsageError, type Command } from "@kiln/train";
import { planAblation } from "../ablate/plan.js";
import { parseAblationSpec, parseCount, parseVariantArg, readJson } from "../ablate/spec.js";
import { ABLATION_FORMAT, rejudgeAblationReport, type AblationReport } from "../ablate/report.js";
import { writeAblationReport } from "../ablate/report-md.js";
import { ablationPlanFile, ablationStudy, describeAblation, predictAblation } from "../ablate/study.js";
import { planLrStages } from "../ablate/lr-plan.js";
import { parseLrSweep } from "../ablate/lr-sweep.js";
import type { Plan } from "../queue/plan-dir.js";
import { extendSeeds, planPower, powerLine, PowerError, readPilot, type PowerPlan } from "../ablate/pilot.js";
import type { AblationSpec } from "../ablate/spec.js";
import { planStatus } from "../queue/queue.js";
import { runPlanLocally, writeOrResumePlan } from "../run/local.js";
import { openPlan } from "../run/studies.js";
import { plannedLine } from "./planned.js";
import { withSigint } from "./sigint.js";

const USAGE = `usage: kiln ablate --spec FILE [options]
       kiln ablate --config FILE --variant NAME:key=value[,key=value…] … [options]
       kiln ablate report DIR [--report RDIR]

  --spec FILE          an ablation spec (JSON; see configs/ablations/llama-components.json)
  --config FILE        a training config: the "baseline" variant, unchanged (unless a --variant is named baseline)
  --variant SPEC       NAME:key=value,… a variant as config overrides, e.g. gelu:model.ffn=gelu_mlp (repeatable)
  --match MODE         with --config: params | non_embedding_params — size each variant's
                       model.intermediate_size so its parameter count matches the baseline's
  --seeds N|LIST       paired seeds per variant: a count (from the config's train.seed) or 1,2,3
  --steps N            training steps per run
  --tokens N           training tokens per run, e.g. 500k (default with --config: its train.steps)
  --equal MODE         tokens (default) | flops: equal training FLOPs, the baseline's tokens × its FLOPs/token
  --set key=value      override a base config field for every variant (repeatable)
  --name NAME          the ablation's name with --config (default <config>-ablation)
  --out DIR            plan directory (default runs/ablations/<name>); re-running resumes, repeating no finished run
  --report DIR         also write report.md, ablation.json and the SVGs here
  --jobs N             local worker processes (default 1)
  --estimate-steps N   steps timed per variant for the wall-time estimate (default 2; 0 skips)
  --keep-checkpoints   keep each finished run's checkpoint (default: only metrics and results)
  --plan-only          write DIR/plan.json and stop: run it with kiln lab run DIR --index I
                       (e.g. a Slurm array job) or --claim, then kiln lab report DIR
  --dry-run            print the plan and the expected wall time, write nothing
  --report-only        rebuild the report from the finished runs (the same as kiln lab report DIR)

  Power before compute: when DIR already holds ≥ 2 finished paired seeds (a pilot, e.g. a first
  run with --seeds 2), the spread of their paired differences predicts the 95% half-width the
  planned seeds give, printed before any training.
  --target-halfwidth X pick the seeds for a 95% half-width of ±X nats (worst comparison) and extend
                       the plan with them (the pilot's runs are kept); one line when the budget cannot
  --budget-minutes M   the whole study's time budget for --target-halfwidth (default 60), at the
                       pilot runs' measured seconds per run
  --accept-best        when the budget cannot reach the target, run the most seeds it affords

  --lr-sweep LR,LR,…   per-variant learning rates: stage 1 trains every variant at each peak lr on
                       the first seed (runs VARIANT.lr-X.seed-S); stage 2, planned when stage 1 is
                       done, trains the other seeds at each variant's best (lowest final validation loss).
                       The report shows loss against lr per variant (lr.svg). With --plan-only, run
                       the same command again once stage 1 is done to plan stage 2.

  report DIR: rebuild DIR's report from its finished runs (a plan directory), or — for a
  directory holding only an ablation.json (a committed result) — judge its comparisons
  again from the per-seed losses it records and rewrite report.md, ablation.json and the SVGs`;

type Values = Record<string, string | boolean | string[] | undefined>;

const str = (v: Values, k: string): string | undefined => (typeof v[k] === "string" ? (v[k] as string) : undefined);
const strs = (v: Values, k: string): string[] => (v[k] as string[] | undefined) ?? [];

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function seedsArg(text: string): number | number[] {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  const list = text.split(",").map((s) => Number(s.trim()));
  if (list.some((s) => !Number.isSafeInteger(s))) throw new ConfigError(`--seeds must be a count or a comma-separated list of integers, got ${JSON.stringify(text)}`);
  return list;
}

/** The raw spec the options describe (validated by parseAblationSpec). */
function rawSpec(v: Values): { raw: Record<string, unknown>; source: string; dir: string } {
  const specPath = str(v, "spec");
  const configPath = str(v, "config");
  if ((specPath === undefined) === (configPath === undefined)) throw new ConfigError("give either --spec FILE or --config FILE with --variant …; see kiln ablate --help");
  let raw: Record<string, unknown>;
  if (specPath !== undefined) {
    for (const k of ["variant", "match", "name"]) if (v[k] !== undefined) throw new ConfigError(`--${k} goes with --config; a spec file names its variants`);
    raw = readJson(specPath, "ablation spec");
  } else {
    const variants = strs(v, "variant").map(parseVariantArg);
    if (variants.length === 0) throw new ConfigError("--config needs at least one --variant NAME:key=value,…");
    const match = str(v, "match") ?? null;
    if (match !== null && match !== "params" && match !== "non_embedding_params") throw new ConfigError(`--match must be "params" or "non_embedding_params", got ${JSON.stringify(match)}`);
    const entries = variants.map((x) => [x.name, { set: x.set, match: x.name === "baseline" ? null : match }] as const);
    if (!variants.some((x) => x.name === "baseline")) entries.unshift(["baseline", { set: {}, match: null }]);
    const dupe = variants.find((x, i) => variants.findIndex((y) => y.name === x.name) !== i);
    if (dupe) throw new ConfigError(`--variant ${dupe.name} is given twice`);
    const baseConfig = readJson(configPath!, "config");
    const steps = (baseConfig.train as Record<string, unknown> | undefined)?.steps ?? 600;
    raw = { name: str(v, "name") ?? `${basename(configPath!, ".json")}-ablation`, base: basename(configPath!), baseline: "baseline", variants: Object.fromEntries(entries), budget: { steps } };
  }
  if (v.seeds !== undefined) raw.seeds = seedsArg(str(v, "seeds")!);
  if (v.steps !== undefined && v.tokens !== undefined) throw new ConfigError("give --steps or --tokens, not both");
  if (v.steps !== undefined) raw.budget = { steps: parseCount(str(v, "steps")!, "--steps") };
  if (v.tokens !== undefined) raw.budget = { tokens: parseCount(str(v, "tokens")!, "--tokens") };
  if (v.equal !== undefined) raw.equal = str(v, "equal");
  if (v.set !== undefined) {
    const set = { ...((raw.set as Record<string, unknown> | undefined) ?? {}) };
    for (const a of strs(v, "set")) {
      const eq = a.indexOf("=");
      if (eq <= 0) throw new ConfigError(`--set expects key=value, got ${JSON.stringify(a)}`);
      set[a.slice(0, eq).trim()] = jsonOrString(a.slice(eq + 1));
    }
    raw.set = set;
  }
  if (v.out !== undefined) raw.out = str(v, "out");
  if (v.report !== undefined) raw.report = str(v, "report");
  const path = specPath ?? configPath!;
  return { raw, source: specPath ?? "command line", dir: dirname(path) };
}

/** The command line that reproduces this invocation (for the report's header). */
function commandLine(v: Values): string {
  const parts = ["kiln ablate"];
  for (const [k, val] of Object.entries(v)) {
    if (["verbose", "help", "dry-run", "report-only", "plan-only", "jobs", "estimate-steps", "target-halfwidth", "budget-minutes", "accept-best"].includes(k) || val === undefined || val === false) continue;
    for (const x of Array.isArray(val) ? val : [val]) parts.push(x === true ? `--${k}` : `--${k} ${/^[\w./:,=+-]+$/.test(x) ? x : JSON.stringify(x)}`);
  }
  return parts.join(" ");
}

/** `kiln ablate report DIR`: a plan directory's report, or a bare ablation.json judged again. */
function reportCommand(dir: string, reportDir: string | undefined): number {
  const log = (line: string) => console.log(line);
  if (existsSync(join(dir, "plan.json"))) {
    const { plan, study } = openPlan(dir);
    if (plan.kind !== "ablate") throw new UsageError(`${dir} holds a plan of kind "${plan.kind}", not an ablation; use kiln lab report ${dir}`);
    study.report(dir, plan, { reportDir, log });
    return 0;
  }
  const path = join(dir, "ablation.json");
  if (!existsSync(path)) throw new ConfigError(`${dir} holds neither plan.json nor ablation.json: nothing to report on`);
  const raw = readJson(path, "ablation report");
  if (raw.format !== ABLATION_FORMAT) throw new ConfigError(`${path}: format ${JSON.stringify(raw.format)} is not "${ABLATION_FORMAT}"`);
  const report = rejudgeAblationReport(raw as unknown as AblationReport);
  for (const d of [dir, ...(reportDir ? [reportDir] : [])]) writeAblationReport(d, report, `kiln ablate report ${dir}`);
  for (const v of report.variants) if (v.vsBaseline) log(`${v.name}: ${v.verdict}${v.published ? `; ${v.published.source}: ${v.published.outcome}` : ""}`);
  log(`report: ${join(dir, "report.md")}`);
  return 0;
}

/**
 * The spec with the seeds power planning chose, and that plan (null without
 * a pilot in the out dir). `--target-halfwidth` without a pilot is refused
 * in one line, before any work.
 */
function withPower(values: Values, raw: Record<string, unknown>, spec: AblationSpec, reparse: (raw: Record<string, unknown>) => AblationSpec, log: (line: string) => void): { spec: AblationSpec; power: PowerPlan | null } {
  const target = numFlag(values, "target-halfwidth", undefined, { min: 0, exclusiveMin: true });
  const budgetSeconds = 60 * numFlag(values, "budget-minutes", 60, { min: 0, exclusiveMin: true });
  if (target === undefined && (values["budget-minutes"] !== undefined || values["accept-best"])) throw new UsageError("--budget-minutes and --accept-best go with --target-halfwidth");
  const pilot = readPilot(spec.out, spec.baseline);
  if (pilot === null) {
    if (target !== undefined) throw new ConfigError(`--target-halfwidth needs a pilot in ${spec.out}: at least 2 seeds of every variant finished there (run the same command with --seeds 2 and without --target-halfwidth first)`);
    return { spec, power: null };
  }
  const seedsNow = Array.isArray(spec.seeds) ? spec.seeds.length : spec.seeds;
  const variants = spec.variants.map((v) => v.name);
  try {
    const power = planPower(pilot, { seeds: seedsNow, variants, targetHalfWidth: target, budgetSeconds, acceptBest: values["accept-best"] === true });
    if (power.message) log(`power: ${power.message}`);
    log(powerLine(power));
    if (target === undefined) return { spec, power };
    return { spec: reparse({ ...raw, seeds: extendSeeds(pilot.plannedSeeds, power.seeds) }), power };
  } catch (e) {
    if (e instanceof PowerError) throw new ConfigError(e.message);
    throw e;
  }
}

/** `--lr-sweep` parsed, its mistakes as a usage error. */
function lrSweepArg(text: string): number[] {
  try {
    return parseLrSweep(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const ablateCommand: Command = {
  usage: USAGE,
  options: {
    spec: { type: "string" }, config: { type: "string" }, variant: { type: "string", multiple: true }, match: { type: "string" },
    seeds: { type: "string" }, steps: { type: "string" }, tokens: { type: "string" }, equal: { type: "string" },
    set: { type: "string", multiple: true }, name: { type: "string" }, out: { type: "string" }, report: { type: "string" }, jobs: { type: "string" },
    "estimate-steps": { type: "string" }, "keep-checkpoints": { type: "boolean" },
    "lr-sweep": { type: "string" }, "target-halfwidth": { type: "string" }, "budget-minutes": { type: "string" }, "accept-best": { type: "boolean" }, "dry-run": { type: "boolean" }, "report-only": { type: "boolean" }, "plan-only": { type: "boolean" },
  },
  positional: "list",
  async run(values, positionals) {
    if (positionals.length > 0) {
      const [sub, dir, ...extra] = positionals;
      if (sub !== "report" || dir === undefined || extra.length > 0) throw new UsageError(`unexpected arguments ${JSON.stringify(positionals)}; the only subcommand is kiln ablate report DIR`);
      return reportCommand(dir, str(values, "report"));
    }
    const modes = ["dry-run", "report-only", "plan-only"].filter((k) => values[k] === true);
    if (modes.length > 1) throw new UsageError(`give one of --${modes.join(", --")}`);
    const { raw, source, dir } = rawSpec(values);
    const estimateSteps = intFlag(values, "estimate-steps", 2, { min: 0 });
    const jobs = intFlag(values, "jobs", 1, { min: 1 });
    const progress = new Progress();
    const log = (line: string) => progress.log(line);
    const { spec, power } = withPower(values, raw, parseAblationSpec(raw, source, dir), (r) => parseAblationSpec(r, source, dir), log);
    const opts = { keepCheckpoints: values["keep-checkpoints"] === true, command: commandLine(values), power };
    const lrs = values["lr-sweep"] === undefined ? null : lrSweepArg(str(values, "lr-sweep")!);
    const plan1 = (): { plan: Plan; pending: boolean } => {
      if (lrs !== null) return planLrStages(spec, lrs, opts, log);
      const ablation = planAblation(spec);
      for (const line of describeAblation(ablation)) log(line);
      return { plan: ablationPlanFile(ablation, opts), pending: false };
    };
    let { plan: planned, pending } = plan1();
    const out = spec.out;
    const report = { reportDir: spec.report ?? undefined, log };
    if (values["dry-run"]) {
      if (estimateSteps > 0) log(`expected wall time: ${formatDuration(predictAblation(planned, null, estimateSteps, log))} for ${planned.runs.length} runs (throughput: the median of ${estimateSteps} steps per variant after a warm-up step; evaluation included)`);
      return 0;
    }
    if (values["report-only"]) {
      if (!existsSync(join(out, "plan.json"))) throw new ConfigError(`${out}: no plan.json, so nothing to report on; run the ablation (or plan it with --plan-only) first`);
      const { plan, study } = openPlan(out);
      writeOrResumePlan(out, planned); // refuses a directory planned from another spec
      study.report(out, plan, report);
      return 0;
    }
    let { plan, resumed } = writeOrResumePlan(out, planned);
    if (values["plan-only"]) {
      if (pending) log(`then run this command again to plan stage 2 (every seed at each variant's best learning rate) into ${out}`);
      console.log(plannedLine(out, plan));
      return 0;
    }
    for (;;) {
      const done = planStatus(out).filter((s) => s.state === "done").length;
      if (resumed && done > 0) log(`${out}: ${done} of ${plan.runs.length} runs already finished (kept, not repeated)`);
      if (estimateSteps > 0 && done < plan.runs.length) {
        log(`expected wall time: ${formatDuration(predictAblation(plan, out, estimateSteps, log) / jobs)} for ${plan.runs.length - done} runs (throughput: the median of ${estimateSteps} steps per variant after a warm-up step; evaluation included)`);
      }
      const complete = await withSigint(log, "checkpointing the current run", (signal) => runPlanLocally(out, { jobs, log, progress, signal }));
      if (!complete) return 130;
      if (!pending) break;
      ({ plan: planned, pending } = plan1()); // stage 1 is done: plan stage 2 after it
      ({ plan, resumed } = writeOrResumePlan(out, planned));
    }
    ablationStudy.report(out, plan, report);
    return 0;
  },
};
