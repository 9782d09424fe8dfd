/**
 * @file kiln's one definition of validation loss: the mean next-token
 * cross-entropy (nats/token) over S windows of T tokens spread evenly over
 * the whole validation stream (or over all of its full windows when S is
 * `null` or at least their number), with the standard error over windows.
 * The trainer, `kiln eval`, sweeps and ablations all call {@link validationLoss}.
 */
import { gatherWindows } from "@kiln/data";
import { crossEntropy, noGrad, tensor } from "@kiln/tensor";
import type { Llama } from "@kiln/nn";
import { formatCount } from "../util/progress.js";

/** Which windows of a token stream are scored. */
export interface ValidationSample {
  /** Start of each scored window (inputs `s … s+T−1`, targets `s+1 … s+T`). */
  starts: number[];
  contextLength: number;
  /** Tokens in the stream the windows were drawn from. */
  streamTokens: number;
  /** Whether every full window of the stream is scored. */
  whole: boolean;
}

/** A validation loss, its sampling error and what it was measured on. */
export interface ValidationLoss {
  /** Mean cross-entropy over every scored target (nats/token). */
  loss: number;
  /** Standard error of `loss`: the sample standard deviation of the per-window means over √windows (NaN for one window). */
  stdErr: number;
  windows: number;
  tokens: number;
  /** How the windows were chosen, in words (print it beside the number). */
  definition: string;
  /** Mean loss of each window, in window order (two runs scored on the same sample pair up window by window). */
  windowLosses: number[];
}

/**
 * The scored windows of a stream of `n` tokens: all ⌊(n−1)/T⌋ non-overlapping
 * full windows when `sequences` is null or at least that many; otherwise
 * `sequences` windows whose starts are spread evenly from the first token to
 * the last full window (`start_i = round(i·(n−1−T)/(S−1))`), never only the
 * earliest addresses.
 */
export function validationSample(n: number, contextLength: number, sequences: number | null): ValidationSample {
  const T = contextLength;
  const full = Math.floor((n - 1) / T);
  if (full < 1) throw new RangeError(`validation: ${n} tokens are fewer than one window of ${T} + 1`);
  if (sequences !== null && (!Number.isInteger(sequences) || sequences < 1)) throw new RangeError(`validation: sequences must be a positive integer or null (the whole split), got ${sequences}`);
  if (sequences === null || sequences >= full) {
    return { starts: Array.from({ length: full }, (_, i) => i * T), contextLength: T, streamTokens: n, whole: true };
  }
  const last = n - 1 - T;
  const starts = sequences === 1 ? [0] : Array.from({ length: sequences }, (_, i) => Math.round((i * last) / (sequences - 1)));
  return { starts, contextLength: T, streamTokens: n, whole: false };
}

/** The sample in words, e.g. "320 windows × 128 tokens spread evenly over the whole 172.0k-token validation split". */
export function describeSample(s: ValidationSample, what = "validation split"): string {
  const n = s.starts.length;
  const T = s.contextLength;
  return s.whole
    ? `the whole ${what}: all ${n.toLocaleString("en-US")} windows × ${T} tokens (${formatCount(n * T)} of ${formatCount(s.streamTokens)} tokens)`
    : `${n.toLocaleString("en-US")} windows × ${T} tokens spread evenly over the whole ${formatCount(s.streamTokens)}-token ${what}`;
}

/**
 * Scores `model` on the windows `sample` picks from `tokens`, `batchSize`
 * windows per forward pass (the result does not depend on it), in eval mode
 * and without gradients; the model's train/eval mode is restored afterwards.
 */
export function validationLoss(model: Llama, tokens: Int32Array, sample: ValidationSample, opts: { batchSize: number; what?: string }): ValidationLoss {
  const T = sample.contextLength;
  const perWindow: number[] = [];
  const wasTraining = model.training;
  model.eval(); // no dropout: evaluation must not consume a training run's random stream
  try {
    noGrad(() => {
      for (let b = 0; b < sample.starts.length; b += opts.batchSize) {
        const starts = sample.starts.slice(b, b + opts.batchSize);
        const { inputs, targets } = gatherWindows(tokens, starts, T);
        const shape = [starts.length, T];
        const { logits } = model.forward(tensor(inputs, { dtype: "int32" }).reshape(shape), null);
        const losses = crossEntropy(logits, tensor(targets, { dtype: "int32" }).reshape(shape), { reduction: "none" }).toArray() as number[][];
        for (const row of losses) perWindow.push(row.reduce((s, x) => s + x, 0) / T);
      }
    });
  } finally {
    if (wasTraining) model.train();
  }
  const k = perWindow.length;
  const loss = perWindow.reduce((s, x) => s + x, 0) / k;
  const variance = k > 1 ? perWindow.reduce((s, x) => s + (x - loss) ** 2, 0) / (k - 1) : NaN;
  return { loss, stdErr: Math.sqrt(variance / k), windows: k, tokens: k * T, definition: describeSample(sample, opts.what), windowLosses: perWindow };
}

/**
 * Standard error of the difference between two losses scored on the same
 * windows (`a.windowLosses[i]` pairs with `b.windowLosses[i]`): the sample
 * standard deviation of the per-window differences over √windows. Much
 * smaller than either loss's own standard error when the runs find the same
 * windows hard.
 */
export function pairedStdErr(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`pairedStdErr: ${a.length} windows against ${b.length}; both losses must be scored on the same sample`);
  const k = a.length;
  if (k < 2) return NaN;
  const d = a.map((x, i) => x - b[i]!);
  const mean = d.reduce((s, x) => s + x, 0) / k;
  return Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (k - 1) / k);
}

/** `3.2748 ± 0.0123` (the standard error), or the bare loss when it has none. */
export function formatLoss(v: Pick<ValidationLoss, "loss" | "stdErr">, digits = 4): string {
  return Number.isFinite(v.stdErr) ? `${v.loss.toFixed(digits)} ± ${v.stdErr.toFixed(digits)} (s.e.)` : v.loss.toFixed(digits);
}
