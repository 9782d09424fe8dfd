/**
 * @file Lesson 6 — AdamW and the warmup + cosine schedule: why Adam copes
 * with badly scaled problems, AdamW's update written out, decoupled weight
 * decay, the learning-rate curve, and a tiny run with and without warmup.
 * Run: `npx tsx packages/notebooks/06-adamw-cosine.ts`.
 */
import { Adam, AdamW, SGD, linearDecay, warmupCosine, warmupStableDecay, type Schedule } from "@kiln/optim";
import { Generator, randn, tensor, zerosLike, type Tensor } from "@kiln/tensor";
import { plotSvg } from "@kiln/lab";
import { Progress, Trainer, parseTrainConfig, prepareData, type TrainConfig } from "@kiln/train";
import { asciiChart } from "./lib/ascii-chart.js";
import { byMode, lesson, maxAbsDiff, seconds } from "./lib/notebook.js";

const L = lesson("06-adamw-cosine", "Lesson 6 · AdamW and the warmup + cosine schedule");

L.cell("SGD vs Adam on a badly scaled bowl");
// f(w) = ½(1000·w₀² + w₁²): a valley 1000× steeper in one direction. SGD's step must stay below
// 2/1000 or it diverges along w₀, and then it crawls along w₁. Adam divides each coordinate's
// step by a running RMS of its gradient, so both directions move at about the same pace.
const bowl = (w: Tensor) => w.square().mul(tensor([500, 0.5])).sum();
const descend = (make: (w: Tensor) => SGD | Adam, steps: number): [number, number][] => {
  const w = tensor([1, 1]).requiresGrad_();
  const opt = make(w);
  const curve: [number, number][] = [];
  for (let s = 0; s <= steps; s++) {
    const loss = bowl(w);
    curve.push([s, loss.item()]);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  return curve;
};
const n = 150; // two-element tensors: this costs milliseconds
const sgd = descend((w) => new SGD([w], { lr: 0.0019 }), n);
const sgdTooFast = descend((w) => new SGD([w], { lr: 0.0021 }), n);
const adam = descend((w) => new Adam([w], { lr: 0.05 }), n);
console.log(asciiChart([{ name: "SGD lr 0.0019", points: sgd }, { name: "Adam lr 0.05", points: adam }], { logY: true, xLabel: "step", yLabel: "f(w)", height: 10 }));
const last = (c: [number, number][]) => c[c.length - 1]![1];
console.log(`after ${n} steps: SGD f = ${last(sgd).toExponential(2)}, Adam f = ${last(adam).toExponential(2)}; SGD at lr 0.0021 (just past 2/1000) ended at f = ${last(sgdTooFast).toExponential(2)}`);

L.cell("AdamW's update, by hand");
// m ← β₁m + (1−β₁)g          (running mean of the gradient)
// v ← β₂v + (1−β₂)g²         (running mean of its square)
// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) (bias correction: m and v start at 0)
// p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε)   (decay first, decoupled from the gradient)
const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.95, 1e-8, 0.1];
const gen = new Generator(0);
const p = randn([6], { generator: gen }).requiresGrad_();
const opt = new AdamW([p], { lr, betas: [b1, b2], eps, weightDecay: wd });
let mine = Array.from(p.data as Float32Array);
const m = mine.map(() => 0);
const v = mine.map(() => 0);
for (let t = 1; t <= 5; t++) {
  const g = randn([6], { generator: gen });
  p.grad = g;
  opt.step();
  mine = mine.map((pi, i) => {
    const gi = g.data[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * gi;
    v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
    const [mh, vh] = [m[i]! / (1 - b1 ** t), v[i]! / (1 - b2 ** t)];
    return pi * (1 - lr * wd) - (lr * mh) / (Math.sqrt(vh) + eps);
  });
}
console.log(`after 5 steps, library (float32) vs the formulas above (float64): max |diff| = ${maxAbsDiff(p.data, mine).toExponential(1)}`);
// At t = 1, m̂ = g and v̂ = g², so the first step is lr·g/|g| = ±lr for every coordinate, whatever
// the gradient's scale: Adam's steps have the size of the learning rate from the very start.
for (const scale of [1e-3, 1e3]) {
  const q = tensor([0.5, -0.5]).requiresGrad_();
  q.grad = tensor([3, -1]).mul(scale);
  new AdamW([q], { lr, weightDecay: 0 }).step();
  console.log(`first step with gradient (3, −1)·${scale}: Δp = (${Array.from(q.data as Float32Array, (x, i) => (x - [0.5, -0.5][i]!).toExponential(3)).join(", ")})`);
}

L.cell("Decoupled weight decay (AdamW) vs L2 regularisation (Adam)");
// Adam with weightDecay adds λp to the gradient, which is then divided by √v̂: the decay gets
// normalised away. AdamW shrinks p directly by lr·λ·p. A parameter whose loss gradient is 0
// shows the difference: AdamW decays it geometrically, Adam-L2 pulls it by ~lr per step whatever its size.
const decayRun = (make: (q: Tensor) => Adam | AdamW, start: number, steps = 100) => {
  const q = tensor([start]).requiresGrad_();
  const o = make(q);
  for (let s = 0; s < steps; s++) {
    q.grad = zerosLike(q);
    o.step();
  }
  return q.item();
};
for (const start of [1, 10]) {
  const w = decayRun((q) => new AdamW([q], { lr: 0.01, weightDecay: 0.1 }), start);
  const a = decayRun((q) => new Adam([q], { lr: 0.01, weightDecay: 0.1 }), start);
  console.log(`p₀ = ${String(start).padStart(2)}, 100 steps, lr 0.01, λ 0.1: AdamW → ${w.toFixed(4)} (×${(w / start).toFixed(4)}; (1 − lr·λ)¹⁰⁰ = ${((1 - 0.01 * 0.1) ** 100).toFixed(4)}), Adam-L2 → ${a.toFixed(4)} (−${(start - a).toFixed(3)})`);
}

L.cell("The learning-rate schedule");
// LLaMA: linear warmup to the peak, then cosine decay to 10% of it. Two common alternatives:
// linear decay, and warmup-stable-decay (constant, then a short cooldown; good for runs you may extend).
const total = 1000;
const sched = {
  "warmup + cosine": warmupCosine({ peakLr: 3e-3, warmupSteps: 100, totalSteps: total }),
  "linear decay": linearDecay({ peakLr: 3e-3, warmupSteps: 100, totalSteps: total, minLrRatio: 0.1 }),
  "warmup-stable-decay": warmupStableDecay({ peakLr: 3e-3, warmupSteps: 100, totalSteps: total, minLrRatio: 0.1 }),
} satisfies Record<string, Schedule>;
const lrCurve = (s: Schedule) => Array.from({ length: total / 5 + 1 }, (_, i) => [5 * i, s(5 * i)] as [number, number]);
console.log(asciiChart(Object.entries(sched).map(([name, s]) => ({ name, points: lrCurve(s) })), { xLabel: "step", yLabel: "learning rate", height: 12 }));
const cos = sched["warmup + cosine"];
console.log(`warmup + cosine: lr(0) = ${cos(0).toExponential(2)}, lr(99) = ${cos(99).toExponential(2)}, lr(100) = ${cos(100).toExponential(2)}, lr(550) = ${cos(550).toExponential(2)} (halfway: (peak + floor)/2 = ${((3e-3 + 3e-4) / 2).toExponential(2)}), lr(1000) = ${cos(1000).toExponential(2)}`);
L.write("lr-schedules.svg", plotSvg({ title: "Learning-rate schedules", x: { label: "step" }, y: { label: "learning rate" }, series: Object.entries(sched).map(([name, s]) => ({ name, points: lrCurve(s) })) }));

L.cell("A tiny run with and without warmup");
// Two identical runs (same seed, data order and model) at a deliberately high peak lr, one with
// warmup and one without, through the Trainer (the class behind `kiln train`).
const k = byMode({ fast: { hidden: 32, layers: 1, steps: 30, warmup: 8, batch: 4 }, default: { hidden: 64, layers: 2, steps: 200, warmup: 30, batch: 8 } });
const configFor = (warmupSteps: number): TrainConfig => parseTrainConfig({
  name: `warmup-${warmupSteps}`,
  model: { hidden_size: k.hidden, num_hidden_layers: k.layers, num_attention_heads: 4, tie_word_embeddings: true },
  data: { vocabSize: 512, contextLength: 64 },
  optim: { lr: 0.05, warmupSteps, schedule: "cosine", gradClip: 1.0 },
  train: { steps: k.steps, batchSize: k.batch, evalInterval: k.steps, evalBatches: 8, checkpointInterval: 0, logInterval: k.steps },
  sample: { prompts: [] },
});
const data = prepareData(configFor(0)); // one data preparation shared by both runs
const quiet = { log: () => {}, progress: new Progress({ write: () => true, isTTY: false }) };
const outDir = (name: string) => `${process.env.KILN_NOTEBOOK_OUT ?? ".cache/notebooks"}/06-adamw-cosine/${name}`;
const runs: { name: string; losses: number[]; val: number; seconds: number }[] = [];
for (const warmup of [0, k.warmup]) {
  const trainer = Trainer.create(configFor(warmup), outDir(`warmup-${warmup}`), quiet, data, { overwrite: true }); // a re-run replaces the last one
  const r = await trainer.run();
  runs.push({ name: warmup === 0 ? "no warmup" : `${warmup} warmup steps`, losses: r.losses, val: r.finalValLoss!, seconds: r.elapsed });
}
const early = Math.min(k.steps, 40);
console.log(asciiChart(runs.map((r) => ({ name: r.name, points: r.losses.slice(0, early).map((l, i) => [i + 1, l] as [number, number]) })), { xLabel: "step", yLabel: `training loss, first ${early} steps`, height: 10 }));
const start = runs[0]!.losses[0]!;
for (const r of runs) {
  const peak = Math.max(...r.losses);
  const at = r.losses.indexOf(peak) + 1;
  console.log(`${r.name.padEnd(16)} peak training loss ${peak.toFixed(2)} at step ${at}${peak > start + 0.01 ? ` — a spike above the starting ${start.toFixed(2)}` : " (never above the start)"}; final val loss ${r.val.toFixed(3)} (${seconds(r.seconds * 1000)})`);
}
const [noW, withW] = runs as [typeof runs[0], typeof runs[0]];
const better = noW.val < withW.val ? noW : withW;
console.log(`after ${k.steps} steps the run with ${better === noW ? "no warmup" : "warmup"} ended ${Math.abs(noW.val - withW.val).toFixed(3)} nats lower.`);
// How to read this: Adam's first steps move every weight by ~lr at once, while its v̂ estimate is
// built from a handful of gradients. Warmup keeps those steps small, which removes the spike. Whether
// the spike still costs anything at the end depends on the lr, the model and the run length (tiny
// models often recover; then warmup only costs a few low-lr steps). In large models a spike can be
// unrecoverable, which is why LLaMA warms up for 2,000 steps.
L.write("warmup.svg", plotSvg({ title: "Training loss with and without warmup (peak lr 0.05)", x: { label: "step" }, y: { label: "training loss" }, series: runs.map((r) => ({ name: r.name, points: r.losses.map((l, i) => [i + 1, l] as [number, number]) })) }));

L.done();
