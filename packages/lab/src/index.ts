/**
 * @file @kiln/lab: experiment runs as addressable units of work over a plan
 * directory on a shared filesystem, for one machine or a scheduler's array
 * job; scaling sweeps and their Chinchilla fits, ablations and their paired
 * statistics, plots and reports; and the `kiln` commands that drive them.
 */
export { writePlan, readPlan, runDir, readResult, writeResult, readTiming, writeTiming, PlanError, type Plan, type PlanRun, type RunTiming } from "./queue/plan-dir.js";
export { tryClaim, currentClaim, defaultWorkerName, Claim, DEFAULT_TIMING, type ClaimInfo, type ClaimState, type ClaimTiming } from "./queue/claim.js";
export { planStatus, runIndex, runClaimLoop, taskIndex, type RunState, type RunStatus, type Executor, type WorkerOptions } from "./queue/queue.js";
export { planEta, readProbe, writeProbe, type ProbeFile } from "./queue/eta.js";
export { canonicalJson, firstDifference } from "./queue/same-config.js";
export { RunProgress } from "./queue/progress.js";
export { trainRun, dataFor, type TrainRunOptions } from "./run/train-run.js";
export { probeThroughput, predictRunSeconds, type ProbeLimits } from "./run/probe.js";
export { runPlanLocally, workerLoop, writeOrResumePlan, statusLine, type LocalRunOptions } from "./run/local.js";
export { STUDIES, openPlan } from "./run/studies.js";
export type { Study, StudyReportOptions } from "./run/study.js";
export { commands } from "./commands.js";
export { planAblation, matchIntermediateSize, modelCounts, type AblationPlan, type PlannedVariant, type AblationRun, type ParamMatch } from "./ablate/plan.js";
export { ablationPlanFile, ablationStudy, describeAblation, predictAblation, ABLATION_PLAN_FORMAT, type AblationMeta } from "./ablate/study.js";
export { loadAblationSpec, parseAblationSpec, parseVariantArg, type AblationSpec, type VariantSpec, type PublishedClaim, type MatchMode, type EqualMode } from "./ablate/spec.js";
export { buildAblationReport, verdictOf, judgePublished, compareWithBaseline, rejudgeAblationReport, ABLATION_FORMAT, type AblationReport, type VariantReport, type RunResult, type TimedResult } from "./ablate/report.js";
export { renderAblationReport, writeAblationReport } from "./ablate/report-md.js";
export { pilotSpread, halfWidthFor, seedsFor, planSeeds, type PilotComparison, type DifferenceSpread, type PilotSpread, type SeedChoice, type SeedBudget, type SeedPlan } from "./ablate/power.js";
export { readPilot, planPower, extendSeeds, powerLine, PowerError, type Pilot, type PowerPlan, type PowerOptions } from "./ablate/pilot.js";
export { parseLrSweep, lrStageSpec, lrSweepMeta, bestLrs, withLrs, lrCurves, lrTag, type LrSweepMeta, type LrCurves } from "./ablate/lr-sweep.js";
export { planLrStages } from "./ablate/lr-plan.js";
export { judgeClaim, halfWidthOf, inconclusiveLabel, type ClaimDirection, type ClaimVerdict, type JudgeOptions, type VerdictWord } from "./ablate/verdict.js";
export { pairedTTest, studentTQuantile, studentTCdf, regularizedIncompleteBeta, logGamma, summarize, type PairedTest, type Summary } from "./stats/stats.js";
export {
  analyzeScaling, fitApproach1, lowerEnvelope, fitLossLaw, fitIsoflop, computeOptimal, predictLoss, readPointsCsv, parsePointsCsv, minimizeLbfgs, CHINCHILLA_GRID, COARSE_GRID, REFERENCE_FITS,
  type ScalingAnalysis, type AnalysisOptions, type Approach1Fit, type TrainingCurve, type ScalingPoint, type LossLaw, type LossLawFit, type IsoflopFit, type Verdict,
} from "./fit/index.js";
export { writeFitReport, fitReportMarkdown, type FitReportExtras } from "./scaling/report/report.js";
export { summarySentence, rangeJudgements, judgeRange, type RangeJudgement } from "./scaling/report/summary.js";
export { planScaling, predictScaling, scalingStudy, sweepMeta, SWEEP_PLAN_FORMAT, type SweepMeta } from "./scaling/study.js";
export { writeSweepReport } from "./scaling/sweep-report.js";
export { RUN_COLUMNS, type RunRow } from "./scaling/results.js";
export { sweepExecutor, runTrainConfig, type SweepRunConfig, type SweepResult } from "./scaling/run-one.js";
export { loadSweepConfig, parseSweepConfig, sweepConfigSchema, type SweepConfig } from "./scaling/sweep-config.js";
export { planSweep, type SweepPlan, type SweepRun } from "./scaling/plan.js";
export { plotSvg, rampColor, PALETTE, type PlotSpec, type SeriesSpec, type AxisSpec, type MarkerShape, type ReferenceLine } from "./plot/svg.js";
export { linearTicks, niceStep, formatTick, type Tick } from "./plot/ticks.js";
