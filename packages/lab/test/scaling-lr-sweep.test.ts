/**
 * @file Per-size learning rates for a scaling sweep (scaling/lr-stages.ts)
 * on a tiny sweep (2 budgets × 2 sizes): stage 1 trains each size at its
 * cheapest budget at each multiple of its ladder rate; stage 2 — appended
 * to the same plan — trains the rest at each size's best, and the stage-1
 * run at the best rate stands for the cheapest budget. Both the one-command
 * way and the cluster way (--plan-only, kiln lab run, the command again).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "@kiln/train";
import { readPlan, readResult } from "../src/queue/plan-dir.js";
import { bestSizeLrs, fittedIds, type SizeLrSweep } from "../src/scaling/lr-stages.js";
import type { SweepResult, SweepRunConfig } from "../src/scaling/run-one.js";
import { parseSweepConfig } from "../src/scaling/sweep-config.js";
import { captureConsole } from "../../train/test/console.js";
import { makeCorpusDir, tempRunDir } from "../../train/test/helpers.js";

const corpus = makeCorpusDir();
const cache = join(tempRunDir(), "cache");
const sweep = {
  name: "tiny-lr",
  budgets: { values: [2e8, 6e8] },
  sizesPerBudget: 2,
  ladder: [
    { name: "d16L1", hidden: 16, layers: 1, heads: 1, lr: 0.01 },
    { name: "d32L1", hidden: 32, layers: 1, heads: 2, lr: 0.008 },
  ],
  lrSweep: { factors: [0.3, 1, 3] },
  data: { corpus, vocabSize: 300, contextLength: 32, cacheDir: cache },
  train: { batchSize: 4, minBatchSize: 2, targetSteps: 20, minSteps: 15, hardMinSteps: 2, maxEpochs: 4, evalSequences: 8, curveEvals: 0, seed: 5, checkpoints: 0 },
  probe: { steps: 1, seconds: 0.2 },
  jobs: 1,
};
const sweepFile = join(tempRunDir(), "tiny-lr.json");
writeFileSync(sweepFile, JSON.stringify(sweep));
const stage1 = ["c2.00e8-d16L1.lr-3e-3", "c2.00e8-d16L1.lr-1e-2", "c2.00e8-d16L1.lr-3e-2", "c2.00e8-d32L1.lr-2.4e-3", "c2.00e8-d32L1.lr-8e-3", "c2.00e8-d32L1.lr-2.4e-2"];
const lossIn = (dir: string) => (id: string) => (readResult(dir, id) as SweepResult | undefined)?.row.loss;

const { out, err } = captureConsole({ stdout: true });
const printed = () => [...out, ...err].join("\n");

describe("a scaling sweep with per-size learning rates", () => {
  const local = tempRunDir();

  it("in one command: stage 1 at each size's cheapest budget, then the rest at each size's best, and a report of both", async () => {
    expect(await main(["scaling", "--sweep", sweepFile, "--out", local])).toBe(0);
    const plan = readPlan(local);
    const meta = plan.meta as { lrSweep: SizeLrSweep };
    expect(plan.runs.map((r) => r.id)).toEqual([...stage1, "c6.00e8-d16L1", "c6.00e8-d32L1"]);
    const best = bestSizeLrs(meta.lrSweep, lossIn(local))!;
    expect(meta.lrSweep.best).toEqual(best);
    for (const size of ["d16L1", "d32L1"]) {
      const losses = stage1.filter((id) => id.includes(size)).map((id) => ({ id, loss: lossIn(local)(id)! }));
      const lowest = losses.reduce((m, r) => (r.loss < m.loss ? r : m));
      expect(lowest.id.endsWith(`lr-${best[size]!.toExponential().replace("e+", "e")}`)).toBe(true);
      const c = plan.runs.find((r) => r.id === `c6.00e8-${size}`)!.config as SweepRunConfig;
      expect([c.run.lr, c.rung.lr, c.train.optim.lr]).toEqual([best[size], best[size], best[size]]);
    }
    // the fit sees one run per (budget, size): the stage-1 run at the chosen rate stands for the cheapest budget
    const rows = readFileSync(join(local, "runs.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(4);
    expect([...fittedIds(plan, lossIn(local))].sort()).toEqual(rows.map((r) => r.split(",")[0]!).sort());
    const report = readFileSync(join(local, "report.md"), "utf8");
    expect(report).toMatch(/## Learning rate per size\n\nStage 1 trained every size at its cheapest budget of the plan at 0\.3×, 1×, 3× its ladder learning rate/);
    expect(report).toMatch(new RegExp(`\\| d16L1 \\| [^\\n]*\\*\\*${best.d16L1}: \\d\\.\\d{4}\\*\\*[^\\n]*\\| ${best.d16L1} \\|`));
    expect(readFileSync(join(local, "lr.svg"), "utf8")).toMatch(/^<svg[\s\S]*d32L1/);
    expect(printed()).toMatch(/learning-rate sweep: chosen d16L1 [\d.e-]+, d32L1 [\d.e-]+/);
  }, 120_000);

  it("the cluster way: --plan-only plans stage 1, kiln lab run trains it, the command again appends stage 2; same results", async () => {
    const dir = tempRunDir();
    expect(await main(["scaling", "--sweep", sweepFile, "--out", dir, "--plan-only"])).toBe(0);
    expect(readPlan(dir).runs.map((r) => r.id)).toEqual(stage1);
    expect(printed()).toMatch(/then run this command again to plan stage 2/);
    expect(await main(["lab", "run", dir, "--claim"])).toBe(0);
    expect(await main(["scaling", "--sweep", sweepFile, "--out", dir, "--plan-only"])).toBe(0);
    expect(readPlan(dir).runs).toEqual(readPlan(local).runs);
    expect(await main(["lab", "run", dir, "--claim"])).toBe(0);
    expect(await main(["lab", "report", dir])).toBe(0);
    for (const f of ["runs.csv", "fit.json", "lr.svg"]) expect(readFileSync(join(dir, f), "utf8"), f).toBe(readFileSync(join(local, f), "utf8"));
    expect(await main(["scaling", "--sweep", sweepFile, "--out", dir, "--plan-only"])).toBe(0); // nothing more to plan
    expect(readPlan(dir).runs).toHaveLength(8);
  }, 120_000);

  it("a report while stage 1 is unfinished fits the lowest finished rate of each size and says stage 2 is not planned", async () => {
    const dir = tempRunDir();
    expect(await main(["scaling", "--sweep", sweepFile, "--out", dir, "--plan-only"])).toBe(0);
    expect(await main(["lab", "run", dir, "--index", "0"])).toBe(0);
    expect(await main(["lab", "run", dir, "--index", "4"])).toBe(0);
    expect(await main(["lab", "report", dir])).toBe(0);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toMatch(/Stage 2 is not planned yet \(stage 1 unfinished\)/);
    expect(readFileSync(join(dir, "runs.csv"), "utf8").trim().split("\n").slice(1).map((r) => r.split(",")[0])).toEqual([stage1[0], stage1[4]]);
    expect(existsSync(join(dir, "lr.svg"))).toBe(true);
  }, 120_000);

  it("refuses lrSweep.factors with one value or a repeat in one line", () => {
    expect(() => parseSweepConfig({ ...sweep, lrSweep: { factors: [1] } }, "s.json")).toThrow(/^s\.json: lrSweep\.factors needs 2 or more distinct multiples of each size's lr \(e\.g\. \[0\.5, 1, 2\]\), got \[1\]$/);
    expect(() => parseSweepConfig({ ...sweep, lrSweep: { factors: [1, 1] } }, "s.json")).toThrow(/got \[1,1\]$/);
    expect(() => parseSweepConfig({ ...sweep, lrSweep: { factors: [0, 1] } }, "s.json")).toThrow(/lrSweep\.factors/);
  });

  it("bestSizeLrs waits for every stage-1 run and skips non-finite losses", () => {
    const s: SizeLrSweep = { factors: [1, 2], runs: [{ id: "a", rung: "x", lr: 1 }, { id: "b", rung: "x", lr: 2 }], planned: [], best: null };
    expect(bestSizeLrs(s, (id) => (id === "a" ? 3 : undefined))).toBeNull();
    expect(bestSizeLrs(s, (id) => (id === "a" ? NaN : 4))).toEqual({ x: 2 });
    expect(() => bestSizeLrs(s, () => NaN)).toThrow(/every learning rate of size "x" ended with a non-finite loss/);
  });
});
