/**
 * @file @kiln/train's public API: the training config, the Trainer,
 * checkpoints, metrics, and the CLI (its entry point, and what a command is,
 * so @kiln/lab can add its own).
 */
export { trainConfigSchema, parseTrainConfig, loadTrainConfig, modelConfigFor, type TrainConfig } from "./config/train-config.js";
export { ConfigError, applyOverride } from "./config/schema.js";
export * as schema from "./config/schema.js";
export { Trainer, NonFiniteLossError, scheduleFor, warmupFor, type TrainResult, type TrainerIO } from "./trainer.js";
export { saveCheckpoint, loadCheckpoint, modelFromCheckpoint, CheckpointError, CHECKPOINT_FORMAT, type Checkpoint, type TrainerState } from "./checkpoint/checkpoint.js";
export { latestCheckpoint, listCheckpoints, removeCheckpoints, resolveCheckpointDir, sweepTemporaries, CHECKPOINTS_DIR, LATEST_FILE } from "./checkpoint/store.js";
export { RESUMABLE_KEYS } from "./checkpoint/resume-config.js";
export { MetricsLog, readMetrics, type MetricsRow } from "./metrics.js";
export { validationLoss, validationSample, describeSample, formatLoss, pairedStdErr, type ValidationLoss, type ValidationSample } from "./eval/validation.js";
export { scoreCheckpoint, type Score, type ScoreOptions } from "./eval/score.js";
export { prepareData, loadCorpus, tokenizerFor, type RunData } from "./run-data.js";
export { Progress, formatDuration, formatCount } from "./util/progress.js";
export { writeFileAtomic } from "./util/atomic.js";
export { main } from "./cli/main.js";
export type { Command } from "./cli/command.js";
export { UsageError, type OptionSpec } from "./cli/args.js";
export { intFlag, numFlag, type FlagRange } from "./cli/flags.js";
export { readJsonObject } from "./util/json.js";
