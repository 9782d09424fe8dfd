/**
 * @file Which config a resumed run continues with: the saved one, plus
 * `--set` overrides of the keys that leave the model, data and optimizer
 * alone (run length, intervals, sampling). Anything else would silently
 * continue a different experiment, so it is refused by name.
 */
import { applyOverride, ConfigError } from "../config/schema.js";
import { parseTrainConfig, type TrainConfig } from "../config/train-config.js";

/** Keys `--set` may change on `--resume`. */
export const RESUMABLE_KEYS = [
  "train.steps", "train.evalInterval", "train.checkpointInterval", "train.logInterval", "train.keepLast",
  "sample.prompts", "sample.maxNewTokens", "sample.temperature", "sample.topK",
] as const;

/**
 * The config to resume with and one line per change it makes. Refuses a key
 * outside {@link RESUMABLE_KEYS}, and a run that is already finished (`step`
 * ≥ its `train.steps`) with the way to extend it.
 */
export function resumeConfig(saved: TrainConfig, overrides: readonly string[], step: number, source: string): { config: TrainConfig; changes: string[] } {
  const raw = JSON.parse(JSON.stringify(saved)) as Record<string, unknown>;
  for (const o of overrides) {
    const key = o.slice(0, Math.max(0, o.indexOf("="))).trim();
    if (!(RESUMABLE_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`--set ${key || o} cannot change on --resume: it would continue a different model, data or optimizer than the checkpoint's (allowed: ${RESUMABLE_KEYS.join(", ")})`);
    }
    applyOverride(raw, o);
  }
  const config = parseTrainConfig(raw, `${source} (config with --set)`);
  const changes: string[] = [];
  for (const key of RESUMABLE_KEYS) {
    const [section, field] = key.split(".") as [keyof TrainConfig, string];
    const before = JSON.stringify((saved[section] as Record<string, unknown>)[field]);
    const after = JSON.stringify((config[section] as Record<string, unknown>)[field]);
    if (before !== after) changes.push(`resume: ${key} ${before} → ${after}`);
  }
  if (config.train.steps !== saved.train.steps && config.optim.schedule !== "constant") {
    changes.push(`resume: the ${config.optim.schedule} learning-rate schedule now spans ${config.train.steps} steps instead of ${saved.train.steps}, so the rate from step ${step} on follows the longer schedule`);
  }
  if (step >= config.train.steps) {
    throw new ConfigError(`${source}: this run is finished (${step} of ${config.train.steps} steps); to train further raise its length, e.g. --set train.steps=${2 * config.train.steps}`);
  }
  return { config, changes };
}
