/**
 * @file The training loop (nanoGPT's train.py, as a class): gradient
 * accumulation, global-norm clipping, warmup + cosine schedule, periodic
 * evaluation and atomic checkpoints, metrics.jsonl, a NaN guard, Ctrl-C
 * handling, and resume that continues bit-identically.
 */
import { join } from "node:path";
import type { Tokenizer } from "@kiln/data";
import { Llama, generate } from "@kiln/nn";
import { AdamW, LRScheduler, constantLr, linearDecay, warmupCosine, warmupStableDecay, weightDecayGroups, type Schedule } from "@kiln/optim";
import { Generator, noGrad } from "@kiln/tensor";
import { checkMemory } from "./config/memory.js";
import { modelConfigFor, type TrainConfig } from "./config/train-config.js";
import { CHECKPOINT_FORMAT, loadCheckpoint, modelFromCheckpoint, type TrainerState } from "./checkpoint/checkpoint.js";
import { resumeConfig } from "./checkpoint/resume-config.js";
import { clearRun, existingRun, latestCheckpoint, sweepTemporaries, writeRunCheckpoint } from "./checkpoint/store.js";
import { describeSample, formatLoss, validationLoss, validationSample, type ValidationLoss, type ValidationSample } from "./eval/validation.js";
import { MetricsLog } from "./metrics.js";
import { prepareData, type RunData } from "./run-data.js";
import { bar, formatCount, formatDuration, Progress } from "./util/progress.js";

/** How a run reports what it does. */
export interface TrainerIO {
  /** Permanent lines (summary, evals, samples). */
  log: (line: string) => void;
  /** The live progress line. */
  progress: Progress;
}

/** What a finished (or stopped) run reports. */
export interface TrainResult {
  step: number;
  /** Why the loop ended. */
  status: "completed" | "interrupted";
  finalValLoss: number | null;
  /** The final evaluation with its standard error and definition (null when this session evaluated nothing). */
  finalValidation: ValidationLoss | null;
  /** Loss of a unigram model of the training text on the validation text (nats/token): the baseline to beat. */
  unigramBaseline: number;
  tokensPerSec: number;
  elapsed: number;
  samples: string[];
  /** Training loss at every step, in order (for golden tests and plots). */
  losses: number[];
}

/** Raised when the loss or gradient stops being finite. */
export class NonFiniteLossError extends Error {
  override name = "NonFiniteLossError";
}

/**
 * The warmup a run uses: `optim.warmupSteps`, except that a warmup longer
 * than the run is scaled to a tenth of it (⌈steps / 10⌉), with a warning; a
 * warmup over half the run is kept, with a warning that little is left to decay.
 */
export function warmupFor(config: TrainConfig): { steps: number; warning: string | null } {
  const w = config.optim.warmupSteps;
  const n = config.train.steps;
  if (w > n) {
    const scaled = Math.ceil(n / 10);
    return { steps: scaled, warning: `warning: optim.warmupSteps ${w} is longer than the run (train.steps ${n}); warming up over ${scaled} steps (a tenth of the run) instead` };
  }
  if (w > n / 2 && config.optim.schedule !== "constant") {
    return { steps: w, warning: `warning: optim.warmupSteps ${w} is ${Math.round((100 * w) / n)}% of train.steps ${n}; the learning rate decays over only ${n - w} steps` };
  }
  return { steps: w, warning: null };
}

/** The learning-rate schedule of a run's config (its warmup as {@link warmupFor} says). */
export function scheduleFor(config: TrainConfig): Schedule {
  const o = config.optim;
  const common = { peakLr: o.lr, warmupSteps: warmupFor(config).steps, totalSteps: config.train.steps, minLrRatio: o.minLrRatio };
  switch (o.schedule) {
    case "cosine": return warmupCosine(common);
    case "linear": return linearDecay(common);
    case "wsd": return warmupStableDecay(common);
    case "constant": return constantLr(o.lr);
  }
}

/** Trains a LLaMA as a config says, writing checkpoints and metrics under `outDir`. */
export class Trainer {
  readonly model: Llama;
  readonly optimizer: AdamW;
  /** Sets the optimizer's lr for each step from the config's schedule. */
  readonly scheduler: LRScheduler;
  step = 0;
  tokensSeen = 0;
  elapsed = 0;
  lastValLoss: number | null = null;
  /** The last evaluation of this session (null before the first). */
  lastValidation: ValidationLoss | null = null;
  bestValLoss: number | null = null;
  private stopRequested = false;
  private readonly sampler;
  private readonly dropoutGenerator: Generator;
  private readonly metrics: MetricsLog;

  private constructor(
    readonly config: TrainConfig,
    readonly outDir: string,
    readonly data: RunData,
    private readonly io: TrainerIO,
  ) {
    const eos = data.tokenizer.eosId;
    this.dropoutGenerator = new Generator(config.train.seed);
    this.model = new Llama(modelConfigFor(config, data.tokenizer.vocabSize, eos), { generator: this.dropoutGenerator });
    const groups = weightDecayGroups(this.model.namedParameters(), { weightDecay: config.optim.weightDecay, decayEmbeddings: config.optim.decayEmbeddings });
    const o = config.optim;
    this.optimizer = new AdamW(groups.groups, { lr: o.lr, betas: [o.beta1, o.beta2], eps: o.eps, ...(o.gradClip === null ? {} : { maxGradNorm: o.gradClip }) });
    this.scheduler = new LRScheduler(this.optimizer, scheduleFor(config));
    this.sampler = data.train.randomBatches({ batchSize: config.train.batchSize, contextLength: config.data.contextLength, generator: new Generator(config.train.seed + 1) });
    this.metrics = new MetricsLog(join(outDir, "metrics.jsonl"));
    io.log(`optimizer: AdamW, ${groups.summary}`);
    const { warning } = warmupFor(config);
    if (warning !== null) io.log(warning);
  }

  /**
   * A fresh run of `config` in `outDir` (`data`: already prepared for this
   * config's data section, e.g. by a sweep). A directory that already holds a
   * run is refused, so two runs never mix their checkpoints and metrics,
   * unless `overwrite` (then that run's checkpoints and metrics are deleted).
   */
  static create(config: TrainConfig, outDir: string, io: TrainerIO, data?: RunData, { overwrite = false } = {}): Trainer {
    checkMemory(config);
    sweepTemporaries(outDir);
    const found = existingRun(outDir);
    if (found.length > 0 && !overwrite) throw new Error(`${outDir} already holds a run (${found.join(", ")}); resume it, train into another directory, or pass { overwrite: true }`);
    if (found.length > 0) clearRun(outDir);
    return new Trainer(config, outDir, data ?? prepareData(config, io.log), io);
  }

  /**
   * Continues the run in `outDir` from its newest complete checkpoint (`data`
   * as in {@link Trainer.create}), after removing what killed writers left.
   * `overrides` (`--set key=value`) may change only what leaves the model and
   * data alone (steps, intervals, sampling); a finished run is refused.
   */
  static resume(outDir: string, io: TrainerIO, data?: RunData, overrides: readonly string[] = []): Trainer {
    sweepTemporaries(outDir);
    const dir = latestCheckpoint(outDir);
    if (dir === null) throw new Error(`${outDir}: no checkpoint to resume from (not a run directory, or killed before its first checkpoint)`);
    const ckpt = loadCheckpoint(dir);
    if (ckpt.trainer === null || ckpt.optimizer === null) throw new Error(`${ckpt.dir}: has no trainer.json / optimizer state to resume from`);
    const { config, changes } = resumeConfig(ckpt.trainer.config, overrides, ckpt.trainer.step, dir);
    ckpt.trainer.config = config;
    checkMemory(config);
    const t = new Trainer(config, outDir, data ?? prepareData(config, io.log, ckpt.tokenizer ?? undefined), io);
    for (const line of changes) io.log(line);
    noGrad(() => t.model.loadStateDict(modelFromCheckpoint(ckpt).stateDict(), { strict: true }));
    t.optimizer.loadStateDict(ckpt.optimizer);
    t.scheduler.loadStateDict({ step: ckpt.trainer.step });
    t.sampler.setState(ckpt.trainer.sampler as never);
    if (ckpt.trainer.dropoutGenerator) t.dropoutGenerator.setState(ckpt.trainer.dropoutGenerator);
    Object.assign(t, { step: ckpt.trainer.step, tokensSeen: ckpt.trainer.tokensSeen, elapsed: ckpt.trainer.elapsed });
    t.lastValLoss = ckpt.trainer.lastValLoss;
    t.bestValLoss = ckpt.trainer.bestValLoss;
    t.metrics.truncateAfter(t.step);
    io.log(`resumed from ${ckpt.dir} at step ${t.step} (${formatCount(t.tokensSeen)} tokens seen)`);
    return t;
  }

  /** Tokens consumed by one optimizer step. */
  get tokensPerStep(): number {
    const { batchSize, gradAccum } = this.config.train;
    return batchSize * gradAccum * this.config.data.contextLength;
  }

  /** Asks the loop to checkpoint and stop after the current step (what Ctrl-C does). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** The summary printed before training. */
  describe(): string[] {
    const m = this.model;
    const T = this.config.data.contextLength;
    const b = this.data.baseline;
    return [
      `model: ${m.summary(T)}`,
      `data: ${this.data.corpus.name}, ${formatCount(this.data.train.length)} train / ${formatCount(this.data.val.length)} val tokens, vocab ${this.data.tokenizer.vocabSize} (${this.data.bytesPerToken.toFixed(2)} bytes/token)`,
      `batch: ${this.config.train.batchSize} × ${this.config.train.gradAccum} × ${T} = ${formatCount(this.tokensPerStep)} tokens/step, ${this.config.train.steps} steps (${formatCount(this.tokensPerStep * this.config.train.steps)} tokens, ${(this.tokensPerStep * this.config.train.steps / this.data.train.length).toFixed(2)} epochs)`,
      `baselines (nats/token; n-gram models fitted on the training split, scored on the whole validation split): uniform ${b.uniform.toFixed(4)}, unigram ${this.unigramBaseline.toFixed(4)}, bigram ${this.bigramBaseline.toFixed(4)}`,
      `validation loss: mean over ${describeSample(this.validationSample)}; ± is its standard error over windows`,
    ];
  }

  /** The unigram model's loss on the validation text (nats/token): the number a model's validation loss must beat. */
  get unigramBaseline(): number {
    return this.data.baseline.unigramHeldOut!;
  }

  /** The Witten–Bell bigram model's loss on the validation text (nats/token). */
  get bigramBaseline(): number {
    return this.data.baseline.bigramHeldOut!;
  }

  /** The windows every evaluation of this run scores: `evalBatches × batchSize` of them, spread evenly over the whole validation split. */
  get validationSample(): ValidationSample {
    const t = this.config.train;
    return validationSample(this.data.val.length, this.config.data.contextLength, t.evalBatches * t.batchSize);
  }

  /** The run's validation loss now (kiln's one definition: see eval/validation.ts), with its standard error. */
  evaluate(): ValidationLoss {
    return validationLoss(this.model, this.data.val.tokens, this.validationSample, { batchSize: this.config.train.batchSize });
  }

  /** Generates text from each configured prompt. */
  sample(prompts = this.config.sample.prompts, seed = this.config.train.seed): string[] {
    const tok: Tokenizer = this.data.tokenizer;
    const s = this.config.sample;
    const generator = new Generator(seed);
    this.model.eval();
    const texts = prompts.map((p) => {
      const ids = [...tok.encode(p)];
      const out = generate(this.model, ids, { maxNewTokens: s.maxNewTokens, temperature: s.temperature, topK: s.topK ?? undefined, generator });
      return tok.decode(out);
    });
    this.model.train();
    return texts;
  }

  private trainerState(): TrainerState {
    return {
      format: CHECKPOINT_FORMAT, step: this.step, tokensSeen: this.tokensSeen, elapsed: this.elapsed,
      sampler: this.sampler.getState(), dropoutGenerator: this.dropoutGenerator.getState(),
      lastValLoss: this.lastValLoss, bestValLoss: this.bestValLoss, config: this.config,
    };
  }

  /** Saves `outDir/checkpoints/step-NNNNNN` (written once, then renamed into place) and keeps the newest `train.keepLast`. */
  checkpoint(): string {
    const parts = { model: this.model, optimizer: this.optimizer, tokenizer: this.data.tokenizer, trainer: this.trainerState() };
    return writeRunCheckpoint(this.outDir, parts, this.config.train.keepLast);
  }

  /** One optimizer step: accumulate gradients over micro-batches, clip, update. Returns the mean loss and grad norm. */
  trainStep(): { loss: number; gradNorm: number | null; lr: number } {
    const accum = this.config.train.gradAccum;
    const lr = this.scheduler.lr;
    let lossSum = 0;
    for (let micro = 0; micro < accum; micro++) {
      const { inputs, targets } = this.sampler.next();
      const { loss } = this.model.forward(inputs, targets);
      const value = loss!.item();
      if (!Number.isFinite(value)) throw new NonFiniteLossError(`step ${this.step}: loss is ${value}`);
      // each micro-batch has the same token count, so the mean of means is the mean over all tokens
      (accum === 1 ? loss! : loss!.mul(1 / accum)).backward();
      lossSum += value;
    }
    const { skipped, gradNorm } = this.optimizer.step();
    if (skipped) throw new NonFiniteLossError(`step ${this.step}: gradient norm is ${gradNorm}`);
    this.optimizer.zeroGrad({ setToNull: true });
    this.scheduler.step();
    this.step++;
    this.tokensSeen += this.tokensPerStep;
    return { loss: lossSum / accum, gradNorm, lr };
  }

  /** Runs to `train.steps` (or until `requestStop`), evaluating, logging and checkpointing on the way. */
  async run(): Promise<TrainResult> {
    const c = this.config.train;
    const { log, progress } = this.io;
    const losses: number[] = [];
    let windowStart = performance.now();
    let windowTokens = 0;
    let tokPerSec = 0;
    let status: TrainResult["status"] = "completed";
    const runStart = performance.now() - this.elapsed * 1000;
    const sessionStart = performance.now();
    const startStep = this.step;
    const flopsPerToken = this.model.flopsPerToken(this.config.data.contextLength);
    while (this.step < c.steps) {
      if (this.stopRequested) {
        status = "interrupted";
        break;
      }
      let r;
      try {
        r = this.trainStep();
      } catch (e) {
        progress.done();
        if (e instanceof NonFiniteLossError) {
          const latest = latestCheckpoint(this.outDir);
          throw new NonFiniteLossError(`${e.message}; stopped. ${latest === null ? "No checkpoint had been written" : `The last good checkpoint ${latest} is intact`}`);
        }
        throw e;
      }
      losses.push(r.loss);
      windowTokens += this.tokensPerStep;
      this.elapsed = (performance.now() - runStart) / 1000;
      const now = performance.now();
      if (now - windowStart > 1000 || this.step === c.steps) {
        tokPerSec = (windowTokens / (now - windowStart)) * 1000;
        windowStart = now;
        windowTokens = 0;
      }
      const eta = tokPerSec > 0 ? ((c.steps - this.step) * this.tokensPerStep) / tokPerSec : NaN;
      const line = `step ${this.step}/${c.steps} ${bar(this.step / c.steps)} loss ${r.loss.toFixed(4)} | lr ${r.lr.toExponential(2)} | ${formatCount(tokPerSec)} tok/s ${((tokPerSec * flopsPerToken) / 1e9).toFixed(1)} GFLOP/s | ETA ${formatDuration(eta)}`;
      progress.update(line, this.step % c.logInterval === 0 && !process.stdout.isTTY);
      if (this.step % c.logInterval === 0 || this.step === c.steps) {
        this.metrics.append({ step: this.step, tokens: this.tokensSeen, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm ?? undefined, tokPerSec, elapsed: this.elapsed });
      }
      if (this.step % c.evalInterval === 0 || this.step === c.steps) {
        const val = this.evaluate();
        this.lastValLoss = val.loss;
        this.lastValidation = val;
        this.bestValLoss = Math.min(this.bestValLoss ?? Infinity, val.loss);
        this.metrics.append({ step: this.step, tokens: this.tokensSeen, valLoss: val.loss, valStdErr: val.stdErr, elapsed: this.elapsed });
        progress.done();
        log(`step ${this.step}: val loss ${formatLoss(val)} on ${val.windows} spread windows (train ${r.loss.toFixed(4)}; unigram ${this.unigramBaseline.toFixed(4)}, bigram ${this.bigramBaseline.toFixed(4)})`);
      }
      if ((c.checkpointInterval > 0 && this.step % c.checkpointInterval === 0) || this.step === c.steps) this.checkpoint();
      await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C in between steps
    }
    progress.done();
    if (status === "interrupted") log(`interrupted at step ${this.step}: checkpoint saved to ${this.checkpoint()}`);
    const trained = this.step - startStep;
    return {
      step: this.step, status, finalValLoss: this.lastValLoss, finalValidation: this.lastValidation, unigramBaseline: this.unigramBaseline,
      tokensPerSec: (trained * this.tokensPerStep) / Math.max(1e-9, (performance.now() - sessionStart) / 1000),
      elapsed: this.elapsed, samples: status === "completed" ? this.sample() : [], losses,
    };
  }
}
