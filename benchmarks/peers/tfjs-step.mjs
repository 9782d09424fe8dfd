/**
 * @file The kiln training-step benchmark in TensorFlow.js (`@tensorflow/tfjs`, CPU backend): the
 * same LLaMA (RMSNorm, RoPE, causal attention, SwiGLU, tied head), cross-entropy and AdamW
 * (Adam plus decoupled weight decay); forward + backward + step per sample.
 * Usage: node benchmarks/peers/tfjs-step.mjs '{"vocab":512,...}' → one JSON line on stdout.
 */
import * as tf from "@tensorflow/tfjs";

const cfg = JSON.parse(process.argv[2]);
const { vocab: V, dim: D, layers: L, heads: H, ctx: T, batch: B, hidden: HID } = cfg;
const hs = D / H;
await tf.setBackend("cpu");
const baseRss = process.memoryUsage().rss;
const p = (shape) => tf.variable(tf.randomNormal(shape, 0, 0.02));
const ones = (n) => tf.variable(tf.ones([n]));
const emb = p([V, D]);
const layers = Array.from({ length: L }, () => ({ an: ones(D), wq: p([D, D]), wk: p([D, D]), wv: p([D, D]), wo: p([D, D]), fn: ones(D), w1: p([HID, D]), w2: p([D, HID]), w3: p([HID, D]) }));
const norm = ones(D);
const inv = tf.tensor1d(Array.from({ length: hs / 2 }, (_, i) => 1 / 10000 ** ((2 * i) / hs)));
const ang = tf.concat([tf.outerProduct(tf.range(0, T), inv), tf.outerProduct(tf.range(0, T), inv)], 1).reshape([1, T, 1, hs]);
const [cos, sin] = [tf.cos(ang), tf.sin(ang)];
const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0).sub(1).mul(1e9); // 0 on and below the diagonal, -1e9 above

const rms = (x, w) => x.mul(tf.rsqrt(x.square().mean(-1, true).add(1e-6))).mul(w);
const lin = (x, w) => tf.matMul(x.reshape([-1, x.shape[x.rank - 1]]), w, false, true).reshape([...x.shape.slice(0, -1), w.shape[0]]);
const rope = (x) => {
  const [x1, x2] = tf.split(x, 2, -1);
  return x.mul(cos).add(tf.concat([x2.neg(), x1], -1).mul(sin));
};

function loss(x, y) {
  let h = tf.gather(emb, x); // (B, T, D)
  for (const l of layers) {
    const a = rms(h, l.an);
    const q = rope(lin(a, l.wq).reshape([B, T, H, hs])).transpose([0, 2, 1, 3]);
    const k = rope(lin(a, l.wk).reshape([B, T, H, hs])).transpose([0, 2, 1, 3]);
    const v = lin(a, l.wv).reshape([B, T, H, hs]).transpose([0, 2, 1, 3]);
    const att = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(hs)).add(mask));
    h = h.add(lin(tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([B, T, D]), l.wo));
    const f = rms(h, l.fn);
    h = h.add(lin(lin(f, l.w1).mul(tf.sigmoid(lin(f, l.w1))).mul(lin(f, l.w3)), l.w2));
  }
  const logits = lin(rms(h, norm), emb).reshape([B * T, V]);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(y.reshape([B * T]), V), logits);
}

const opt = tf.train.adam(1e-3, 0.9, 0.95, 1e-8);
const vars = [emb, norm, ...layers.flatMap((l) => Object.values(l))];
const x = tf.randomUniformInt([B, T], 0, V);
const y = tf.randomUniformInt([B, T], 0, V);
const samples = [];
const start = performance.now();
for (let i = 0; i < cfg.warmup + cfg.steps; i++) {
  const t0 = performance.now();
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => loss(x, y), vars);
    opt.applyGradients(grads);
    for (const v of vars) v.assign(v.mul(1 - 1e-3 * 0.1)); // AdamW's decoupled weight decay
    value.dataSync();
  });
  const dt = performance.now() - t0;
  if (i >= cfg.warmup) samples.push(dt);
  if (performance.now() - start > (cfg.budget_s ?? 60) * 1000 && samples.length >= 1) break;
}
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ samples_ms: samples, peak_rss: peak, base_rss: baseRss, version: tf.version.tfjs, backend: tf.getBackend() }));
