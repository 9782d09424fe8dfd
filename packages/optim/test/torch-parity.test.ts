/**
 * @file Parity with PyTorch: replays every run of `fixtures/torch-optim.json`
 * (written by `scripts/make_optim_fixtures.py`: torch.optim.AdamW / Adam / SGD
 * for 20 steps with parameter groups, weight decay and a schedule, and
 * torch.nn.utils.clip_grad_norm_) and compares every parameter after every step.
 */
import { readFileSync } from "node:fs";
import { Tensor } from "@kiln/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { Adam, AdamW, LRScheduler, SGD, clipGradNorm, linearDecay, warmupCosine, type Optimizer, type Schedule } from "../src/index.js";

interface Run {
  optimizer: "AdamW" | "Adam" | "SGD";
  shapes: number[][];
  groups: ({ params: number[]; lrScale: number; weight_decay: number } & Record<string, unknown>)[];
  schedule: { kind: "warmupCosine" | "linearDecay"; peakLr: number; warmupSteps: number; totalSteps: number; minLrRatio: number };
  maxGradNorm: number | null;
  init: number[][];
  grads: number[][][];
  lrs: number[];
  norms: number[];
  after: number[][][];
}
interface ClipCase {
  shapes: number[][];
  maxNorm: number;
  normType: number | "inf";
  grads: number[][];
  totalNorm: number;
  clipped: number[][];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-optim.json", import.meta.url), "utf8")) as {
  runs: Record<string, Run>;
  clip: Record<string, ClipCase>;
};

const f32 = (shape: number[], data: number[]) => Tensor.fromData("float32", Float32Array.from(data), shape);
/** Largest |kiln − torch| / |torch| over all elements (absolute where torch is 0). */
function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const w = Math.fround(want[i]!);
    const e = Math.abs(got[i]! - w) / (w === 0 ? 1 : Math.abs(w));
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

const measured: string[] = [];
afterAll(() => console.log(`torch parity (max relative error over all parameters and steps):\n${measured.join("\n")}`));

function build(run: Run, params: Tensor[]): Optimizer<{ lr: number }> {
  const peak = run.schedule.peakLr;
  if (run.optimizer === "SGD") {
    const groups = run.groups.map((g) => ({
      params: g.params.map((i) => params[i]!),
      lr: peak * g.lrScale,
      weightDecay: g.weight_decay,
      momentum: g.momentum as number,
      dampening: g.dampening as number,
      nesterov: g.nesterov as boolean,
    }));
    return new SGD(groups, { lr: peak, maxGradNorm: run.maxGradNorm ?? undefined });
  }
  const groups = run.groups.map((g) => ({
    params: g.params.map((i) => params[i]!),
    lr: peak * g.lrScale,
    weightDecay: g.weight_decay,
    betas: g.betas as [number, number],
    eps: g.eps as number,
  }));
  const Opt = run.optimizer === "AdamW" ? AdamW : Adam;
  return new Opt(groups, { lr: peak, maxGradNorm: run.maxGradNorm ?? undefined });
}

describe("torch.optim parity (20 steps, float32)", () => {
  for (const [name, run] of Object.entries(fixture.runs)) {
    it(`${name}: every parameter after every step within 1e-6 relative`, () => {
      const params = run.shapes.map((s, i) => f32(s, run.init[i]!).requiresGrad_());
      const opt = build(run, params);
      const schedule: Schedule = (run.schedule.kind === "warmupCosine" ? warmupCosine : linearDecay)(run.schedule);
      const scheduler = new LRScheduler(opt, schedule);
      let paramErr = 0, lrErr = 0, normErr = 0;
      for (let step = 0; step < run.lrs.length; step++) {
        const lr = run.lrs[step]!;
        lrErr = Math.max(lrErr, Math.abs(scheduler.lr - lr) / (lr === 0 ? 1 : lr));
        params.forEach((p, i) => (p.grad = f32(run.shapes[i]!, run.grads[step]![i]!)));
        const result = opt.step();
        expect(result.skipped).toBe(false);
        if (run.maxGradNorm !== null) normErr = Math.max(normErr, maxRelError([result.gradNorm!], [run.norms[step]!]));
        scheduler.step();
        params.forEach((p, i) => (paramErr = Math.max(paramErr, maxRelError(p.data, run.after[step]![i]!))));
      }
      measured.push(`  ${name.padEnd(14)} params ${paramErr.toExponential(2)}  lr ${lrErr.toExponential(2)}${run.maxGradNorm === null ? "" : `  grad norm ${normErr.toExponential(2)}`}`);
      expect(paramErr).toBeLessThanOrEqual(1e-6);
      expect(lrErr).toBeLessThanOrEqual(1e-15);
      expect(normErr).toBeLessThanOrEqual(1e-6);
    });
  }
});

describe("torch.nn.utils.clip_grad_norm_ parity", () => {
  for (const [name, c] of Object.entries(fixture.clip)) {
    it(`${name}: total norm and clipped gradients within 1e-6 relative`, () => {
      const params = c.shapes.map((s) => Tensor.empty("float32", s).requiresGrad_());
      params.forEach((p, i) => (p.grad = f32(c.shapes[i]!, c.grads[i]!)));
      const r = clipGradNorm(params, c.maxNorm, { normType: c.normType === "inf" ? Infinity : c.normType });
      const normErr = maxRelError([r.totalNorm], [c.totalNorm]);
      const gradErr = Math.max(...params.map((p, i) => maxRelError(p.grad!.data, c.clipped[i]!)));
      measured.push(`  clip ${name.padEnd(14)} norm ${normErr.toExponential(2)}  grads ${gradErr.toExponential(2)}`);
      expect(r.finite).toBe(true);
      expect(normErr).toBeLessThanOrEqual(1e-6);
      expect(gradErr).toBeLessThanOrEqual(1e-6);
    });
  }
});
