/**
 * @file Lesson 5 — train a tiny LLaMA on the State of the Union addresses in
 * a couple of minutes: data and baselines, the model, AdamW with warmup +
 * cosine, the training loop on one screen, the loss curve, then sampling.
 * Run: `npx tsx packages/notebooks/05-train-tiny-llama.ts` (KILN_NOTEBOOK_FULL=1: a longer run).
 */
import { Llama, generate } from "@kiln/nn";
import { AdamW, warmupCosine, weightDecayGroups } from "@kiln/optim";
import { Generator } from "@kiln/tensor";
import { plotSvg } from "@kiln/lab";
import { modelConfigFor, parseTrainConfig, prepareData, validationLoss, validationSample } from "@kiln/train";
import { asciiChart } from "./lib/ascii-chart.js";
import { byMode, lesson, seconds } from "./lib/notebook.js";

const L = lesson("05-train-tiny-llama", "Lesson 5 · Training a tiny LLaMA on the State of the Union", { hasFullMode: true });

// Every number below is a choice that trades quality for time. The default fits in about
// two minutes on two cores; KILN_NOTEBOOK_FULL=1 trains longer and samples read better.
const knobs = byMode({
  fast: { hidden: 32, layers: 1, heads: 2, context: 32, batch: 8, steps: 30, evalEvery: 15, evalBatches: 2, sampleTokens: 24 },
  default: { hidden: 64, layers: 2, heads: 4, context: 64, batch: 8, steps: 1400, evalEvery: 200, evalBatches: 8, sampleTokens: 56 },
  full: { hidden: 96, layers: 3, heads: 4, context: 128, batch: 8, steps: 3000, evalEvery: 250, evalBatches: 16, sampleTokens: 120 },
});

L.cell("Data: the corpus, a tokenizer, and the baselines to beat");
// prepareData loads the corpus (every address from 1790 on; every 20th is held out for validation),
// trains a 512-token byte-level BPE on the training split only (cached under .cache/kiln), tokenizes
// both splits (cached) and computes n-gram baselines.
const config = parseTrainConfig({
  model: { hidden_size: knobs.hidden, num_hidden_layers: knobs.layers, num_attention_heads: knobs.heads, tie_word_embeddings: true },
  data: { corpus: "sotu", tokenizer: "bpe", vocabSize: 512, contextLength: knobs.context },
});
const data = prepareData(config, (line) => console.log(line));
const tok = data.tokenizer;
console.log(`${data.corpus.train.length} training / ${data.corpus.val.length} validation addresses → ${data.train.length.toLocaleString("en-US")} / ${data.val.length.toLocaleString("en-US")} tokens (${data.bytesPerToken.toFixed(2)} bytes per token)`);
const example = "The state of the Union is strong.";
const ids = [...tok.encode(example)];
console.log(`"${example}" → ${ids.length} tokens: ${ids.map((i) => JSON.stringify(tok.decode([i]))).join(" ")}`);
// Loss is cross-entropy in nats per token. A model that knows nothing scores ln(512); one that only
// knows token frequencies scores the unigram cross-entropy; one that also knows the previous token, the
// bigram one. Both are counted on the training text and scored on the validation text, as the model is.
const base = { uniform: data.baseline.uniform, unigram: data.baseline.unigramHeldOut ?? data.baseline.unigram, bigram: data.baseline.bigramHeldOut ?? data.baseline.bigram };
console.log(`baselines on validation (nats/token): uniform ${base.uniform.toFixed(3)}, unigram ${base.unigram.toFixed(3)}, bigram ${base.bigram.toFixed(3)}`);

L.cell("The model");
// The config's model section holds Hugging Face LlamaConfig fields; modelConfigFor adds the
// vocabulary and context length from the data. Everything else takes LLaMA's defaults.
const llamaConfig = modelConfigFor(config, tok.vocabSize, tok.eosId);
const model = new Llama(llamaConfig, { generator: new Generator(1337) });
const c = model.config;
console.log(`d = ${c.hidden_size}, ${c.num_hidden_layers} layers, ${c.num_attention_heads} heads, SwiGLU width ${c.intermediate_size}, context ${c.max_position_embeddings}, tied embeddings ${c.tie_word_embeddings}`);
console.log(model.summary(knobs.context));

L.cell("The optimizer and the schedule");
// LLaMA's recipe: AdamW(β = 0.9, 0.95), weight decay 0.1 on matrices only, clip gradients at 1.0,
// linear warmup then cosine decay to 10% of the peak. Lesson 6 takes these apart.
const { groups, summary } = weightDecayGroups(model.namedParameters(), { weightDecay: 0.1 });
const peakLr = byMode({ fast: 1e-2, default: 6e-3, full: 4e-3 });
const optimizer = new AdamW(groups, { lr: peakLr, betas: [0.9, 0.95], maxGradNorm: 1.0 });
const schedule = warmupCosine({ peakLr, warmupSteps: Math.round(knobs.steps / 15), totalSteps: knobs.steps });
console.log(`${summary}\npeak lr ${peakLr}, warmup ${Math.round(knobs.steps / 15)} steps, cosine to ${(peakLr / 10).toExponential(1)} at step ${knobs.steps}`);

L.cell("The training loop");
// Each step: sample random windows of the training stream, forward (mean cross-entropy of
// predicting every next token), backward, clip + AdamW update. Evaluate on held-out text now and then.
const batches = data.train.randomBatches({ batchSize: knobs.batch, contextLength: knobs.context, generator: new Generator(7) });
// kiln's one definition of validation loss: the mean over windows spread evenly across the whole
// validation split (here evalBatches × batch of them), in eval mode and without gradients.
const valSample = validationSample(data.val.length, knobs.context, knobs.evalBatches * knobs.batch);
const evaluate = (): number => validationLoss(model, data.val.tokens, valSample, { batchSize: knobs.batch }).loss;
const tokensPerStep = knobs.batch * knobs.context;
console.log(`${knobs.batch} sequences × ${knobs.context} tokens = ${tokensPerStep} tokens per step, ${knobs.steps} steps`);
const trainCurve: [number, number][] = [];
const valCurve: [number, number][] = [[0, evaluate()]];
console.log(`step    0 | val loss ${valCurve[0]![1].toFixed(3)}`);
const t0 = performance.now();
for (let step = 0; step < knobs.steps; step++) {
  const lr = schedule(step);
  for (const g of optimizer.paramGroups) g.lr = lr;
  const { inputs, targets } = batches.next();
  const { loss } = model.forward(inputs, targets);
  loss!.backward();
  optimizer.step();
  optimizer.zeroGrad();
  trainCurve.push([step + 1, loss!.item()]);
  if ((step + 1) % knobs.evalEvery === 0 || step + 1 === knobs.steps) {
    valCurve.push([step + 1, evaluate()]);
    const elapsed = (performance.now() - t0) / 1000;
    console.log(`step ${String(step + 1).padStart(4)} | train ${loss!.item().toFixed(3)} | val ${valCurve.at(-1)![1].toFixed(3)} | lr ${lr.toExponential(2)} | ${Math.round(((step + 1) * tokensPerStep) / elapsed)} tok/s`);
  }
}
const trainSeconds = (performance.now() - t0) / 1000;

L.cell("The loss curve");
const smooth = trainCurve.map(([s], i) => [s, mean(trainCurve.slice(Math.max(0, i - 9), i + 1).map((p) => p[1]))] as [number, number]);
const flat = (y: number): [number, number][] => [[0, y], [knobs.steps, y]];
console.log(asciiChart([
  { name: "unigram", points: flat(base.unigram), symbol: "-" },
  { name: "bigram", points: flat(base.bigram), symbol: "=" },
  { name: "validation", points: valCurve, symbol: "o" },
  { name: "train (10-step mean)", points: smooth, symbol: "•" },
], { xLabel: "step", yLabel: "loss (nats/token)", height: 14 }));
L.write("loss.svg", plotSvg({
  title: "Tiny LLaMA on SOTU", x: { label: "step" }, y: { label: "loss (nats/token)" },
  series: [
    { name: "train (10-step mean)", points: smooth }, { name: "validation", points: valCurve, marker: "circle" },
    { name: "unigram baseline", points: flat(base.unigram), dash: "6 4" }, { name: "bigram baseline", points: flat(base.bigram), dash: "2 3" },
  ],
}));
const [v0, v1] = [valCurve[0]![1], valCurve.at(-1)![1]];
console.log(`validation loss went from ${v0.toFixed(2)} to ${v1.toFixed(2)} nats/token in ${knobs.steps} steps (${(knobs.steps * tokensPerStep).toLocaleString("en-US")} tokens, ${seconds(trainSeconds * 1000)})`);
const vs = (name: string, b: number) => `${Math.abs(b - v1).toFixed(2)} nats ${v1 < b ? "below" : "above"} the ${name} baseline (${b.toFixed(2)})`;
console.log(`that is ${vs("unigram", base.unigram)} and ${vs("bigram", base.bigram)}; perplexity ${Math.exp(v1).toFixed(1)} vs unigram ${Math.exp(base.unigram).toFixed(1)}`);

L.cell("Sampling");
// generate() runs the prompt once, then one token at a time with a KV cache (lesson 4);
// past the context length the window slides: each token sees the last `context` tokens.
// Temperature < 1 sharpens the distribution; top-k keeps only the k likeliest tokens.
const sampler = new Generator(42);
for (const prompt of ["The President", "Our nation", "Fellow citizens"]) {
  const promptIds = [...tok.encode(prompt)];
  const out = generate(model, promptIds, { maxNewTokens: knobs.sampleTokens, temperature: 0.8, topK: 40, generator: sampler });
  console.log(`» ${tok.decode(out).replace(/\s+/g, " ")}`);
}
// The same recipe, with checkpoints, resume and metrics, is `npx kiln train --config configs/train/sotu-tiny.json`.

L.done();

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
