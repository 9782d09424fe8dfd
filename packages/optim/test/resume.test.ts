/**
 * @file Resuming: a run saved mid-way (optimizer state through safetensors
 * bytes, scheduler state through JSON) and continued on freshly built
 * parameters ends bit-identical to the uninterrupted run.
 */
import { Generator, Tensor, parseSafetensors, randn, serializeSafetensors } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { AdamW, LRScheduler, SGD, parseOptimizerState, serializeOptimizerState, warmupCosine, type Optimizer } from "../src/index.js";

const SHAPES = [[5, 4], [4], [3, 3]];
const STEPS = 30;
const SAVE_AT = 13;

/** Seeded noisy quadratic gradients: a function of the step and the parameters only. */
function setGrads(params: Tensor[], step: number): void {
  const gen = new Generator(1000 + step);
  params.forEach((p, i) => {
    const noise = randn(p.shape, { generator: gen }).data as Float32Array;
    const g = new Float32Array(p.numel);
    const x = p.data as Float32Array;
    for (let j = 0; j < g.length; j++) g[j] = 2 * x[j]! + (i === 1 && step === 20 ? NaN : noise[j]!);
    p.grad = Tensor.fromData("float32", g, p.shape);
  });
}

type Build = (params: Tensor[]) => Optimizer<{ lr: number }>;
const adamw: Build = (ps) =>
  new AdamW([{ params: [ps[0]!, ps[2]!], weightDecay: 0.1 }, { params: [ps[1]!], weightDecay: 0, lr: 2e-2 }], { lr: 1e-2, betas: [0.9, 0.95], maxGradNorm: 1 });
const sgd: Build = (ps) => new SGD([{ params: [ps[0]!, ps[2]!] }, { params: [ps[1]!], nesterov: true }], { lr: 1e-2, momentum: 0.9, weightDecay: 1e-3, maxGradNorm: 1 });

function start(build: Build) {
  const gen = new Generator(7);
  const params = SHAPES.map((s) => randn(s, { generator: gen }).requiresGrad_());
  const opt = build(params);
  const sched = new LRScheduler(opt, warmupCosine({ peakLr: 1e-2, warmupSteps: 5, totalSteps: 25 }));
  return { params, opt, sched };
}

function train(run: ReturnType<typeof start>, from: number, to: number): void {
  for (let step = from; step < to; step++) {
    setGrads(run.params, step);
    run.opt.step(); // step 20 has a NaN gradient: clipping skips that update
    run.opt.zeroGrad();
    run.sched.step();
  }
}

describe("save → load → continue", () => {
  for (const [name, build] of [["AdamW", adamw], ["SGD", sgd]] as const) {
    it(`${name}: bit-identical to the uninterrupted run`, () => {
      const whole = start(build);
      train(whole, 0, STEPS);

      const first = start(build);
      train(first, 0, SAVE_AT);
      const weights = serializeSafetensors(Object.fromEntries(first.params.map((p, i) => [`p${i}`, p])));
      const optimizerBytes = serializeOptimizerState(first.opt.stateDict());
      const schedulerJson = JSON.stringify(first.sched.stateDict());

      const resumed = start(build); // fresh parameters, optimizer and scheduler, as a new process would build them
      const loaded = parseSafetensors(weights).tensors;
      resumed.params.forEach((p, i) => (p.data as Float32Array).set(loaded[`p${i}`]!.data as Float32Array));
      resumed.opt.loadStateDict(parseOptimizerState(optimizerBytes));
      resumed.sched.loadStateDict(JSON.parse(schedulerJson));
      train(resumed, SAVE_AT, STEPS);

      resumed.params.forEach((p, i) => expect([...(p.data as Float32Array)]).toEqual([...(whole.params[i]!.data as Float32Array)]));
      expect(resumed.opt.stateDict()).toEqual(whole.opt.stateDict());
      expect(resumed.sched.groupLrs).toEqual(whole.sched.groupLrs);
      expect(whole.opt.stateDict().state[0]!.step).toBe(STEPS - 1); // the NaN step was skipped, not counted
      expect(whole.params.every((p) => (p.data as Float32Array).every(Number.isFinite))).toBe(true);
    });
  }
});
