/**
 * @file The scaling-law fits: L-BFGS on a classic problem; Approach 3
 * recovers a known law exactly without noise and within tolerance with 1%
 * noise; Approach 2 recovers the compute-optimal exponent; a committed
 * published-style dataset passes every check; degenerate inputs get verdicts,
 * not numbers; points CSV errors name the line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  analyzeScaling, computeOptimal, COARSE_GRID, fitIsoflop, fitLossLaw, fitParabola, fitProfile, minimizeLbfgs, parsePointsCsv,
  predictLoss, seededRandom, dropHighestLoss, type LossLaw, type ScalingPoint,
} from "../src/fit/index.js";

const LAW: LossLaw = { E: 1.8, A: 480, B: 2100, alpha: 0.35, beta: 0.37 };
const FIXTURE = new URL("./fixtures/scaling/published-style.csv", import.meta.url);

/** An IsoFLOP design: `sizes` models per budget spaced ×1.6 around the law's optimum, losses × exp(noise·N(0,1)). */
function synthetic(law: LossLaw, noise: number, seed = 1, budgets = [1e18, 4e18, 1.6e19, 6.4e19, 2.56e20, 1e21], sizes = 7): ScalingPoint[] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return budgets.flatMap((C) => {
    const opt = computeOptimal(law, C).N;
    return Array.from({ length: sizes }, (_, i) => {
      const N = opt * 1.6 ** (i - (sizes - 1) / 2);
      const D = C / (6 * N);
      return { N, D, C, loss: predictLoss(law, N, D) * Math.exp(noise * gauss()) };
    });
  });
}

describe("minimizeLbfgs", () => {
  it("finds the Rosenbrock minimum to tight tolerance", () => {
    const r = minimizeLbfgs((x, g) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, [-1.2, 1]);
    expect(r.x[0]).toBeCloseTo(1, 8);
    expect(r.x[1]).toBeCloseTo(1, 8);
    expect(r.f).toBeLessThan(1e-16);
  });
});

describe("Approach 3 (parametric)", () => {
  it("recovers a known law exactly from noise-free points", () => {
    const fit = fitLossLaw(synthetic(LAW, 0), { grid: COARSE_GRID });
    for (const k of ["E", "A", "B", "alpha", "beta"] as const) expect(fit.law[k] / LAW[k]).toBeCloseTo(1, 5);
    expect(fit.logRmse).toBeLessThan(1e-7);
    expect(fit.a).toBeCloseTo(0.37 / 0.72, 6);
  });

  it("recovers it within tolerance from points with 1% noise", () => {
    const fit = fitLossLaw(synthetic(LAW, 0.01, 7), { grid: COARSE_GRID });
    expect(Math.abs(fit.law.E / LAW.E - 1)).toBeLessThan(0.05);
    expect(Math.abs(fit.law.alpha - LAW.alpha)).toBeLessThan(0.06);
    expect(Math.abs(fit.law.beta - LAW.beta)).toBeLessThan(0.06);
    expect(Math.abs(fit.a - 0.37 / 0.72)).toBeLessThan(0.04);
    expect(fit.logRmse).toBeGreaterThan(0.006);
    expect(fit.logRmse).toBeLessThan(0.014);
  });
});

describe("Approach 2 (IsoFLOP)", () => {
  it("recovers the compute-optimal exponent from noise-free profiles", () => {
    const iso = fitIsoflop(synthetic(LAW, 0), { resamples: 0 });
    expect(iso.profiles.every((p) => p.verdict === "ok")).toBe(true);
    expect(iso.nOpt!.exponent).toBeCloseTo(0.37 / 0.72, 2);
    expect(iso.nOpt!.exponent + iso.dOpt!.exponent).toBeCloseTo(1, 10); // D_opt = C / (6·N_opt)
  });

  it("fits parabolas exactly and judges degenerate profiles", () => {
    const p = fitParabola([1, 2, 3, 4], [1 - 2 + 3, 1 - 4 + 12, 1 - 6 + 27, 1 - 8 + 48])!;
    expect([p.c0, p.c1, p.c2].map((v) => Number(v.toFixed(9)))).toEqual([1, -2, 3]);
    expect(fitParabola([1, 1, 2], [0, 1, 2])).toBeNull();
    const at = (Ns: number[], f: (x: number) => number) => Ns.map((N) => ({ N, D: 1e6 / N, loss: f(Math.log(N)) }));
    expect(fitProfile(1e6, at([1e3, 2e3], () => 3)).verdict).toBe("too-few-points");
    expect(fitProfile(1e6, at([1e3, 2e3, 4e3, 8e3], (x) => 5 - (x - 8) ** 2)).verdict).toBe("no-minimum");
    const edge = fitProfile(1e6, at([1e3, 2e3, 4e3, 8e3], (x) => 3 + 0.1 * (x - 12) ** 2));
    expect(edge.verdict).toBe("edge-minimum");
    expect(edge.nOpt).toBeNull();
    expect(edge.message).toMatch(/outside the sizes tried/);
  });
});

describe("analyzeScaling", () => {
  it("passes every check on the committed published-style dataset and finds its law", () => {
    const points = parsePointsCsv(readFileSync(FIXTURE, "utf8"), "published-style.csv");
    expect(points).toHaveLength(81);
    const an = analyzeScaling(points, { grid: COARSE_GRID, resamples: 30, seed: 1 });
    expect(an.verdicts.map((v) => v.status)).toEqual(["PASS", "PASS", "PASS", "PASS", "PASS", "PASS"]);
    const law = an.law!;
    // the generating law: E = 1.82, α = 0.35, β = 0.37, a = 0.514 (fit to 1% noise, so approximately)
    expect(law.law.E).toBeCloseTo(1.863, 2);
    expect(law.law.alpha).toBeCloseTo(0.3624, 3);
    expect(law.law.beta).toBeCloseTo(0.3950, 3);
    expect(law.a).toBeGreaterThan(law.bootstrap!.ci.a[0]);
    expect(law.a).toBeLessThan(law.bootstrap!.ci.a[1]);
    expect(an.isoflop.nOpt!.exponent).toBeCloseTo(0.519, 2);
  });

  it("gives INCONCLUSIVE verdicts and reasons, not numbers, for too little data", () => {
    const an = analyzeScaling(synthetic(LAW, 0, 1, [1e18, 1e19], 2), { grid: COARSE_GRID, resamples: 10 });
    expect(an.law).toBeNull();
    expect(an.lawError).toMatch(/too few points .* 4 \(need at least 6\)/);
    expect(an.isoflop.nOpt).toBeNull();
    expect(an.isoflop.profiles.map((p) => p.verdict)).toEqual(["too-few-points", "too-few-points"]);
    expect(an.holdoutError).toMatch(/needs 3 or more budgets, got 2/);
    const status = Object.fromEntries(an.verdicts.map((v) => [v.id, v.status]));
    expect(status).toEqual({ frontier: "PASS", "interior-minima": "INCONCLUSIVE", "exponent-a": "INCONCLUSIVE", "alpha-beta": "INCONCLUSIVE", residuals: "INCONCLUSIVE", holdout: "INCONCLUSIVE" });
    const single = analyzeScaling(Array.from({ length: 8 }, (_, i) => ({ N: 1e6, D: 1e7 * (i + 1), loss: 3 - i * 0.01 })), { grid: COARSE_GRID, resamples: 0 });
    expect(single.lawError).toMatch(/N takes a single value/);
  });

  it("warns when a profile has no interior minimum", () => {
    const points = synthetic(LAW, 0).filter((p) => !(p.C === 1e21 && p.N > computeOptimal(LAW, 1e21).N * 0.9));
    const an = analyzeScaling(points, { grid: COARSE_GRID, resamples: 0 });
    const v = an.verdicts.find((x) => x.id === "interior-minima")!;
    expect(v.status).toBe("WARN");
    expect(v.detail).toMatch(/5 of 6 budgets with ≥ 3 model sizes have an interior minimum; C = 1\.0e\+21: the minimum .* outside the sizes tried/);
  });

  it("counts budgets with an interior minimum one way in the summary and the verdict, budgets with < 3 sizes named apart", () => {
    const two = synthetic(LAW, 0, 1, [1e17], 2); // a budget with only 2 sizes
    const an = analyzeScaling([...synthetic(LAW, 0), ...two], { grid: COARSE_GRID, resamples: 0 });
    const count = "6 of 6 budgets with ≥ 3 model sizes have an interior minimum (1 more budget has fewer than 3 sizes and cannot be judged)";
    expect(an.isoflop.message).toBe(count);
    expect(an.verdicts.find((x) => x.id === "interior-minima")!.detail).toBe(count);
  });
});

describe("the fits module", () => {
  it("imports nothing but its own files and node builtins (no trainer, no @kiln packages)", () => {
    const dir = new URL("../src/fit/", import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts") && !n.endsWith(".test.ts"))) { // tests beside the code may import vitest
      const specifiers = [...readFileSync(new URL(f, dir), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
      for (const s of specifiers) expect(s, `${f} imports ${s}`).toMatch(/^(\.\/[\w-]+\.js|node:\w+)$/);
    }
  });
});

describe("points CSV", () => {
  it("reads N, D, loss (any case, C optional, extra columns ignored) and names bad cells", () => {
    expect(parsePointsCsv("n,d,Loss,notes\n1e6,2e7,3.5,x\n")).toEqual([{ N: 1e6, D: 2e7, loss: 3.5 }]);
    expect(parsePointsCsv("N,D,C,loss\n1,2,12,3\n")[0]!.C).toBe(12);
    expect(() => parsePointsCsv("N,loss\n1,2\n", "p.csv")).toThrow(/p\.csv: the header must name columns N, D and loss .*missing D/);
    expect(() => parsePointsCsv("N,D,loss\n1,2,3\n1,x,3\n", "p.csv")).toThrow("p.csv:3: column D must be a positive number, got \"x\"");
    expect(() => parsePointsCsv("N,D,loss\n1,2,-3\n", "p.csv")).toThrow(/p\.csv:2: column loss/);
  });

  it("drops the k highest losses", () => {
    const pts = [3, 9, 1, 8, 2].map((loss) => ({ N: 1, D: 1, loss }));
    expect(dropHighestLoss(pts, 2).map((p) => p.loss)).toEqual([3, 1, 2]);
  });
});
