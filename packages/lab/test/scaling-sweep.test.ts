/**
 * @file A tiny end-to-end sweep (2 budgets × 2 sizes on a tiny corpus):
 * runs.csv is written as runs finish, an interrupted sweep resumes without
 * repeating a finished run, a finished one repeats nothing, and fit.json,
 * report.md and the SVG figures are written.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { latestCheckpoint } from "@kiln/train";
import { prepareData } from "@kiln/train";
import { buildLadder } from "../src/scaling/ladder.js";
import { planRun } from "../src/scaling/plan.js";
import { readRuns, RUN_COLUMNS, type RunRow } from "../src/scaling/results.js";
import { executeRun, sweepDataConfig } from "../src/scaling/run-one.js";
import { runSweep } from "../src/scaling/runner.js";
import { parseSweepConfig, type SweepConfig } from "../src/scaling/sweep-config.js";
import { Progress } from "@kiln/train";
import { makeCorpusDir, tempRunDir } from "../../train/test/helpers.js";

const corpus = makeCorpusDir();
const cache = join(tempRunDir(), "cache");

/** A sweep that trains in seconds: 2 budgets × 2 sizes, batches of 2–4 sequences of 32 tokens. */
export function tinySweep(overrides: Record<string, unknown> = {}): SweepConfig {
  return parseSweepConfig({
    name: "tiny",
    budgets: { values: [2e8, 6e8] },
    sizesPerBudget: 2,
    ladder: [
      { name: "d16L1", hidden: 16, layers: 1, heads: 1, lr: 0.01 },
      { name: "d32L1", hidden: 32, layers: 1, heads: 2, lr: 0.008 },
    ],
    data: { corpus, vocabSize: 300, contextLength: 32, cacheDir: cache },
    train: { batchSize: 4, minBatchSize: 2, targetSteps: 20, minSteps: 15, hardMinSteps: 2, maxEpochs: 4, evalSequences: 8, seed: 5, checkpointSeconds: 0 },
    probe: { steps: 1, seconds: 0.2 },
    jobs: 1,
    ...overrides,
  });
}

function quiet() {
  const lines: string[] = [];
  return { lines, log: (l: string) => void lines.push(l), progress: new Progress({ write: () => true, isTTY: false }) };
}

let inProcessRows: RunRow[] = [];

describe("kiln scaling sweep (tiny, end to end)", () => {
  it("runs, records, resumes after an interruption without repeating runs, and reports", async () => {
    const out = tempRunDir();
    const config = tinySweep();
    // first session: stop as soon as the first run is recorded
    const io1 = quiet();
    const h1 = runSweep(config, { out, ...io1, log: (l) => (io1.log(l), / done: val loss /.test(l) && h1.stop()), analysis: { resamples: 5 } });
    const r1 = await h1.done;
    expect(r1.status).toBe("interrupted");
    const planned = r1.plan.runs.filter((r) => r.status === "run");
    expect(planned).toHaveLength(4);
    expect(planned.map((r) => r.id)).toEqual(["c2.00e8-d16L1", "c2.00e8-d32L1", "c6.00e8-d16L1", "c6.00e8-d32L1"]);
    const after1 = readRuns(join(out, "runs.csv"));
    expect(after1).toHaveLength(1);
    expect(io1.lines.join("\n")).toMatch(/expected wall time/);
    expect(io1.lines.join("\n")).toMatch(/\[1\/4\] c2\.00e8-d16L1 done: val loss [\d.]+ .* sweep ETA/);
    const firstMetrics = statSync(join(out, "runs", after1[0]!.id, "metrics.jsonl")).mtimeMs;

    // second session: resumes, finishes the other three, writes the report
    const io2 = quiet();
    const published = join(tempRunDir(), "published");
    const r2 = await runSweep(config, { out, ...io2, reportDir: published, analysis: { resamples: 5 } }).done;
    expect(r2.status).toBe("completed");
    expect(io2.lines.join("\n")).toMatch(/1 of 4 runs already finished; 3 to go/);
    const rows = readRuns(join(out, "runs.csv"));
    inProcessRows = rows;
    expect(rows.map((r) => r.id).sort()).toEqual(planned.map((r) => r.id).sort());
    expect(statSync(join(out, "runs", after1[0]!.id, "metrics.jsonl")).mtimeMs).toBe(firstMetrics);
    const header = readFileSync(join(out, "runs.csv"), "utf8").split("\n")[0];
    expect(header).toBe(RUN_COLUMNS.join(","));
    for (const r of rows) {
      expect(r.loss).toBeGreaterThan(0);
      expect(r.loss_se).toBeGreaterThan(0); // its sampling error over the 8 validation windows
      expect(r.loss_se).toBeLessThan(0.5);
      expect(r.D).toBe(r.steps * r.tokens_per_step);
      expect(Math.abs(r.C_6ND / r.C - 1)).toBeLessThan(0.15); // D rounds to whole steps
      expect(r.C_exact).toBeGreaterThan(r.C_6ND); // attention FLOPs on top
      expect(r.N).toBe(r.N_with_head); // tied embeddings
      expect(r.N_nonembedding).toBe(r.N - 300 * r.hidden);
      expect(existsSync(join(out, "runs", r.id, "checkpoints"))).toBe(false);
    }
    for (const f of ["fit.json", "report.md", "isoflop.svg", "optimal.svg", "predicted.svg", "curves.svg", "plan.json", "sessions.jsonl"]) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    for (const f of ["fit.json", "report.md", "isoflop.svg", "curves.svg", "runs.csv", "plan.json", "sessions.jsonl"]) expect(existsSync(join(published, f))).toBe(true);
    const fit = JSON.parse(readFileSync(join(out, "fit.json"), "utf8"));
    expect(fit.format).toBe("kiln.scaling-fit/1");
    expect(fit.points).toHaveLength(4);
    expect(fit.verdicts.find((v: { id: string }) => v.id === "exponent-a").status).toBe("INCONCLUSIVE");
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toMatch(/## Verdicts/);
    expect(report).toMatch(/\*\*measured \d+s\*\* over 2 sessions/);
    expect(report).toMatch(/\| c6\.00e8-d32L1 \|/);
    expect(report).toMatch(/Loss = validation loss on 8 windows × 32 tokens spread evenly over the whole [\d.k]+-token validation split, the same windows for every run; the standard error of one run's loss over those windows \(its sampling error\) is [\d.]+–[\d.]+ nats/);
    expect(report).toMatch(/\| \d\.\d{4} ± \d\.\d{4} \| \d\.\d{4} \|/); // val loss ± s.e. in the runs table
    expect(report).toMatch(/Neighbouring sizes at one budget differ by \|Δ\| = [\d.]+–[\d.]+ nats; the standard error of such a difference, paired over the shared windows, is [\d.]+–[\d.]+, so the differences are [\d.]+–[\d.]+ standard errors/);
    const curvesSvg = readFileSync(join(out, "curves.svg"), "utf8");
    expect(curvesSvg).toMatch(/^<svg[^>]*>[\s\S]*d32L1[\s\S]*<\/svg>\n$/);
    expect(curvesSvg).toMatch(/>unigram baseline \d\.\d{3}</);
    expect(curvesSvg).toMatch(/>bigram baseline \d\.\d{3}</);

    // third session: nothing left to do, nothing repeated
    const io3 = quiet();
    await runSweep(config, { out, ...io3, analysis: { resamples: 0 } }).done;
    expect(io3.lines.join("\n")).toMatch(/4 of 4 runs already finished; 0 to go/);
    expect(io3.lines.some((l) => / done: val loss /.test(l))).toBe(false);
    expect(readRuns(join(out, "runs.csv"))).toHaveLength(4);
    expect(readdirSync(join(out, "runs")).sort()).toEqual(planned.map((r) => r.id).sort());
  });

  it("runs in 2 worker processes with the same results as in this process", async () => {
    const out = tempRunDir();
    const r = await runSweep(tinySweep({ jobs: 2 }), { out, ...quiet(), analysis: { resamples: 0 } }).done;
    expect(r.plan.jobs).toBe(2);
    const rows = readRuns(join(out, "runs.csv"));
    const loss = (rs: RunRow[]) => Object.fromEntries(rs.map((x) => [x.id, x.loss]));
    expect(loss(rows)).toEqual(loss(inProcessRows));
  });

  it("resumes a run stopped mid-way from its checkpoint, bit-identically", async () => {
    const config = tinySweep();
    const data = prepareData(sweepDataConfig(config));
    const rung = buildLadder(config)[0]!;
    const run = planRun(config, rung, 6e8, 0, data.train.length, { [rung.name]: 1000 });
    const progress = quiet().progress;
    const straight = await executeRun(config, run, rung, tempRunDir(), data, { progress, tokPerSec: 1000 });
    const dir = tempRunDir();
    const stopped = await executeRun(config, run, rung, dir, data, {
      progress, tokPerSec: 1000,
      onTrainer: (t) => {
        for (let i = 0; i < 10; i++) t.trainStep();
        t.requestStop();
      },
    });
    expect(stopped.status).toBe("interrupted");
    expect(existsSync(join(latestCheckpoint(dir)!, "trainer.json"))).toBe(true);
    const resumed = await executeRun(config, run, rung, dir, data, { progress, tokPerSec: 1000 });
    expect(resumed.status).toBe("completed");
    expect(resumed.row!.loss).toBe(straight.row!.loss);
    expect(readFileSync(join(dir, "log.txt"), "utf8")).toMatch(/resumed from .* at step 10/);
  });

  it("refuses to resume a directory planned from a different config", async () => {
    const out = tempRunDir();
    const dry = await runSweep(tinySweep(), { out, ...quiet(), dryRun: true }).done;
    expect(dry.status).toBe("planned");
    expect(existsSync(join(out, "plan.json"))).toBe(false); // a dry run leaves nothing to resume
    const first = runSweep(tinySweep(), { out, ...quiet() });
    first.stop(); // plans (and saves the plan), trains nothing
    expect((await first.done).status).toBe("interrupted");
    await expect(runSweep(tinySweep({ sizesPerBudget: 2, tokensPerParam: 10 }), { out, ...quiet(), dryRun: true }).done).rejects.toThrow(/planned from a different config \(it differs in "tokensPerParam"\)/);
  });
});
