/**
 * @file @kiln/train's public API: the training config, the Trainer,
 * checkpoints, metrics, and the CLI entry point.
 */
export { trainConfigSchema, parseTrainConfig, loadTrainConfig, modelConfigFor, type TrainConfig } from "./config/train-config.js";
export { ConfigError, applyOverride } from "./config/schema.js";
export { Trainer, NonFiniteLossError, scheduleFor, type TrainResult, type TrainerIO } from "./trainer.js";
export { saveCheckpoint, loadCheckpoint, modelFromCheckpoint, CheckpointError, CHECKPOINT_FORMAT, type Checkpoint, type TrainerState } from "./checkpoint/checkpoint.js";
export { MetricsLog, readMetrics, type MetricsRow } from "./metrics.js";
export { prepareData, loadCorpus, tokenizerFor, type RunData } from "./run-data.js";
export { Progress, formatDuration, formatCount } from "./util/progress.js";
export { writeFileAtomic, writeDirAtomic } from "./util/atomic.js";
export { main } from "./cli/main.js";
