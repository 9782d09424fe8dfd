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
import { direction, pairedTTest, summarize, type PairedTest, type Summary } from "../stats/stats.js";

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
  published: (PublishedClaim & { outcome: string }) | null;
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
  /** Overrides of the base config applied to every variant (the spec's `set` and any `--set`). */
  set: Record<string, unknown>;
  /** The baseline variant's model and training shape. */
  setup: AblationSetup;
  /** What the final validation losses were measured on, and their standard errors over windows (min, median, max). */
  validation: { definition: string; stdErr: [number, number, number] } | null;
  /** Unigram and bigram losses on the validation split (fitted on the training split). */
  baselines: { unigram: number; bigram: number } | null;
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

/** The verdict on a paired test of loss differences; "no detectable difference at this budget" when the interval covers zero. */
export function verdictOf(test: PairedTest): string {
  switch (direction(test)) {
    case "unknown": return "one seed: no interval (needs ≥ 2 seeds)";
    case "none": return "no detectable difference at this budget";
    case "lower": return "better (lower loss)";
    case "higher": return "worse (higher loss)";
  }
}

/** Whether a published expectation held here. */
export function outcomeOf(expect: PublishedClaim["expect"], test: PairedTest): string {
  const d = direction(test);
  if (d === "unknown") return "untested (needs ≥ 2 seeds)";
  if (expect === "same") return d === "none" ? "consistent (no detectable difference)" : `not reproduced: the variant was ${d === "lower" ? "better" : "worse"} here`;
  if (d === "none") return "not reproduced at this budget (no detectable difference)";
  return (expect === "better") === (d === "lower") ? "reproduced" : `contradicted: the variant was ${d === "lower" ? "better" : "worse"} here`;
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
    let vsBaseline: PairedTest | null = null;
    if (v.name !== spec.baseline) {
      const paired = runs.filter((r) => baseRuns.some((b) => b.seed === r.seed));
      vsBaseline = pairedTTest(paired.map((r) => baseRuns.find((b) => b.seed === r.seed)!.finalValLoss), paired.map((r) => r.finalValLoss));
    }
    const first = runs[0];
    return {
      name: v.name, note: v.note, set: v.set, matched: v.matched,
      published: v.published && vsBaseline ? { ...v.published, outcome: outcomeOf(v.published.expect, vsBaseline) } : null,
      params: first?.params ?? v.params,
      nonEmbeddingParams: first?.nonEmbeddingParams ?? v.nonEmbeddingParams,
      flopsPerToken: first?.flopsPerToken ?? v.flopsPerToken,
      steps: v.steps, tokens: v.tokens, flops: v.flops,
      seeds: runs.map((r) => r.seed),
      finalValLoss: runs.map((r) => r.finalValLoss),
      loss: summarize(runs.map((r) => r.finalValLoss)),
      tokensPerSec: summarize(runs.map((r) => r.timing?.tokensPerSec ?? NaN)),
      vsBaseline,
      verdict: vsBaseline === null ? "baseline" : verdictOf(vsBaseline),
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
