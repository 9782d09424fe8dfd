/**
 * @file Turns an ablation spec into runs: each variant's config (base +
 * overrides, validated before anything trains), parameter matching through
 * `model.intermediate_size` (Shazeer 2020 sized the GLU variants' hidden
 * layer this way), the budget in steps (equal tokens or equal FLOPs), and
 * the variant × seed grid with paired seeds.
 */
import { Llama } from "@kiln/nn";
import { Generator } from "@kiln/tensor";
import { ConfigError, applyOverride } from "@kiln/train";
import { modelConfigFor, parseTrainConfig, type TrainConfig } from "@kiln/train";
import { RESERVED_KEYS, type AblationSpec, type MatchMode, type VariantSpec } from "./spec.js";

/** How a variant's parameter count was matched to the baseline's. */
export interface ParamMatch {
  mode: MatchMode;
  /** The config field that was sized. */
  knob: "model.intermediate_size";
  value: number;
  /** The baseline's count. */
  target: number;
  /** The variant's count at `value`. */
  count: number;
  /** `count − target` (the closest an integer knob gets). */
  residual: number;
}

/** A variant with everything resolved. */
export interface PlannedVariant extends VariantSpec {
  /** The variant's config for its first seed (runs differ only in `train.seed`). */
  config: TrainConfig;
  params: number;
  nonEmbeddingParams: number;
  /** Training FLOPs per token (`Llama.flopsPerToken` at the context length). */
  flopsPerToken: number;
  matched: ParamMatch | null;
  steps: number;
  tokensPerStep: number;
  tokens: number;
  flops: number;
}

/** One training run of the grid. */
export interface AblationRun {
  variant: string;
  seed: number;
  /** The run's id in the plan directory (`<variant>.seed-<seed>`): it trains in `runs/<id>/`. */
  id: string;
  config: TrainConfig;
}

/** The resolved ablation. */
export interface AblationPlan {
  spec: AblationSpec;
  seeds: number[];
  variants: PlannedVariant[];
  /** Seed-major (every variant of seed 1, then of seed 2, …), so an interrupted ablation holds complete pairs. */
  runs: AblationRun[];
  /** Caveats worth printing and reporting (e.g. a variant that changes the data order). */
  warnings: string[];
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function applyAll(raw: Record<string, unknown>, set: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(set)) applyOverride(raw, `${key}=${JSON.stringify(value)}`);
}

const countCache = new Map<string, { params: number; nonEmbeddingParams: number; flopsPerToken: number }>();

/** Parameter counts and FLOPs/token of a config's model (built once per distinct model, on a throwaway generator). */
export function modelCounts(config: TrainConfig): { params: number; nonEmbeddingParams: number; flopsPerToken: number } {
  const vocab = config.data.tokenizer === "byte" ? 257 : config.data.vocabSize;
  const modelConfig = modelConfigFor(config, vocab);
  const key = JSON.stringify(modelConfig);
  const hit = countCache.get(key);
  if (hit) return hit;
  const model = new Llama(modelConfig, { generator: new Generator(0) });
  const counts = {
    params: model.numParameters(),
    nonEmbeddingParams: model.numParameters({ excludeEmbeddings: true }),
    flopsPerToken: model.flopsPerToken(config.data.contextLength),
  };
  if (countCache.size > 64) countCache.clear();
  countCache.set(key, counts);
  return counts;
}

const countOf = (config: TrainConfig, mode: MatchMode) => {
  const c = modelCounts(config);
  return mode === "params" ? c.params : c.nonEmbeddingParams;
};

/**
 * The `model.intermediate_size` that brings `raw`'s parameter count (by
 * `mode`) closest to `target`. The count is affine in the knob (every FFN
 * matrix has one side of that size), so two probes give it exactly.
 */
export function matchIntermediateSize(raw: Record<string, unknown>, target: number, mode: MatchMode, source: string): ParamMatch {
  const at = (i: number) => {
    const r = clone(raw);
    applyOverride(r, `model.intermediate_size=${i}`);
    return countOf(parseTrainConfig(r, source), mode);
  };
  const f1 = at(1);
  const slope = at(2) - f1;
  if (slope <= 0) throw new ConfigError(`${source}: model.intermediate_size does not change the parameter count, so it cannot match the baseline's`);
  const guess = Math.round((target - f1) / slope) + 1;
  if (guess < 1) throw new ConfigError(`${source}: has more parameters than the baseline even at model.intermediate_size = 1 (${f1} > ${target})`);
  let best: ParamMatch | null = null;
  for (const value of [guess - 1, guess, guess + 1]) {
    if (value < 1) continue;
    const count = f1 + (value - 1) * slope;
    if (best === null || Math.abs(count - target) < Math.abs(best.residual)) best = { mode, knob: "model.intermediate_size", value, target, count, residual: count - target };
  }
  return best!;
}

/** Seeds of a spec: its list, or `count` consecutive seeds from the base config's `train.seed`. */
export function seedsOf(spec: AblationSpec, baseSeed: number): number[] {
  return Array.isArray(spec.seeds) ? [...spec.seeds] : Array.from({ length: spec.seeds }, (_, i) => baseSeed + i);
}

/** Resolves a spec; every variant's config is validated here, so a bad key fails before any training. */
export function planAblation(spec: AblationSpec): AblationPlan {
  const base = clone(spec.base);
  try {
    applyAll(base, spec.set);
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigError(`${spec.name}: set: ${e.message}`) : e;
  }
  const baseConfig = parseTrainConfig(base, `${spec.name}: base config`);
  const seeds = seedsOf(spec, baseConfig.train.seed);
  const raws = new Map<string, Record<string, unknown>>();
  for (const v of spec.variants) {
    const source = `variant "${v.name}"`;
    const reserved = Object.keys(v.set).filter((k) => RESERVED_KEYS.includes(k));
    if (reserved.length > 0) throw new ConfigError(`${source}: ${reserved.join(", ")} is set by the ablation (budget, seeds, evalPoints); remove it`);
    if (v.match !== null && "model.intermediate_size" in v.set) throw new ConfigError(`${source}: sets model.intermediate_size and asks to match parameters, which sizes it; drop one`);
    const raw = clone(base);
    try {
      applyAll(raw, v.set);
    } catch (e) {
      throw e instanceof ConfigError ? new ConfigError(`${source}: ${e.message}`) : e;
    }
    parseTrainConfig(raw, source); // names an unknown or invalid key now, before any training
    raws.set(v.name, raw);
  }
  const baselineSpec = spec.variants.find((v) => v.name === spec.baseline)!;
  const baselineConfig = parseTrainConfig(raws.get(spec.baseline)!, `variant "${spec.baseline}"`);
  const matches = new Map<string, ParamMatch>();
  for (const v of spec.variants) {
    if (v.match === null || v.name === spec.baseline) continue;
    const m = matchIntermediateSize(raws.get(v.name)!, countOf(baselineConfig, v.match), v.match, `variant "${v.name}"`);
    applyOverride(raws.get(v.name)!, `model.intermediate_size=${m.value}`);
    matches.set(v.name, m);
  }

  const tokensPerStepOf = (c: TrainConfig) => c.train.batchSize * c.train.gradAccum * c.data.contextLength;
  const baseCounts = modelCounts(baselineConfig);
  const baseSteps = "steps" in spec.budget ? spec.budget.steps : Math.max(1, Math.round(spec.budget.tokens / tokensPerStepOf(baselineConfig)));
  const budgetFlops = baseCounts.flopsPerToken * baseSteps * tokensPerStepOf(baselineConfig);
  const warnings: string[] = [];
  const variants = [baselineSpec, ...spec.variants.filter((v) => v !== baselineSpec)].map((v): PlannedVariant => {
    const raw = raws.get(v.name)!;
    const probe = parseTrainConfig(raw, `variant "${v.name}"`);
    const counts = modelCounts(probe);
    const tps = tokensPerStepOf(probe);
    let steps: number;
    if (spec.equal === "flops") steps = Math.max(1, Math.round(budgetFlops / (counts.flopsPerToken * tps)));
    else steps = "steps" in spec.budget ? spec.budget.steps : Math.max(1, Math.round(spec.budget.tokens / tps));
    const changesData = Object.keys(v.set).filter((k) => k.startsWith("data.") || k === "train.batchSize" || k === "train.gradAccum");
    if (changesData.length > 0) warnings.push(`variant "${v.name}" sets ${changesData.join(", ")}: its batches differ from the baseline's, so seeds pair the init seed but not the data order`);
    const config = runConfig(raw, spec, v.name, seeds[0]!, steps);
    let matched = matches.get(v.name) ?? null;
    if (matched) {
      const count = matched.mode === "params" ? counts.params : counts.nonEmbeddingParams; // the built model's count, not the affine prediction
      matched = { ...matched, count, residual: count - matched.target };
    }
    return { ...v, config, ...counts, matched, steps, tokensPerStep: tps, tokens: steps * tps, flops: steps * tps * counts.flopsPerToken };
  });
  const runs = seeds.flatMap((seed) => variants.map((v) => ({ variant: v.name, seed, id: `${v.name}.seed-${seed}`, config: runConfig(raws.get(v.name)!, spec, v.name, seed, v.steps) })));
  return { spec, seeds, variants, runs, warnings };
}

/** A run's config: the variant's, with the ablation's steps, seed and evaluation interval (and no end-of-run samples). */
function runConfig(raw: Record<string, unknown>, spec: AblationSpec, variant: string, seed: number, steps: number): TrainConfig {
  const r = clone(raw);
  applyAll(r, {
    name: `${spec.name}/${variant}/seed-${seed}`,
    "train.steps": steps,
    "train.seed": seed,
    "train.evalInterval": Math.max(1, Math.ceil(steps / spec.evalPoints)),
    "sample.prompts": [],
  });
  return parseTrainConfig(r, `variant "${variant}"`);
}
