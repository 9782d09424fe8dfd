/**
 * @file Sweep planning without training: the presets parse; sizes are
 * windowed around the guessed optimum; too many epochs are skipped and few
 * steps flagged; batches shrink to reach the target steps; budgets are sized
 * to the time budget from throughput; the SVG helper draws what it is given.
 */
import { describe, expect, it } from "vitest";
import { plotSvg, formatPower } from "../src/plot/svg.js";
import { buildLadder } from "../src/scaling/ladder.js";
import { estimateThroughput } from "../src/scaling/measure.js";
import { makespan, planBudget, planSweep, type Throughput } from "../src/scaling/plan.js";
import { loadSweepConfig, parseSweepConfig } from "../src/scaling/sweep-config.js";

const quick = loadSweepConfig("quick");
const full = loadSweepConfig("full");
const ladder = buildLadder(full);
const TRAIN = 4.5e6;
/** A machine doing 5 GFLOP/s on every size. */
const tps: Throughput = Object.fromEntries(ladder.map((r) => [r.name, 5e9 / r.flopsPerToken]));

describe("sweep presets and ladder", () => {
  it("parse, and span ~10K to ~1M parameters with tied embeddings counted once", () => {
    expect(quick.name).toBe("quick");
    expect(full.budgets.values.length).toBeGreaterThan(quick.budgets.values.length);
    expect(ladder[0]!.N).toBe(12_336);
    expect(ladder[ladder.length - 1]!.N).toBe(869_504);
    for (const r of ladder) {
      expect(r.withHead).toBe(r.N);
      expect(r.nonEmbedding).toBe(r.N - 512 * r.hidden);
      expect(r.flopsPerToken).toBe(6 * r.N + 12 * r.layers * r.hidden * 128);
    }
  });

  it("name the offending field in config errors", () => {
    const base = { ladder: [{ name: "a", hidden: 16, layers: 1, heads: 1, lr: 0.01 }, { name: "b", hidden: 32, layers: 1, heads: 2, lr: 0.01 }], sizesPerBudget: 2 };
    expect(() => parseSweepConfig({ ...base, sizesPerBudgit: 3 }, "s.json")).toThrow(/unknown config key "sizesPerBudgit" \(did you mean "sizesPerBudget"\?\)/);
    expect(() => parseSweepConfig({ ...base, train: { batchSize: 16, evalSequences: 6 } }, "s.json")).toThrow(/train\.evalSequences 6 must be a multiple of every batch size used \(16\)/);
    expect(() => parseSweepConfig({ ...base, ladder: [base.ladder[0], { ...base.ladder[0] }] }, "s.json")).toThrow(/ladder\[1\]\.name "a" is used twice/);
    expect(() => loadSweepConfig("no-such-preset")).toThrow(/no-such-preset\.json: no such sweep file or preset/);
  });
});

describe("planning", () => {
  it("trains a window of sizes centred on √(C / 120) with D = C / (6N)", () => {
    const C = 1e12; // N_guess ≈ 91K
    const runs = planBudget(full, ladder, C, 0, TRAIN, tps);
    expect(runs.filter((r) => r.status === "run")).toHaveLength(full.sizesPerBudget);
    const Ns = runs.map((r) => r.N);
    expect(Math.min(...Ns)).toBeLessThan(91_000);
    expect(Math.max(...Ns)).toBeGreaterThan(91_000);
    for (const r of runs) {
      expect(Math.abs((6 * r.N * r.D) / C - 1)).toBeLessThan(0.01);
      expect(r.warmupSteps).toBe(Math.min(100, Math.round(0.05 * r.steps)));
    }
  });

  it("skips runs needing more than maxEpochs, flags few steps, and shrinks batches first", () => {
    const big = planBudget(full, ladder, 3e14, 0, TRAIN, tps);
    const skipped = big.filter((r) => r.status === "skipped");
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]!.reason).toMatch(/needs [\d.]+ epochs of the training split \(max 4\)/);
    const small = planBudget(full, ladder, 2e9, 0, TRAIN, tps);
    const last = small[small.length - 1]!;
    expect(last.batchSize).toBe(4);
    expect(last.flags).toEqual(["few-steps"]);
    expect(small[0]!.batchSize).toBeGreaterThanOrEqual(last.batchSize);
  });

  it("presets plan the same runs on any machine: throughput and process count change only the predicted time", () => {
    const key = (p: ReturnType<typeof planSweep>) => JSON.stringify(p.runs.map(({ predictedSeconds: _, ...r }) => r));
    for (const preset of [quick, full]) {
      const slow = planSweep(preset, ladder, TRAIN, tps, 1);
      const fast = planSweep(preset, ladder, TRAIN, Object.fromEntries(Object.entries(tps).map(([k, v]) => [k, 7 * v])), 2);
      expect(slow.budgets).toEqual(preset.budgets.values);
      expect(key(fast)).toBe(key(slow));
      expect(fast.predictedSeconds).toBeLessThan(slow.predictedSeconds);
    }
  });

  it("a sweep without budgets.values sizes the budgets to the time budget, bigger on a faster machine", () => {
    const sized = { ...full, budgets: { ...full.budgets, values: [], count: 5, ratio: 3 } };
    const slow = planSweep(sized, ladder, TRAIN, tps, 1);
    expect(slow.predictedSeconds).toBeLessThanOrEqual(full.timeBudget);
    expect(slow.predictedSeconds).toBeGreaterThan(0.8 * full.timeBudget);
    expect(slow.budgets).toHaveLength(5);
    expect(slow.budgets[1]! / slow.budgets[0]!).toBeCloseTo(3, 10);
    const fast = planSweep(sized, ladder, TRAIN, Object.fromEntries(Object.entries(tps).map(([k, v]) => [k, 10 * v])), 1);
    expect(fast.budgets[4]!).toBeGreaterThan(5 * slow.budgets[4]!);
    expect(makespan([4, 3, 3, 2], 2)).toBe(6);
    expect(makespan([4, 3, 3, 2], 1)).toBe(12);
  });

  it("estimates unmeasured sizes from the FLOP rate of the nearest measured one", () => {
    const est = estimateThroughput(ladder, { d16L1: 10_000 });
    const r = ladder[3]!;
    expect(est[r.name]).toBeCloseTo((10_000 * ladder[0]!.flopsPerToken) / r.flopsPerToken, 6);
  });
});

describe("plotSvg", () => {
  it("draws log axes, lines, markers, bands and a legend, escaping text", () => {
    const svg = plotSvg({
      title: "a < b & c", x: { label: "N", log: true }, y: { label: "loss" },
      series: [
        { name: "fit", points: [[1e3, 3], [1e5, 2]], band: [[1e3, 2.8, 3.2], [1e5, 1.9, 2.1]] },
        { name: "runs", line: false, marker: "diamond", points: [[2e3, 2.9], [0, 1], [5e4, NaN]] },
      ],
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain("a &lt; b &amp; c");
    expect(svg).toContain(">10³<");
    expect(svg).toContain(">10⁵<");
    expect(svg.match(/<polygon/g)!.length).toBe(3); // the band, one diamond kept (0 and NaN dropped), the legend diamond
    expect(svg).toContain(">fit<");
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(formatPower(2e-3)).toBe("2×10⁻³");
    expect(formatPower(4)).toBe("4");
  });
});
