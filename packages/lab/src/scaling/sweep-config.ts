/**
 * @file A scaling sweep's config: the model-size ladder, how compute budgets
 * are chosen (explicit, or sized from a wall-clock budget after measuring
 * throughput), and the per-run training recipe. Validated like training
 * configs: unknown keys and wrong types are errors naming the field.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { applyOverride, ConfigError, schema } from "@kiln/train";

const { list, number, object, string } = schema;
type Infer<F> = schema.Infer<F>;

const positive = (def: number | undefined) => number(def, { min: 0, exclusiveMin: true });
const count = (def: number | undefined, min = 1) => number(def, { integer: true, min });

/** One rung of the model ladder (a LLaMA with tied embeddings). */
const rungSchema = object({
  /** Short name, e.g. `d32L2`. */
  name: string(undefined),
  hidden: count(undefined),
  layers: count(undefined),
  heads: count(undefined),
  /** Peak learning rate of this size. */
  lr: positive(undefined),
});

/** The schema of a sweep file; `SweepConfig` is inferred from it. */
export const sweepConfigSchema = object({
  name: string("sweep"),
  /** Target wall-clock seconds for all runs; budgets are scaled to fit (on this machine, at its measured speed) unless `budgets.values` is given, as the presets do. */
  timeBudget: positive(600),
  budgets: object({
    /** Explicit compute budgets in FLOPs (C = 6·N·D); overrides sizing from the time budget. */
    values: list(positive(undefined), []),
    count: count(3),
    /** Ratio between consecutive budgets. */
    ratio: number(4, { min: 1.05 }),
    /** Bounds on the largest budget when sizing from the time budget. */
    min: positive(1e9),
    max: positive(1e15),
  }),
  /** Model sizes trained at each budget (a window of the ladder centred on the guessed optimum). */
  sizesPerBudget: count(4, 2),
  /** Where the window is centred: N_guess = √(C / (6 · tokensPerParam)) (Chinchilla: ~20). */
  tokensPerParam: positive(20),
  ladder: list(rungSchema, []),
  data: object({
    corpus: string("sotu"),
    vocabSize: number(512, { integer: true, min: 257, max: 65536 }),
    contextLength: count(128, 2),
    cacheDir: string(".cache/kiln"),
  }),
  optim: object({
    beta1: number(0.9, { min: 0, max: 1 }),
    /** 0.99 rather than LLaMA's 0.95: these batches are small. */
    beta2: number(0.99, { min: 0, max: 1 }),
    eps: number(1e-8, { min: 0 }),
    /** Applied to every matrix (embedding/head included), never to norm scales. */
    weightDecay: number(0.1, { min: 0 }),
    gradClip: positive(1),
    /** Cosine decay floor as a fraction of the peak. */
    minLrRatio: number(0.1, { min: 0, max: 1 }),
    warmupFraction: number(0.05, { min: 0, max: 0.5 }),
    maxWarmupSteps: count(100, 0),
  }),
  train: object({
    /**
     * Sequences per step; halved (down to minBatchSize) until a run has targetSteps steps.
     * 4 × 128 tokens beat 8 and 16 per token trained at these sizes (d32L2 at 0.2M and 1M tokens).
     */
    batchSize: count(4),
    minBatchSize: count(4),
    targetSteps: count(200),
    /** Runs with fewer steps are flagged "few-steps"; with fewer than hardMinSteps they are skipped. */
    minSteps: count(100),
    hardMinSteps: count(10),
    /** Runs needing more epochs of the training split are skipped. */
    maxEpochs: positive(4),
    /** Validation windows behind each run's final loss, spread evenly over the whole split (the same ones for every run; see eval/validation.ts). */
    evalSequences: count(1024),
    /** Validation evaluations during a run besides the final one (for the curves). */
    curveEvals: count(0, 0),
    seed: number(1337, { integer: true }),
    /** Checkpoints per run, evenly spaced in steps, so an interrupted run resumes part-way; 0: none. */
    checkpoints: count(4, 0),
  }),
  /**
   * Per-size learning rates chosen by measurement: every size first trains at its cheapest budget at each of these
   * multiples of its ladder `lr` (e.g. [0.5, 1, 2]), then all its runs use the best (scaling/lr-stages.ts). Empty: the ladder's rates.
   */
  lrSweep: object({ factors: list(positive(undefined), []) }),
  /** Local training processes, or 0 for one per core (each then gets an equal share of the cores as kernel threads). */
  jobs: count(0, 0),
  probe: object({
    /** Timed steps per rung (after one warm-up step; the median step time counts), and a time cap per rung: for the ETA, and for sizing budgets to timeBudget. */
    steps: count(5),
    seconds: positive(3),
  }),
});

/** A complete, validated sweep config. */
export type SweepConfig = Infer<typeof sweepConfigSchema>;

/** One ladder rung. */
export type RungConfig = SweepConfig["ladder"][number];

/** Parses and checks a sweep config (`source` names the file in errors). */
export function parseSweepConfig(raw: unknown, source = "sweep"): SweepConfig {
  let c: SweepConfig;
  try {
    c = sweepConfigSchema.parse(raw, "");
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`);
    throw e;
  }
  const fail = (msg: string): never => {
    throw new ConfigError(`${source}: ${msg}`);
  };
  if (c.ladder.length < 2) fail(`ladder needs at least 2 model sizes, got ${c.ladder.length}`);
  if (c.sizesPerBudget > c.ladder.length) fail(`sizesPerBudget ${c.sizesPerBudget} exceeds the ${c.ladder.length} ladder sizes`);
  const names = new Set<string>();
  c.ladder.forEach((r, i) => {
    if (!/^[\w.-]+$/.test(r.name)) fail(`ladder[${i}].name must be letters, digits, "_", "-" or ".", got ${JSON.stringify(r.name)}`);
    if (names.has(r.name)) fail(`ladder[${i}].name ${JSON.stringify(r.name)} is used twice`);
    names.add(r.name);
    if (r.hidden % r.heads !== 0 || (r.hidden / r.heads) % 2 !== 0) fail(`ladder[${i}] (${r.name}): hidden ${r.hidden} / heads ${r.heads} must be an even integer head size`);
  });
  const f = c.lrSweep.factors;
  if (f.length === 1 || new Set(f).size !== f.length) fail(`lrSweep.factors needs 2 or more distinct multiples of each size's lr (e.g. [0.5, 1, 2]), got ${JSON.stringify(f)}`);
  const t = c.train;
  if (t.minBatchSize > t.batchSize) fail(`train.minBatchSize ${t.minBatchSize} exceeds train.batchSize ${t.batchSize}`);
  for (let b = t.batchSize; b >= t.minBatchSize; b = Math.floor(b / 2)) {
    if (t.evalSequences % b !== 0) fail(`train.evalSequences ${t.evalSequences} must be a multiple of every batch size used (${b}), so every run sees the same validation tokens`);
    if (b === 1) break;
  }
  return c;
}

/** Directory of the bundled presets: `presets/` in the @kiln/lab package, the same from `src/` and compiled `dist/`. */
export function presetDir(): string {
  return fileURLToPath(new URL("../../presets/", import.meta.url));
}

/** Loads a sweep file or a preset by name (`quick`, `full`), with `--set key=value` overrides. */
export function loadSweepConfig(pathOrPreset: string, overrides: readonly string[] = []): SweepConfig {
  const path = /^[\w-]+$/.test(pathOrPreset) ? `${presetDir()}${pathOrPreset}.json` : pathOrPreset;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError(`${path}: ${err.code === "ENOENT" ? "no such sweep file or preset" : `cannot read sweep (${err.message})`}`);
  }
  for (const o of overrides) applyOverride(raw, o);
  return parseSweepConfig(raw, path);
}
