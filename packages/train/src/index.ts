/**
 * @file @kiln/train's public API: the training config, the Trainer,
 * checkpoints, metrics, and the CLI entry point.
 */
export { trainConfigSchema, parseTrainConfig, loadTrainConfig, modelConfigFor, type TrainConfig } from "./config/train-config.js";
export { ConfigError, applyOverride } from "./config/schema.js";
export { Trainer, NonFiniteLossError, scheduleFor, warmupFor, type TrainResult, type TrainerIO } from "./trainer.js";
export { saveCheckpoint, loadCheckpoint, modelFromCheckpoint, CheckpointError, CHECKPOINT_FORMAT, type Checkpoint, type TrainerState } from "./checkpoint/checkpoint.js";
export { latestCheckpoint, listCheckpoints, resolveCheckpointDir, sweepTemporaries, CHECKPOINTS_DIR, LATEST_FILE } from "./checkpoint/store.js";
export { RESUMABLE_KEYS } from "./checkpoint/resume-config.js";
export { MetricsLog, readMetrics, type MetricsRow } from "./metrics.js";
export { validationLoss, validationSample, describeSample, formatLoss, type ValidationLoss, type ValidationSample } from "./eval/validation.js";
export { scoreCheckpoint, type Score, type ScoreOptions } from "./eval/score.js";
export { prepareData, loadCorpus, tokenizerFor, type RunData } from "./run-data.js";
export { Progress, formatDuration, formatCount } from "./util/progress.js";
export { writeFileAtomic } from "./util/atomic.js";
export { main } from "./cli/main.js";
export { runAblation, canonicalJson, type AblateOptions, type AblateOutcome, type AblateIO } from "./ablate/runner.js";
export { planAblation, matchIntermediateSize, modelCounts, type AblationPlan, type PlannedVariant, type PlannedRun, type ParamMatch } from "./ablate/plan.js";
export { loadAblationSpec, parseAblationSpec, parseVariantArg, type AblationSpec, type VariantSpec, type PublishedClaim, type MatchMode, type EqualMode } from "./ablate/spec.js";
export { buildReport, verdictOf, outcomeOf, ABLATION_FORMAT, type AblationReport, type VariantReport, type RunResult } from "./ablate/report.js";
export { renderReport, writeReport } from "./ablate/report-md.js";
export { pairedTTest, studentTQuantile, studentTCdf, regularizedIncompleteBeta, logGamma, summarize, type PairedTest, type Summary } from "./ablate/stats.js";
export {
  analyzeScaling, fitLossLaw, fitIsoflop, computeOptimal, predictLoss, readPointsCsv, parsePointsCsv, minimizeLbfgs, CHINCHILLA_GRID, COARSE_GRID, REFERENCE_FITS,
  type ScalingAnalysis, type AnalysisOptions as ScalingAnalysisOptions, type ScalingPoint, type LossLaw, type LossLawFit, type IsoflopFit, type Verdict as ScalingVerdict,
} from "./scaling/fit/index.js";
export { writeReport as writeScalingReport, reportMarkdown as scalingReportMarkdown, type ReportExtras as ScalingReportExtras } from "./scaling/report/report.js";
export { runSweep, type SweepOptions, type SweepHandle } from "./scaling/sweep/runner.js";
export { loadSweepConfig, parseSweepConfig, sweepConfigSchema, type SweepConfig } from "./scaling/sweep/sweep-config.js";
export { planSweep, type Plan as ScalingPlan, type PlannedRun as ScalingRun } from "./scaling/sweep/plan.js";
export { plotSvg, rampColor, PALETTE, type PlotSpec, type SeriesSpec, type AxisSpec, type MarkerShape, type ReferenceLine } from "./plot/svg.js";
export { linearTicks, niceStep, formatTick, type Tick } from "./plot/ticks.js";
