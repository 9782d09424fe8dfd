/**
 * @file What an ablation found: per-variant final validation loss over
 * seeds, the paired difference to the baseline with its 95% interval and an
 * honest verdict, throughput, parameter counts and the mean validation
 * curves. Built from finished runs into `ablation.json`, then rendered to
 * `report.md` (report-md.ts) and SVG figures.
 */
import { cpus } from "node:os";
import { modelConfigFor, type TrainConfig } from "@kiln/train";
import type { RunTiming } from "../queue/plan-dir.js";
import type { AblationPlan, ParamMatch } from "./plan.js";
import type { PublishedClaim } from "./spec.js";
import type { PowerPlan } from "./pilot.js";
import type { LrCurves } from "./lr-sweep.js";
import { direction, pairedTTest, summarize, type PairedTest, type Summary } from "../stats/stats.js";
import { halfWidthOf, inconclusiveLabel, judgeClaim, type VerdictWord } from "./verdict.js";

/** The format tag of `ablation.json`. */
export const ABLATION_FORMAT = "kiln.ablation/1";

/** One finished run, as saved in its `result.json`: only what training determines (its timing.json says how long it took). */
export interface RunResult {
  variant: string;
  seed: number;
  config: TrainConfig;
  finalValLoss: number;
  params: number;
  nonEmbeddingParams: number;
  flopsPerToken: number;
  steps: number;
  tokens: number;
  /** Validation loss at every evaluation. */
  curve: { step: number; tokens: number; valLoss: number }[];
  /** Standard error of `finalValLoss` over its validation windows (absent in results written before it was recorded). */
  valStdErr?: number;
  /** What `finalValLoss` was measured on, in words. */
  validation?: string;
  /** Unigram and bigram losses on the validation split, fitted on the training split. */
  baselines?: { unigram: number; bigram: number };
}

/** A variant's results. */
export interface VariantReport {
  name: string;
  note: string;
  set: Record<string, unknown>;
  matched: ParamMatch | null;
  /** The published claim judged on this study's interval: `outcome` is the table's words, `explanation` one line saying why. */
  published: (PublishedClaim & { outcome: string; verdict: VerdictWord; explanation: string }) | null;
  params: number;
  nonEmbeddingParams: number;
  flopsPerToken: number;
  steps: number;
  tokens: number;
  flops: number;
  /** Seeds with a finished run, and their final validation losses (same order). */
  seeds: number[];
  finalValLoss: number[];
  loss: Summary;
  tokensPerSec: Summary;
  /** Paired t-test of this variant − the baseline over the seeds both finished (null for the baseline). */
  vsBaseline: PairedTest | null;
  verdict: string;
  /** Mean and standard deviation over seeds of the validation loss at each evaluation. */
  curve: { step: number[]; tokens: number[]; mean: number[]; sd: number[] };
}

/** The whole ablation, as written to `ablation.json`. */
export interface AblationReport {
  format: typeof ABLATION_FORMAT;
  name: string;
  description: string;
  baseline: string;
  baseSource: string;
  seeds: number[];
  budget: { tokens: number } | { steps: number };
  equal: "tokens" | "flops";
  runsDone: number;
  runsPlanned: number;
  /** Sum of the runs' wall-clock seconds (from their timing.json). */
  trainingSeconds: number;
  machine: { cpus: number; cpuModel: string; node: string };
  generated: string;
  warnings: string[];
  /** Overrides of the base config applied to every variant (the spec's `set` and any `--set`); absent in reports of older kilns. */
  set?: Record<string, unknown>;
  /** The baseline variant's model and training shape; absent in reports of older kilns. */
  setup?: AblationSetup;
  /** What the final validation losses were measured on, and their standard errors over windows (min, median, max). */
  validation?: { definition: string; stdErr: [number, number, number] } | null;
  /** Unigram and bigram losses on the validation split (fitted on the training split). */
  baselines?: { unigram: number; bigram: number } | null;
  /** The half-width planned from a pilot before the full study (absent without a pilot). */
  power?: PowerPlan | null;
  /** Final loss against peak learning rate per variant, when the ablation swept it (absent otherwise). */
  lrSweep?: LrCurves | null;
  variants: VariantReport[];
}

/** The baseline's model and training shape, as the report states it. */
export interface AblationSetup {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
  context: number;
  batchSize: number;
  gradAccum: number;
  steps: number;
  lr: number;
  warmupSteps: number;
  schedule: string;
  evalInterval: number;
}

function setupOf(c: TrainConfig, steps: number): AblationSetup {
  const m = modelConfigFor(c, c.data.tokenizer === "byte" ? 257 : c.data.vocabSize);
  return {
    hidden: m.hidden_size, layers: m.num_hidden_layers, heads: m.num_attention_heads, kvHeads: m.num_key_value_heads, intermediate: m.intermediate_size,
    vocab: m.vocab_size, context: c.data.contextLength, batchSize: c.train.batchSize, gradAccum: c.train.gradAccum, steps,
    lr: c.optim.lr, warmupSteps: c.optim.warmupSteps, schedule: c.optim.schedule, evalInterval: c.train.evalInterval,
  };
}

function validationOf(results: RunResult[]): AblationReport["validation"] {
  const se = results.map((r) => r.valStdErr).filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  const definition = results.find((r) => r.validation)?.validation;
  return definition && se.length > 0 ? { definition, stdErr: [se[0]!, se[se.length >> 1]!, se.at(-1)!] } : null;
}

/**
 * The verdict on a paired test of loss differences with no published claim
 * behind it: better or worse when the interval excludes zero, else
 * "inconclusive at this budget (±h)" with the interval's half-width.
 */
export function verdictOf(test: PairedTest): string {
  switch (direction(test)) {
    case "unknown": return inconclusiveLabel(NaN);
    case "none": return inconclusiveLabel(halfWidthOf(test.ci));
    case "lower": return "better (lower loss)";
    case "higher": return "worse (higher loss)";
  }
}

/** A published claim judged on a paired test: reproduced, contradicted or inconclusive at this budget (see {@link judgeClaim}). */
export function judgePublished(published: PublishedClaim, test: PairedTest): NonNullable<VariantReport["published"]> {
  const j = judgeClaim(test.meanDiff, test.ci, published.expect);
  return { ...published, outcome: j.label, verdict: j.verdict, explanation: j.explanation };
}

/** The paired test, verdict and judged claim of a variant against the baseline's final losses by seed. */
export function compareWithBaseline(
  base: { seeds: readonly number[]; finalValLoss: readonly number[] },
  v: { seeds: readonly number[]; finalValLoss: readonly number[]; published: PublishedClaim | null },
): Pick<VariantReport, "vsBaseline" | "verdict" | "published"> {
  const pairs = v.seeds.flatMap((seed, i) => {
    const j = base.seeds.indexOf(seed);
    return j < 0 ? [] : [[base.finalValLoss[j]!, v.finalValLoss[i]!] as const];
  });
  const test = pairedTTest(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  return { vsBaseline: test, verdict: verdictOf(test), published: v.published ? judgePublished(v.published, test) : null };
}

/**
 * The report with every comparison judged again from its per-seed final
 * losses — how a report written by an older kiln gets today's verdict words
 * (`kiln ablate report DIR`). Only derived fields change.
 */
export function rejudgeAblationReport(r: AblationReport): AblationReport {
  const base = r.variants.find((v) => v.name === r.baseline);
  if (!base) throw new Error(`ablation report "${r.name}": its baseline "${r.baseline}" is not among its variants`);
  return { ...r, variants: r.variants.map((v) => (v === base ? v : { ...v, ...compareWithBaseline(base, { ...v, published: v.published && { claim: v.published.claim, source: v.published.source, expect: v.published.expect } }) })) };
}

/** Mean curve over the evaluation steps every seed reached. */
function meanCurve(results: RunResult[]): VariantReport["curve"] {
  const out: VariantReport["curve"] = { step: [], tokens: [], mean: [], sd: [] };
  const first = results[0];
  if (!first) return out;
  for (const point of first.curve) {
    const ys = results.map((r) => r.curve.find((p) => p.step === point.step)?.valLoss);
    if (ys.some((y) => y === undefined)) continue;
    const s = summarize(ys as number[]);
    out.step.push(point.step);
    out.tokens.push(point.tokens);
    out.mean.push(s.mean);
    out.sd.push(s.sd);
  }
  return out;
}

/** A finished run's result with its timing (absent when not recorded). */
export type TimedResult = RunResult & { timing?: RunTiming };

/** Builds the report of `plan` from the finished runs in `results`. */
export function buildAblationReport(plan: AblationPlan, results: TimedResult[]): AblationReport {
  const spec = plan.spec;
  const byVariant = (name: string) => plan.seeds.map((seed) => results.find((r) => r.variant === name && r.seed === seed)).filter((r): r is TimedResult => r !== undefined);
  const baseRuns = byVariant(spec.baseline);
  const baseVariant = plan.variants.find((v) => v.name === spec.baseline)!;
  const variants = plan.variants.map((v): VariantReport => {
    const runs = byVariant(v.name);
    const mine = { seeds: runs.map((r) => r.seed), finalValLoss: runs.map((r) => r.finalValLoss), published: v.published };
    const judged = v.name === spec.baseline
      ? { vsBaseline: null, verdict: "baseline", published: null }
      : compareWithBaseline({ seeds: baseRuns.map((r) => r.seed), finalValLoss: baseRuns.map((r) => r.finalValLoss) }, mine);
    const first = runs[0];
    return {
      name: v.name, note: v.note, set: v.set, matched: v.matched,
      ...judged,
      params: first?.params ?? v.params,
      nonEmbeddingParams: first?.nonEmbeddingParams ?? v.nonEmbeddingParams,
      flopsPerToken: first?.flopsPerToken ?? v.flopsPerToken,
      steps: v.steps, tokens: v.tokens, flops: v.flops,
      seeds: mine.seeds,
      finalValLoss: mine.finalValLoss,
      loss: summarize(runs.map((r) => r.finalValLoss)),
      tokensPerSec: summarize(runs.map((r) => r.timing?.tokensPerSec ?? NaN)),
      curve: meanCurve(runs),
    };
  });
  const cpu = cpus();
  return {
    format: ABLATION_FORMAT, name: spec.name, description: spec.description, baseline: spec.baseline, baseSource: spec.baseSource,
    seeds: plan.seeds, budget: spec.budget, equal: spec.equal,
    runsDone: results.length, runsPlanned: plan.runs.length,
    trainingSeconds: results.reduce((s, r) => s + (r.timing?.seconds ?? 0), 0),
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? "unknown", node: process.version },
    generated: new Date().toISOString().slice(0, 10),
    warnings: plan.warnings, set: spec.set, setup: setupOf(baseVariant.config, baseVariant.steps),
    validation: validationOf(results), baselines: results.find((r) => r.baselines)?.baselines ?? null, variants,
  };
}
