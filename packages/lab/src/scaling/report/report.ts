/**
 * @file The written outputs of a scaling analysis: `fit.json` (everything),
 * `report.md` (verdicts, kiln's fit beside Chinchilla's and Epoch AI's, the
 * IsoFLOP table, a summary in the three verdict words — summary.ts) and the
 * SVG figures.
 */
import { join } from "node:path";
import { writeFileAtomic } from "@kiln/train";
import { type ScalingAnalysis } from "../../fit/index.js";
import { approachesSection } from "./approaches.js";
import { summarySentence } from "./summary.js";
import { curvesPlot, isoflopPlot, optimalPlot, predictedPlot, type Baselines, type RunCurve } from "./plots.js";

/** What a sweep adds to a report. */
export interface FitReportExtras {
  /** Report title (default "Scaling analysis"). */
  title?: string;
  /** Where the points came from, one line. */
  source?: string;
  /** Training curves (for `curves.svg`). */
  curves?: RunCurve[];
  /** Baselines drawn as reference lines on `curves.svg`. */
  baselines?: Baselines | null;
  /** Extra markdown sections appended to the report (each starting with a `##` heading). */
  sections?: string[];
}

const g = (v: number, digits = 3) => (Number.isFinite(v) ? (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 ? v.toExponential(digits - 1) : v.toPrecision(digits)) : "—");
const ci = (iv: [number, number] | null | undefined, digits = 3) => (iv ? `${g(iv[0], digits)} – ${g(iv[1], digits)}` : "—");

/** `report.md` for an analysis. */
export function fitReportMarkdown(an: ScalingAnalysis, extras: FitReportExtras = {}): string {
  const L: string[] = [`# ${extras.title ?? "Scaling analysis"}`, ""];
  if (extras.source) L.push(extras.source, "");
  L.push(
    `${an.points.length} runs fitted${an.dropped ? ` (${an.dropped} highest-loss points dropped)` : ""}. Approach 3: Huber δ = ${an.options.delta} on log-loss residuals, summed; L-BFGS from ${an.options.gridStarts.toLocaleString("en-US")} starts; ${an.options.resamples} bootstrap resamples (seed ${an.options.seed}). Budgets grouped within ${an.options.budgetTolerance * 100}%.`,
    "",
    "**Summary.** " + summarySentence(an),
    "",
    "## Verdicts",
    "",
    "| check | verdict | detail |",
    "|---|---|---|",
    ...an.verdicts.map((v) => `| ${v.title} | **${v.status}** | ${v.detail.replace(/\|/g, "\\|")} |`),
    "",
    "## Approach 3: L(N, D) = E + A/N^α + B/D^β",
    "",
  );
  const [chin, epoch] = an.references;
  const law = an.law;
  if (law === null) L.push(`No fit: ${an.lawError}.`, "");
  else {
    const b = law.bootstrap?.ci;
    const row = (name: string, k: "E" | "A" | "B" | "alpha" | "beta") => `| ${name} | ${g(law.law[k], 4)} | ${ci(b?.[k])} | ${chin ? g(chin.law[k], 4) : "—"} | ${epoch ? g(epoch.law[k], 4) : "—"} |`;
    L.push(
      `| | kiln | kiln 95% CI | ${chin?.name ?? ""} | ${epoch?.name ?? ""} |`,
      "|---|---|---|---|---|",
      row("E", "E"), row("A", "A"), row("B", "B"), row("α", "alpha"), row("β", "beta"),
      `| a = β/(α+β) | ${g(law.a)} | ${ci(b?.a)} | ≈ ${chin?.a ?? "—"} | ≈ ${epoch?.a ?? "—"} |`,
      `| b = α/(α+β) | ${g(law.b)} | ${ci(b?.b)} | | |`,
      "",
      `Log-residual RMSE ${law.logRmse.toFixed(4)}; summed Huber objective ${g(law.objective, 4)}; best start ended by "${law.reason}" after ${law.iterations} iterations (‖∇‖∞ = ${g(law.gradNorm, 2)}).${law.bootstrap?.failed ? ` ${law.bootstrap.failed} bootstrap resamples failed and were left out.` : ""}`,
      "",
      chin ? `Chinchilla: ${chin.note}. Epoch AI: ${epoch?.note ?? ""}.` : "",
      "",
    );
  }
  L.push("## Approach 2: IsoFLOP profiles", "", "| budget C | runs | N tried | verdict | N_opt | D_opt | loss at min | best observed |", "|---|---|---|---|---|---|---|---|");
  for (const p of an.isoflop.profiles) {
    const Ns = p.points.map((q) => q.N);
    L.push(`| ${g(p.C)} | ${p.points.length} | ${g(Math.min(...Ns))} – ${g(Math.max(...Ns))} | ${p.verdict} | ${p.nOpt ? g(p.nOpt) : "—"} | ${p.dOpt ? g(p.dOpt) : "—"} | ${p.lossOpt ? g(p.lossOpt, 4) : "—"} | ${g(p.bestLoss, 4)} |`);
  }
  L.push("");
  const { nOpt, dOpt } = an.isoflop;
  if (nOpt && dOpt) {
    L.push(
      `N_opt ∝ C^a with **a = ${nOpt.exponent.toFixed(3)}** (95% CI ${ci(nOpt.ci)}, regression SE ${g(nOpt.exponentSe, 2)}); D_opt ∝ C^b with **b = ${dOpt.exponent.toFixed(3)}** (95% CI ${ci(dOpt.ci)}), over ${nOpt.budgets} budgets. Chinchilla's Approach 2 found a = 0.49, b = 0.51; Kaplan et al. 2020 a = 0.73.`,
      "",
    );
  } else L.push(`No power law: ${an.isoflop.message}.`, "");
  L.push(...approachesSection(an), "");
  L.push("## Holdout", "", an.holdout
    ? `Refitting Approach 3 without the largest budget (C = ${g(an.holdout.C)}) predicts its best loss as ${an.holdout.predicted.toFixed(4)}; observed ${an.holdout.observed.toFixed(4)} (${(an.holdout.relError * 100).toFixed(2)}% off).`
    : `Not possible: ${an.holdoutError}.`, "");
  L.push("## Figures", "", "![IsoFLOP profiles](isoflop.svg)", "", "![Compute-optimal N and D](optimal.svg)", "", "![Predicted vs observed](predicted.svg)", "");
  if (extras.curves?.length) L.push("![Loss against tokens](curves.svg)", "");
  for (const s of extras.sections ?? []) L.push(s.trimEnd(), "");
  return `${L.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/** Writes `fit.json`, `report.md` and the SVG figures into `dir` (each file atomically); returns the paths. */
export function writeFitReport(dir: string, an: ScalingAnalysis, extras: FitReportExtras = {}): string[] {
  const files: [string, string][] = [
    ["fit.json", `${JSON.stringify(an, null, 2)}\n`],
    ["isoflop.svg", isoflopPlot(an)],
    ["optimal.svg", optimalPlot(an)],
    ["predicted.svg", predictedPlot(an)],
  ];
  if (extras.curves?.length) files.push(["curves.svg", curvesPlot(extras.curves, extras.baselines)]);
  files.push(["report.md", fitReportMarkdown(an, extras)]);
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileAtomic(path, text);
    return path;
  });
}
