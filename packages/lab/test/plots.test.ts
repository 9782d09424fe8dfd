/**
 * @file Plots read right, checked by parsing the SVG text: tick labels print
 * their values exactly, legends fit inside the drawing, IsoFLOP budgets
 * without an interior minimum are points only and say so, loss curves carry
 * the n-gram baselines, ablation curves show their first evaluation.
 */
import { describe, expect, it } from "vitest";
import { plotSvg } from "../src/plot/svg.js";
import { decimalsOf, formatTick, linearTicks, niceStep } from "../src/plot/ticks.js";
import { analyzeScaling, COARSE_GRID, computeOptimal, predictLoss, type ScalingPoint } from "../src/fit/index.js";
import { curvesPlot, isoflopPlot } from "../src/scaling/report/plots.js";

/** Every `<text>` element's content with its x and y attributes. */
function texts(svg: string): { x: number; y: number; text: string }[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map((m) => ({
    x: Number(/\bx="([-\d.]+)"/.exec(m[1]!)?.[1] ?? NaN),
    y: Number(/\by="([-\d.]+)"/.exec(m[1]!)?.[1] ?? NaN),
    text: m[2]!,
  }));
}
const size = (svg: string) => {
  const m = /<svg[^>]* width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg)!;
  return { width: Number(m[1]), height: Number(m[2]) };
};

describe("tick labels", () => {
  it("are exactly the tick values, whatever the step", () => {
    expect(niceStep(1.2, 6)).toBe(0.2);
    expect(niceStep(1.4, 6)).toBe(0.25);
    expect(decimalsOf(0.25)).toBe(2);
    expect(decimalsOf(2.5)).toBe(1);
    expect(decimalsOf(5)).toBe(0);
    expect(linearTicks(2.1, 3.4).map((t) => t.label)).toEqual(["2.25", "2.50", "2.75", "3.00", "3.25"]);
    expect(formatTick(1_250_000, 250_000)).toBe("1.25M");
    expect(formatTick(0, 0.5)).toBe("0.0");
    for (const [lo, hi] of [[2.1, 3.4], [0, 1], [-0.37, 0.41], [3.05, 3.12], [0, 2.6e6], [1e-4, 7e-4], [-12, 31]] as const) {
      for (const t of linearTicks(lo, hi)) {
        const unit = t.label.endsWith("M") ? 1e6 : t.label.endsWith("k") ? 1e3 : 1;
        expect(Number(t.label.replace(/[kM]$/, "")) * unit).toBeCloseTo(t.value, 10);
      }
    }
  });

  it("read the same in the SVG (no 2.3 for 2.25)", () => {
    const svg = plotSvg({ x: { label: "x" }, y: { label: "loss", min: 2.1, max: 3.4 }, series: [{ points: [[0, 2.2], [1, 3.3]] }] });
    const labels = texts(svg).map((t) => t.text);
    expect(labels).toEqual(expect.arrayContaining(["2.25", "2.50", "2.75"]));
    expect(labels).not.toContain("2.3");
    expect(labels).not.toContain("2.8");
  });
});

describe("legends", () => {
  it("are never cut off: 46 entries flow into columns inside the drawing", () => {
    const series = Array.from({ length: 46 }, (_, i) => ({ name: `C = ${(i + 1).toFixed(1)}e11 (no interior minimum: points only)`, points: [[i, i] as const] }));
    const svg = plotSvg({ x: { label: "x" }, y: { label: "y" }, series });
    const { width, height } = size(svg);
    const entries = texts(svg).filter((t) => t.text.startsWith("C = "));
    expect(entries).toHaveLength(46);
    for (const e of entries) {
      expect(e.y).toBeLessThan(height - 10);
      expect(e.x + 6.6 * e.text.length).toBeLessThanOrEqual(width);
    }
  });
});

describe("scaling figures", () => {
  const law = { E: 1.7, A: 400, B: 410, alpha: 0.34, beta: 0.28 };
  const profile = (C: number, bend: number): ScalingPoint[] => {
    const opt = computeOptimal(law, C).N;
    return [0.4, 0.7, 1, 1.4, 2.5].map((f) => ({ N: opt * f, D: C / (6 * opt * f), C, loss: predictLoss(law, opt * f, C / (6 * opt * f)) + bend * Math.log(f) ** 2 }));
  };

  it("draw a budget without an interior minimum as points only and say so; legend smallest budget first", () => {
    const points = [...profile(1e18, 0), ...profile(4e18, 0), ...profile(1.6e19, -0.3)]; // the last opens downward
    const an = analyzeScaling(points, { grid: COARSE_GRID, resamples: 0 });
    expect(an.isoflop.profiles.map((p) => p.verdict)).toEqual(["ok", "ok", "no-minimum"]);
    const svg = isoflopPlot(an);
    const labels = texts(svg).map((t) => t.text);
    const legend = labels.filter((t) => t.startsWith("C = "));
    expect(legend).toEqual(["C = 1.0e18", "C = 4.0e18", "C = 1.6e19 (no interior minimum: points only)"]);
    expect(labels.some((t) => /1 of 3 budgets without an interior minimum: points only/.test(t))).toBe(true);
    // one parabola per budget with a minimum: solid polylines without a dash
    expect(svg.match(/<polyline [^>]*stroke-width="1.8"\/>/g) ?? []).toHaveLength(2);
  });

  it("label many budgets directly instead of a legend that would not fit", () => {
    const points = Array.from({ length: 14 }, (_, i) => profile(1e18 * 1.5 ** i, 0)).flat();
    const svg = isoflopPlot(analyzeScaling(points, { grid: COARSE_GRID, resamples: 0 }));
    const labels = texts(svg).map((t) => t.text);
    expect(labels.filter((t) => /^\d\.\de\d+$/.test(t))).toHaveLength(14);
    expect(labels.filter((t) => t.startsWith("C = "))).toHaveLength(0);
  });

  it("mark the unigram and bigram baselines on the loss curves", () => {
    const svg = curvesPlot([{ label: "d16L1", N: 1e4, C: 1e12, points: [[1e3, 6], [1e5, 4]], final: [1e5, 4.1] }], { unigram: 5.1234, bigram: 4.4321 });
    const labels = texts(svg).map((t) => t.text);
    expect(labels).toContain("unigram baseline 5.123");
    expect(labels).toContain("bigram baseline 4.432");
    expect(svg.match(/stroke-dasharray="7 4"/g)).toHaveLength(2);
  });
});
