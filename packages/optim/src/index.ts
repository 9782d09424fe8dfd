/**
 * @file @kiln/optim's public API: optimizers (AdamW, Adam, SGD) over parameter
 * groups, learning-rate schedules and a scheduler, gradient clipping, the
 * LLaMA/nanoGPT weight-decay grouping and optimizer state on disk.
 */
export {
  Optimizer,
  type Hyperparameters,
  type HyperValue,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamState,
  type ParamUpdate,
  type StepOptions,
  type StepResult,
} from "./optimizer.js";
export { AdamW, Adam, type AdamWOptions, type AdamOptions, type AdamHyper, type AdamParams } from "./adam.js";
export { SGD, type SGDHyper, type SGDOptions } from "./sgd.js";
export { adamScalars, adamwUpdate, adamL2Update, sgdUpdate, type AdamScalars, type SgdScalars } from "./kernels.js";
export { clipGradNorm, gradNorm, NonFiniteGradError, type ClipOptions, type ClipResult } from "./clip.js";
export {
  constantLr,
  linearWarmup,
  warmupCosine,
  linearDecay,
  warmupStableDecay,
  type Schedule,
  type CooldownShape,
  type WarmupOptions,
  type DecayOptions,
  type WsdOptions,
} from "./schedules.js";
export { LRScheduler, type ScheduledOptimizer, type SchedulerState } from "./scheduler.js";
export {
  weightDecayGroups,
  looksLikeEmbedding,
  type NamedParameters,
  type WeightDecayGroupsOptions,
  type WeightDecayGroups,
  type GroupCount,
} from "./param-groups.js";
export type { OptimizerStateDict, SavedParamGroup, SavedParamState } from "./state-dict.js";
export {
  packStateDict,
  unpackStateDict,
  serializeOptimizerState,
  parseOptimizerState,
  OPTIMIZER_STATE_FORMAT,
  type OptimizerStateMeta,
} from "./serialize.js";
