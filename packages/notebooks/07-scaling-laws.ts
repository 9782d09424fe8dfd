/**
 * @file Lesson 7 — scaling laws: C ≈ 6·N·D, the two Chinchilla fits
 * (IsoFLOP parabolas and L(N, D) = E + A/N^α + B/D^β) checked first on a
 * known law, then a miniature sweep on SOTU fitted with @kiln/lab's scaling module.
 * Run: `npx tsx packages/notebooks/07-scaling-laws.ts`.
 */
import { Llama } from "@kiln/nn";
import { Generator } from "@kiln/tensor";
import { COARSE_GRID, REFERENCE_FITS, analyzeScaling, computeOptimal, fitIsoflop, fitLossLaw, predictLoss, writeFitReport, type IsoflopFit, type ScalingPoint } from "@kiln/lab";
import { Progress, Trainer, parseTrainConfig, prepareData } from "@kiln/train";
import { join } from "node:path";
import { asciiChart } from "./lib/ascii-chart.js";
import { byMode, lesson, seconds, sig } from "./lib/notebook.js";

const L = lesson("07-scaling-laws", "Lesson 7 · Scaling laws: a miniature sweep and a Chinchilla fit", { hasFullMode: true });
const outDir = join(process.env.KILN_NOTEBOOK_OUT ?? join(".cache", "notebooks"), "07-scaling-laws");

// Question: with a fixed compute budget C, how big a model (N parameters) should you train,
// on how many tokens (D)? Training costs about 6 FLOPs per parameter per token (2 forward,
// 4 backward), so C ≈ 6·N·D: a bigger model sees fewer tokens. Hoffmann et al. 2022
// ("Chinchilla") answered with two fits that both say N_opt ∝ C^0.5 — about 20 tokens per parameter.

L.cell("C ≈ 6·N·D, checked on a real model");
const ladder = [
  { name: "d6L1", hidden: 6, layers: 1, heads: 1, lr: 1e-2 },
  { name: "d8L1", hidden: 8, layers: 1, heads: 1, lr: 1e-2 },
  { name: "d12L1", hidden: 12, layers: 1, heads: 1, lr: 1e-2 },
  { name: "d16L1", hidden: 16, layers: 1, heads: 2, lr: 1e-2 },
  { name: "d24L1", hidden: 24, layers: 1, heads: 2, lr: 8e-3 },
  { name: "d32L1", hidden: 32, layers: 1, heads: 2, lr: 8e-3 },
].map((r) => {
  const m = new Llama({ vocab_size: 512, hidden_size: r.hidden, num_hidden_layers: r.layers, num_attention_heads: r.heads, tie_word_embeddings: true, max_position_embeddings: 32 }, { generator: new Generator(0) });
  return { ...r, N: m.numParameters(), flops: m.flopsPerToken(32) };
});
// flopsPerToken adds attention's T-dependent term (PaLM App. B); at these sizes 6·N is close.
for (const r of ladder) console.log(`${r.name.padEnd(6)} N = ${String(r.N).padStart(6)} parameters, training FLOPs/token ${r.flops.toLocaleString("en-US")} vs 6·N = ${(6 * r.N).toLocaleString("en-US")}`);

L.cell("The fits, on a law we know the answer to");
// Before trusting a fit on noisy runs, feed it points made from Chinchilla's own published law
// (with 1% noise) and see whether it gives the law back. Five sizes around each of four budgets.
const truth = REFERENCE_FITS[0]!.law;
const noise = new Generator(7);
const synthetic: ScalingPoint[] = [];
for (const C of [1e18, 1e19, 1e20, 1e21]) {
  const nMid = computeOptimal(truth, C).N;
  for (const f of [1 / 4, 1 / 2, 1, 2, 4]) {
    const N = nMid * f;
    const D = C / (6 * N);
    synthetic.push({ N, D, loss: predictLoss(truth, N, D) * Math.exp(0.01 * (noise.random() * 2 - 1)) });
  }
}
const synthLaw = fitLossLaw(synthetic, { grid: COARSE_GRID });
const synthIso = fitIsoflop(synthetic, { resamples: byMode({ fast: 50, default: 200 }) });
const show = (l: { E: number; A: number; B: number; alpha: number; beta: number }) => `E ${l.E.toFixed(2)}, A ${sig(l.A)}, B ${sig(l.B)}, α ${l.alpha.toFixed(3)}, β ${l.beta.toFixed(3)}`;
console.log(`true law:    ${show(truth)}  → a = β/(α+β) = ${(truth.beta / (truth.alpha + truth.beta)).toFixed(3)}`);
console.log(`fitted law:  ${show(synthLaw.law)}  → a = ${synthLaw.a.toFixed(3)} (${synthLaw.starts} L-BFGS starts, log-RMSE ${synthLaw.logRmse.toFixed(4)})`);
console.log(`IsoFLOP (Approach 2): N_opt ∝ C^${fmtExp(synthIso, "nOpt")}, D_opt ∝ C^${fmtExp(synthIso, "dOpt")}`);
for (const C of [1e22, 1e24]) {
  const [t, f] = [computeOptimal(truth, C), computeOptimal(synthLaw.law, C)];
  console.log(`at C = ${C.toExponential(0)}: true N_opt ${sig(t.N)}, fitted ${sig(f.N)} (${Math.abs((f.N / t.N - 1) * 100).toFixed(0)}% ${f.N < t.N ? "low" : "high"}, ${Math.round(Math.log10(C / 1e21))} decade(s) beyond the largest budget fitted)`);
}
// A little noise moves A, B, α, β a lot (they trade off against each other), while the loss surface
// and the exponent a stay put; extrapolating far beyond the sweep multiplies any error.

L.cell("A miniature sweep on SOTU");
// Each budget C trains three neighbouring sizes, each for D = C / (6N) tokens, with a cosine
// schedule spanning exactly its own steps (Chinchilla's point against Kaplan et al., whose runs shared
// one schedule length and so undertrained the short ones). The window of sizes shifts up one rung per
// budget, because the optimum N grows with C.
const T = 32;
const batch = 4; // small batches: these models need many steps to get off the unigram plateau
const budgets = byMode({ fast: [2e8, 6e8], default: [5e9, 1e10, 2e10], full: [5e9, 1e10, 2e10, 4e10] });
const plan = budgets.flatMap((C, i) => ladder.slice(i, i + 3).map((r) => {
  const steps = Math.max(10, Math.round(C / (6 * r.N) / (batch * T)));
  return { C, rung: r, steps, D: steps * batch * T };
}));
console.log(`${plan.length} runs, ${plan.reduce((s, p) => s + p.D, 0).toLocaleString("en-US")} training tokens in all (batch ${batch} × ${T} tokens)`);
const configOf = (p: (typeof plan)[number]) => parseTrainConfig({
  name: `C${p.C.toExponential(0)}-${p.rung.name}`,
  model: { hidden_size: p.rung.hidden, num_hidden_layers: p.rung.layers, num_attention_heads: p.rung.heads, tie_word_embeddings: true },
  data: { vocabSize: 512, contextLength: T },
  optim: { lr: p.rung.lr, warmupSteps: Math.max(1, Math.round(0.05 * p.steps)), beta2: 0.99 },
  train: { steps: p.steps, batchSize: batch, evalInterval: p.steps, evalBatches: byMode({ fast: 8, default: 64 }), checkpointInterval: 0, logInterval: p.steps },
  sample: { prompts: [] },
});
const data = prepareData(configOf(plan[0]!)); // every run shares the tokenizer and token cache
const quiet = { log: () => {}, progress: new Progress({ write: () => true, isTTY: false }) };
const points: ScalingPoint[] = [];
console.log("       C   model        N        D   steps   val loss   time");
for (const p of plan) {
  const result = await Trainer.create(configOf(p), join(outDir, "runs", configOf(p).name), quiet, data, { overwrite: true }).run();
  const loss = result.finalValLoss!;
  points.push({ N: p.rung.N, D: p.D, loss, C: p.C });
  console.log(`${p.C.toExponential(0).padStart(8)}   ${p.rung.name.padEnd(6)} ${String(p.rung.N).padStart(6)} ${String(p.D).padStart(8)} ${String(p.steps).padStart(7)}   ${loss.toFixed(4).padStart(8)}   ${seconds(result.elapsed * 1000)}`);
}

L.cell("Approach 2: IsoFLOP profiles");
// At each budget, fit loss = c₀ + c₁·ln N + c₂·(ln N)² through its runs; the vertex is that budget's N_opt.
const iso = fitIsoflop(points, { resamples: byMode({ fast: 50, default: 200 }) });
console.log(asciiChart(iso.profiles.map((pr) => ({ name: `C = ${pr.C.toExponential(0)}`, points: pr.points.map((q) => [q.N, q.loss] as [number, number]) })), { logX: true, xLabel: "parameters N", yLabel: "validation loss", height: 12 }));
for (const pr of iso.profiles) {
  const where = pr.nOpt === null ? `no N_opt: ${pr.message}` : `N_opt ≈ ${sig(pr.nOpt)} params on ≈ ${sig(pr.dOpt!)} tokens (${(pr.dOpt! / pr.nOpt).toFixed(1)} tokens/param), loss ${pr.lossOpt!.toFixed(3)}`;
  console.log(`C = ${pr.C.toExponential(1)}: best run N = ${pr.bestN} (loss ${pr.bestLoss.toFixed(3)}); ${where}`);
}
console.log(iso.nOpt ? `N_opt ∝ C^${fmtExp(iso, "nOpt")} and D_opt ∝ C^${fmtExp(iso, "dOpt")} (Chinchilla: both ≈ 0.5)` : `no power law: ${iso.message}`);

L.cell("Approach 3: fit L(N, D) = E + A/N^α + B/D^β");
try {
  const fit = fitLossLaw(points, { grid: COARSE_GRID });
  console.log(`fitted: ${show(fit.law)}; log-RMSE ${fit.logRmse.toFixed(4)} over ${points.length} runs`);
  console.log(`→ N_opt ∝ C^${fit.a.toFixed(2)}, D_opt ∝ C^${fit.b.toFixed(2)} (Chinchilla's printed law: ${(truth.beta / (truth.alpha + truth.beta)).toFixed(2)} and ${(truth.alpha / (truth.alpha + truth.beta)).toFixed(2)})`);
  const worst = points.reduce((m, q) => Math.max(m, Math.abs(predictLoss(fit.law, q.N, q.D) / q.loss - 1)), 0);
  console.log(`largest |predicted/observed − 1| over the runs: ${(worst * 100).toFixed(2)}%`);
  const Cbig = budgets[budgets.length - 1]! * 10;
  const opt = computeOptimal(fit.law, Cbig);
  console.log(`its advice for a 10× larger budget (C = ${Cbig.toExponential(0)}): N ≈ ${sig(opt.N)} on D ≈ ${sig(opt.D)} tokens, loss ≈ ${opt.loss.toFixed(3)}`);
} catch (e) {
  console.log(`the fit could not run: ${(e as Error).message}`);
}
// With a handful of tiny, short runs these numbers are rough: small models are dominated by the
// embedding table and by optimisation noise. The shape — a U at each budget whose bottom moves
// right as C grows — is the lesson; `npx kiln scaling --preset quick` runs a real sweep (~5–10 min).

L.cell("The full analysis and report");
// analyzeScaling bundles both approaches with bootstrap intervals, a holdout check and verdicts;
// writeFitReport renders fit.json, report.md and the IsoFLOP / optimum / predicted-loss SVGs.
const analysis = analyzeScaling(points, { grid: COARSE_GRID, resamples: byMode({ fast: 20, default: 100 }) });
for (const v of analysis.verdicts) console.log(`[${v.status}] ${v.title}: ${v.detail}`);
const files = writeFitReport(join(outDir, "report"), analysis);
console.log(`(wrote ${files.length} files to ${join(outDir, "report")}: ${files.map((f) => f.split("/").pop()).join(", ")})`);

L.done();

function fmtExp(fit: IsoflopFit, which: "nOpt" | "dOpt"): string {
  const law = fit[which];
  if (law === null) return "?";
  return `${law.exponent.toFixed(2)}${law.ci ? ` (95% CI ${law.ci[0].toFixed(2)}–${law.ci[1].toFixed(2)})` : ""}`;
}
