/**
 * @file The report's figures as SVG: IsoFLOP profiles with their parabolas
 * and minima, N_opt and D_opt against compute with reference slopes, loss
 * against tokens for every run, and predicted against observed loss.
 */
import { plotSvg, rampColor, type ReferenceLine, type SeriesSpec } from "../../plot/svg.js";
import { computeOptimal, KAPLAN_A, predictLoss, type ScalingAnalysis } from "../../fit/index.js";

/** One run's training curve for the loss-vs-tokens figure. */
export interface RunCurve {
  /** Legend label, e.g. the model-size name. */
  label: string;
  N: number;
  C: number;
  /** (tokens, loss) along the run. */
  points: [number, number][];
  /** The final (validation) loss, marked at the end. */
  final: [number, number] | null;
}

const sci = (v: number) => v.toExponential(1).replace("e+", "e");
const budgetColor = (i: number, n: number) => rampColor(n <= 1 ? 0.15 : 0.05 + (0.8 * i) / (n - 1));
const logSpace = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (n - 1)));

/** Most budgets listed in the legend; with more, each budget is labelled directly at its largest size. */
const LEGEND_BUDGETS = 12;

/**
 * Loss against N per budget (smallest budget first, sequential colours):
 * observed runs, the fitted parabola and its minimum where it has an interior
 * one (a budget without one is drawn as points only, and its label says so),
 * and the Approach 3 law along the same budget.
 */
export function isoflopPlot(an: ScalingAnalysis): string {
  const profiles = an.isoflop.profiles.filter((p) => p.points.length >= 2);
  const direct = profiles.length > LEGEND_BUDGETS;
  const series: SeriesSpec[] = [];
  profiles.forEach((p, i) => {
    const color = budgetColor(i, profiles.length);
    const Ns = p.points.map((q) => q.N);
    const name = `C = ${sci(p.C)}${p.verdict === "ok" ? "" : " (no interior minimum: points only)"}`;
    const byN = [...p.points].sort((a, b) => a.N - b.N);
    series.push({ name: direct ? undefined : name, label: direct ? `${sci(p.C)}${p.verdict === "ok" ? "" : " (points only)"}` : undefined, color, line: false, marker: "circle", points: byN.map((q) => [q.N, q.loss]) });
    const grid = logSpace(Math.min(...Ns) / 1.25, Math.max(...Ns) * 1.25, 40);
    if (p.verdict === "ok" && p.parabola) {
      const { c0, c1, c2 } = p.parabola;
      series.push({ color, points: grid.map((n) => [n, c0 + c1 * Math.log(n) + c2 * Math.log(n) ** 2]) });
    }
    if (an.law) series.push({ color, dash: "2 3", lineWidth: 1.2, points: grid.map((n) => [n, predictLoss(an.law!.law, n, p.C / (6 * n))]) });
    if (p.nOpt !== null && p.lossOpt !== null) series.push({ color, line: false, marker: "diamond", markerSize: 5, markerFill: "white", points: [[p.nOpt, p.lossOpt]] });
  });
  if (an.law) series.push({ name: "Approach 3 law", color: "#666", dash: "2 3", lineWidth: 1.2, points: [] });
  series.push({ name: "parabola minimum", color: "#333", line: false, marker: "diamond", markerSize: 5, markerFill: "white", points: [] });
  const without = profiles.filter((p) => p.verdict !== "ok").length;
  const title = `IsoFLOP profiles (Approach 2)${without ? `; ${without} of ${profiles.length} budgets without an interior minimum: points only` : ""}`;
  return plotSvg({ title, x: { label: "parameters N", log: true }, y: { label: "loss (nats/token)" }, series, ...(direct ? { width: 900 } : {}) });
}

/** N_opt and D_opt against C: the IsoFLOP minima, their power laws, the Approach 3 optimum, and slopes 0.5 and Kaplan's 0.73. */
export function optimalPlot(an: ScalingAnalysis): string {
  const ok = an.isoflop.profiles.filter((p) => p.nOpt !== null);
  const allC = an.isoflop.profiles.map((p) => p.C);
  const series: SeriesSpec[] = [];
  if (allC.length === 0) return plotSvg({ title: "Compute-optimal N and D", x: { label: "compute C (FLOPs)", log: true }, y: { label: "N_opt, D_opt", log: true }, series });
  const Cs = logSpace(Math.min(...allC) / 1.5, Math.max(...allC) * 1.5, 30);
  const colors = { N: "#4e79a7", D: "#f28e2b" };
  for (const which of ["N", "D"] as const) {
    const law = which === "N" ? an.isoflop.nOpt : an.isoflop.dOpt;
    const pts = ok.map((p) => [p.C, which === "N" ? p.nOpt! : p.dOpt!] as [number, number]);
    series.push({ name: `${which}_opt (IsoFLOP minima)`, color: colors[which], line: false, marker: which === "N" ? "circle" : "square", points: pts });
    if (law) series.push({ name: `${which}_opt ∝ C^${law.exponent.toFixed(2)} (Approach 2)`, color: colors[which], points: Cs.map((c) => [c, law.coefficient * c ** law.exponent]) });
    if (an.law) series.push({ name: `${which}_opt from the law (Approach 3)`, color: colors[which], dash: "6 4", points: Cs.map((c) => [c, computeOptimal(an.law!.law, c)[which]]) });
    // reference slopes through the geometric middle of the observed optima (or of the law's line)
    const anchor = pts.length > 0 ? pts : an.law ? [[Math.sqrt(Cs[0]! * Cs[Cs.length - 1]!), computeOptimal(an.law.law, Math.sqrt(Cs[0]! * Cs[Cs.length - 1]!))[which]] as [number, number]] : [];
    if (anchor.length === 0) continue;
    const lc = anchor.reduce((s, p) => s + Math.log(p[0]), 0) / anchor.length;
    const ly = anchor.reduce((s, p) => s + Math.log(p[1]), 0) / anchor.length;
    for (const [slope, dash, who] of [[0.5, "1 3", "Chinchilla"], [KAPLAN_A, "8 3 1 3", "Kaplan"]] as const) {
      const s = which === "N" ? slope : 1 - slope;
      series.push({ name: which === "N" ? `slope ${slope} (${who}; ${1 - slope} for D)` : undefined, color: "#888", dash, lineWidth: 1.2, points: Cs.map((c) => [c, Math.exp(ly + s * (Math.log(c) - lc))]) });
    }
  }
  return plotSvg({ title: "Compute-optimal model size and tokens", x: { label: "compute C = 6·N·D (FLOPs)", log: true }, y: { label: "N_opt (parameters), D_opt (tokens)", log: true }, series, width: 820 });
}

/** The n-gram baselines a loss plot marks as reference lines (nats/token, on the validation text). */
export interface Baselines {
  unigram: number;
  bigram: number;
}

/** Dashed reference lines for the unigram and bigram baselines. */
export function baselineLines(b: Baselines | null | undefined): ReferenceLine[] {
  if (!b) return [];
  return [
    { y: b.unigram, label: `unigram baseline ${b.unigram.toFixed(3)}`, color: "#b03a2e" },
    { y: b.bigram, label: `bigram baseline ${b.bigram.toFixed(3)}`, color: "#7d3c98" },
  ];
}

/** Loss against tokens for every run, coloured by model size on a sequential scale (legend smallest first), with the n-gram baselines. */
export function curvesPlot(curves: readonly RunCurve[], baselines?: Baselines | null): string {
  const sizes = [...new Set(curves.map((c) => c.N))].sort((a, b) => a - b);
  const sorted = [...curves].sort((a, b) => a.N - b.N || a.C - b.C);
  const named = new Set<number>();
  const series: SeriesSpec[] = sorted.map((c) => {
    const color = rampColor(sizes.length <= 1 ? 0.2 : (0.85 * sizes.indexOf(c.N)) / (sizes.length - 1));
    const first = !named.has(c.N);
    named.add(c.N);
    return { name: first ? c.label : undefined, color, lineWidth: 1.2, points: c.points };
  });
  sorted.forEach((c) => {
    if (c.final) series.push({ color: "#222", line: false, marker: "circle", markerSize: 2.5, points: [c.final] });
  });
  return plotSvg({ title: "Training loss (smoothed) against tokens; dots: final validation loss", x: { label: "tokens D", log: true }, y: { label: "loss (nats/token)", log: true }, series, references: baselineLines(baselines) });
}

/** Approach 3's predicted loss against the observed one, coloured by budget, with y = x. */
export function predictedPlot(an: ScalingAnalysis): string {
  const series: SeriesSpec[] = [];
  if (an.law !== null) {
    const profiles = an.isoflop.profiles;
    profiles.forEach((p, i) => {
      series.push({ name: profiles.length <= 12 ? `C = ${sci(p.C)}` : undefined, color: budgetColor(i, profiles.length), line: false, marker: "circle", points: p.points.map((q) => [q.loss, predictLoss(an.law!.law, q.N, q.D)]) });
    });
    const ls = an.points.map((q) => q.loss);
    series.push({ name: "y = x", color: "#888", dash: "4 3", points: [[Math.min(...ls), Math.min(...ls)], [Math.max(...ls), Math.max(...ls)]] });
  }
  return plotSvg({ title: `Approach 3: predicted vs observed loss${an.law ? ` (log RMSE ${an.law.logRmse.toFixed(4)})` : " (no fit)"}`, x: { label: "observed loss" }, y: { label: "predicted loss" }, series });
}
