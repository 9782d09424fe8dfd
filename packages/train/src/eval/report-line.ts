/**
 * @file The line a finished training run ends with: its validation loss,
 * standard error and definition beside the held-out n-gram baselines.
 */
import type { Trainer, TrainResult } from "../trainer.js";
import { formatLoss } from "./validation.js";

/** `final val loss 3.2748 ± 0.0120 (s.e.) nats/token on <definition>; baselines …`. */
export function finalLine(result: TrainResult, trainer: Trainer): string {
  const v = result.finalValidation;
  const loss = v ? `${formatLoss(v)} nats/token on ${v.definition}` : `${result.finalValLoss?.toFixed(4) ?? "n/a"} nats/token`;
  const b = trainer.data.baseline;
  return `final val loss ${loss}; baselines on the whole validation split: unigram ${trainer.unigramBaseline.toFixed(4)}, bigram ${trainer.bigramBaseline.toFixed(4)}, uniform ${b.uniform.toFixed(4)} (n-gram models fitted on the training split)`;
}
