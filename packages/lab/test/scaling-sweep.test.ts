/**
 * @file A tiny sweep end to end on the run queue (2 budgets × 2 sizes on a
 * tiny corpus): planned before any training, run locally with an
 * interruption and a resume that repeats no finished run, and reported —
 * and the same plan executed array-job style (`kiln lab run DIR --index I`
 * per run, in reverse order) or by 2 local worker processes gives
 * byte-identical runs.csv, fit.json and result files. A run stopped mid-way
 * resumes bit-identically.
 */
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { latestCheckpoint, main, Progress } from "@kiln/train";
import { readPlan, readResult, writePlan } from "../src/queue/plan-dir.js";
import { planStatus, runIndex } from "../src/queue/queue.js";
import { RunProgress } from "../src/queue/progress.js";
import { runPlanLocally } from "../src/run/local.js";
import { RUN_COLUMNS } from "../src/scaling/results.js";
import { type SweepResult } from "../src/scaling/run-one.js";
import { planScaling, scalingStudy } from "../src/scaling/study.js";
import { parseSweepConfig, type SweepConfig } from "../src/scaling/sweep-config.js";
import { captureConsole } from "../../train/test/console.js";
import { makeCorpusDir, tempRunDir } from "../../train/test/helpers.js";

const corpus = makeCorpusDir();
const cache = join(tempRunDir(), "cache");

/** A sweep that trains in seconds: 2 budgets × 2 sizes, batches of 2–4 sequences of 32 tokens. */
function tinySweep(overrides: Record<string, unknown> = {}): SweepConfig {
  return parseSweepConfig({
    name: "tiny",
    budgets: { values: [2e8, 6e8] },
    sizesPerBudget: 2,
    ladder: [
      { name: "d16L1", hidden: 16, layers: 1, heads: 1, lr: 0.01 },
      { name: "d32L1", hidden: 32, layers: 1, heads: 2, lr: 0.008 },
    ],
    data: { corpus, vocabSize: 300, contextLength: 32, cacheDir: cache },
    train: { batchSize: 4, minBatchSize: 2, targetSteps: 20, minSteps: 15, hardMinSteps: 2, maxEpochs: 4, evalSequences: 8, curveEvals: 3, seed: 5, checkpoints: 4 },
    probe: { steps: 1, seconds: 0.2 },
    jobs: 1,
    ...overrides,
  });
}

const lines: string[] = [];
const log = (l: string) => void lines.push(l);
const quiet = () => new Progress({ write: () => true, isTTY: false });
const never = new AbortController().signal;
const ids = ["c2.00e8-d16L1", "c2.00e8-d32L1", "c6.00e8-d16L1", "c6.00e8-d32L1"];
const text = (dir: string, f: string) => readFileSync(join(dir, f), "utf8");

const { err } = captureConsole();

describe("a tiny sweep on the run queue", () => {
  const local = tempRunDir();
  const array = tempRunDir();

  it("plans every run before training, runs locally with a resume that repeats nothing, and reports", async () => {
    const plan = planScaling(tinySweep(), 1, log);
    expect(plan.kind).toBe("scaling");
    expect(plan.runs.map((r) => r.id)).toEqual(ids);
    writePlan(local, plan);
    cpSync(join(local, "plan.json"), join(array, "plan.json"));

    // first session: stop once the first run is done
    const stop = new AbortController();
    const progress = new (class extends Progress {
      override log(line: string) {
        if (/c2\.00e8-d16L1: done/.test(line)) stop.abort();
      }
    })({ write: () => true, isTTY: false });
    expect(await runPlanLocally(local, { jobs: 1, log: (l) => progress.log(l), progress, signal: stop.signal })).toBe(false);
    expect(planStatus(local).map((s) => s.state)).toEqual(["done", "pending", "pending", "pending"]);
    const firstResult = statSync(join(local, "runs", ids[0]!, "result.json")).mtimeMs;

    // second session: finishes the other three, never touching the first
    expect(await runPlanLocally(local, { jobs: 1, log, progress: quiet(), signal: never })).toBe(true);
    expect(statSync(join(local, "runs", ids[0]!, "result.json")).mtimeMs).toBe(firstResult);
    const files = scalingStudy.report(local, readPlan(local), { log });
    expect(files.map((f) => f.slice(local.length + 1)).sort()).toEqual(["curves.svg", "fit.json", "isoflop.svg", "optimal.svg", "predicted.svg", "report.md", "runs.csv"]);
    const csv = text(local, "runs.csv").split("\n");
    expect(csv[0]).toBe(RUN_COLUMNS.join(","));
    expect(csv[0]).not.toMatch(/wall|tok_per_s/);
    expect(csv.slice(1, -1).map((l) => l.split(",")[0])).toEqual(ids);
    for (const id of ids) {
      const { row, windowLosses } = readResult(local, id) as SweepResult;
      expect(row.loss).toBeGreaterThan(0);
      expect(row.loss_se).toBeGreaterThan(0); // its sampling error over the 8 validation windows
      expect(windowLosses).toHaveLength(8);
      expect(row.D).toBe(row.steps * row.tokens_per_step);
      expect(row.C_exact).toBeGreaterThan(row.C_6ND); // attention FLOPs on top
      expect(row.N_nonembedding).toBe(row.N - 300 * row.hidden);
      expect(existsSync(join(local, "runs", id, "checkpoints"))).toBe(false);
      expect(JSON.parse(text(join(local, "runs", id), "timing.json")).seconds).toBeGreaterThan(0);
    }
    const fit = JSON.parse(text(local, "fit.json"));
    expect(fit.points).toHaveLength(4);
    // Approach 1 reads every run's validation curve (3 evaluations + the final one) from its metrics.jsonl; two sizes bracket no optimum
    expect(fit.approach1.envelope.length).toBeGreaterThan(0);
    expect(fit.approach1.nOpt).toBeNull();
    expect(fit.approach1.message).toMatch(/^N_opt takes fewer than 2 sizes along the fitted envelope/);
    const report = text(local, "report.md");
    expect(report).toMatch(/\| c6\.00e8-d32L1 \|/);
    expect(report).toMatch(/## Three approaches[\s\S]*\| 1\. Lower envelope of the training curves \| — \| — \| 0\.50 \| 0\.50 \|[\s\S]*Approach 1: N_opt takes fewer than 2 sizes/);
    expect(report).toMatch(/Neighbouring sizes at one budget differ by \|Δ\| = [\d.]+–[\d.]+ nats; the standard error of such a difference, paired over the shared windows/);
    expect(text(local, "curves.svg")).toMatch(/>bigram baseline \d\.\d{3}</);
  }, 120_000);

  it("executed array-job style (one run per task, any order) gives byte-identical runs.csv, fits and results", async () => {
    for (let i = ids.length - 1; i >= 0; i--) expect(await runIndex(array, i, scalingStudy.executor(() => quiet()))).toBe("done");
    expect(await main(["lab", "report", array])).toBe(0);
    for (const f of ["runs.csv", "fit.json", "isoflop.svg", "optimal.svg", "predicted.svg", "curves.svg"]) expect(text(array, f), f).toBe(text(local, f));
    for (const id of ids) expect(text(join(array, "runs", id), "result.json")).toBe(text(join(local, "runs", id), "result.json"));
  }, 120_000);

  it("executed by 2 local worker processes (kiln scaling --jobs 2) gives the same bytes again", async () => {
    const dir = tempRunDir();
    writePlan(dir, readPlan(local));
    const logged: string[] = [];
    expect(await runPlanLocally(dir, { jobs: 2, log: (l) => void logged.push(l), progress: quiet(), signal: never })).toBe(true);
    expect(logged.filter((l) => /^worker [12]: \[\d\/4\] c[\d.e]+-d\d+L1: starting$/.test(l))).toHaveLength(4); // which worker takes which run is a race
    scalingStudy.report(dir, readPlan(dir), { log });
    for (const f of ["runs.csv", "fit.json", "curves.svg"]) expect(text(dir, f), f).toBe(text(local, f));
  }, 120_000);

  it("resumes a run stopped mid-way from its checkpoint, bit-identically", async () => {
    const dir = tempRunDir();
    writePlan(dir, readPlan(local));
    const stop = new AbortController();
    const executor = scalingStudy.executor(() => new RunProgress(quiet(), () => ""));
    const cut = runIndex(dir, 3, (p, r, d, s) => {
      // the trainer checkpoints every quarter of the run; stop it once the first checkpoint exists
      const poll = setInterval(() => latestCheckpoint(d) !== null && (stop.abort(), clearInterval(poll)), 5);
      return executor(p, r, d, s).finally(() => clearInterval(poll));
    }, { signal: stop.signal });
    expect(await cut).toBe("stopped");
    expect(planStatus(dir)[3]!.state).toBe("pending");
    expect(await runIndex(dir, 3, executor)).toBe("done");
    expect(text(join(dir, "runs", ids[3]!), "log.txt")).toMatch(/resumed from .* at step \d+/);
    expect(text(join(dir, "runs", ids[3]!), "result.json")).toBe(text(join(local, "runs", ids[3]!), "result.json"));
  }, 120_000);

  it("refuses a directory planned from a different config by the field that differs, and bad input in one line", async () => {
    expect(await main(["scaling", "--sweep", "x.json", "--preset", "quick"])).toBe(2);
    expect(err.at(-1)).toMatch(/^kiln scaling: give one of --preset quick\|full\|approach1 or --sweep FILE/);
    const sweepFile = join(tempRunDir(), "tiny.json");
    writeFileSync(sweepFile, JSON.stringify({ ...tinySweep(), tokensPerParam: 10 }));
    // the sweep config of `local` differs only in tokensPerParam
    expect(await main(["scaling", "--sweep", sweepFile, "--out", local, "--plan-only"])).toBe(1);
    expect(err.at(-1)).toBe(`kiln scaling: ${local} holds a sweep planned from a different config (it differs in "tokensPerParam"); use another --out, or delete ${local} to start over`);
    expect(await main(["lab", "run", local, "--index", "4"])).toBe(2);
    expect(err.at(-1)).toBe(`kiln lab: run index 4 is out of range: the plan in ${local} has runs 0…3`);
    expect(readdirSync(join(local, "runs")).sort()).toEqual(ids);
  });
});
