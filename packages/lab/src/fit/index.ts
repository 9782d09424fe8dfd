/**
 * @file Scaling-law fits with no dependency on the trainer: points and CSV,
 * L-BFGS, Approach 2 (IsoFLOP) and Approach 3 (parametric) with bootstrap
 * intervals, the acceptance verdicts and the whole analysis (`fit.json`).
 */
export { analyzeScaling, FIT_FORMAT, KAPLAN_A, REFERENCE_FITS, type AnalysisOptions, type ReferenceFit, type ScalingAnalysis } from "./analyze.js";
export { fitApproach1, lowerEnvelope, type Approach1Fit, type Approach1Options, type EnvelopePoint, type TrainingCurve } from "./approach1.js";
export { bootstrapLossLaw, LAW_QUANTITIES, type BootstrapOptions, type LawQuantity, type LossLawBootstrap } from "./bootstrap.js";
export { fitIsoflop, fitProfile, groupByBudget, powerLaw, type IsoflopFit, type IsoflopOptions, type IsoflopProfile, type PowerLaw, type ProfileVerdict } from "./isoflop.js";
export { minimizeLbfgs, type LbfgsOptions, type LbfgsReason, type LbfgsResult, type ObjectiveWithGradient } from "./lbfgs.js";
export {
  CHINCHILLA_GRID, COARSE_GRID, computeOptimal, fitLossLaw, huber, huberObjective, lawFromTheta, optimalExponents, predictLoss,
  type InitGrid, type LossLaw, type LossLawFit, type LossLawFitOptions,
} from "./parametric.js";
export { budgetOf, dropHighestLoss, formatPointsCsv, parsePointsCsv, PointsError, readPointsCsv, type ScalingPoint } from "./points.js";
export { fitLine, fitParabola, percentileInterval, quantile, seededRandom, type LineFit, type Parabola } from "./stats.js";
export { computeVerdicts, THRESHOLDS, type HoldoutCheck, type Verdict, type VerdictInputs, type VerdictStatus } from "./verdicts.js";
