// A user's script against the installed @kiln packages, run by plain `node` (no tsx): a big float32
// matmul (WASM SIMD on the worker pool), then a few AdamW steps of a tiny LLaMA on the bundled
// State of the Union corpus. It prints one JSON line the packed-install test checks.
import { createRequire, syncBuiltinESMExports } from "node:module";

// Count WebAssembly modules compiled and worker threads that came online, so the test can tell the
// compiled package really took the WASM + worker path rather than a silent JS fallback.
const require = createRequire(import.meta.url);
const threads = require("node:worker_threads");
let workersOnline = 0;
const Worker = threads.Worker;
threads.Worker = class extends Worker {
  constructor(...args) {
    super(...args);
    this.once("online", () => workersOnline++);
  }
};
syncBuiltinESMExports();
let wasmModules = 0;
WebAssembly.Module = new Proxy(WebAssembly.Module, {
  construct(target, args) {
    wasmModules++;
    return Reflect.construct(target, args);
  },
});

const { Generator, randn, noGrad } = await import("@kiln/tensor");
const { Llama } = await import("@kiln/nn");
const { AdamW } = await import("@kiln/optim");
const { sotuCorpus, ByteTokenizer } = await import("@kiln/data");
const { parseTrainConfig, modelConfigFor } = await import("@kiln/train");
const { loadSweepConfig } = await import("@kiln/lab");

// 384³ float32 is above the threading threshold: the product is split across the pool.
const g = new Generator(0);
const a = randn([384, 384], { generator: g });
const b = randn([384, 384], { generator: g });
let maxErr = 0;
for (let rep = 0; rep < 20; rep++) {
  const c = a.matmul(b).toArray();
  const A = a.toArray(), B = b.toArray();
  for (const [i, j] of [[0, 0], [383, 383], [191, 7]]) {
    let ref = 0;
    for (let k = 0; k < 384; k++) ref += A[i][k] * B[k][j];
    maxErr = Math.max(maxErr, Math.abs(c[i][j] - ref));
  }
  await new Promise((r) => setTimeout(r, 20)); // let workers start
}

const corpus = sotuCorpus();
const tok = new ByteTokenizer();
const text = corpus.documents.slice(0, 3).map((d) => d.text).join("\n");
const ids = Int32Array.from(tok.encode(text));
const config = parseTrainConfig({ model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2 }, data: { tokenizer: "byte", contextLength: 32 } });
const model = new Llama(modelConfigFor(config, tok.vocabSize), { generator: new Generator(1) });
const opt = new AdamW(model.parameters(), { lr: 1e-2 });
const { tensor } = await import("@kiln/tensor");
const batch = () => {
  const x = [], y = [];
  for (let s = 0; s < 8; s++) {
    const o = Math.floor(g.random() * (ids.length - 33));
    x.push(Array.from(ids.subarray(o, o + 32)));
    y.push(Array.from(ids.subarray(o + 1, o + 33)));
  }
  return [tensor(x, { dtype: "int32" }), tensor(y, { dtype: "int32" })];
};
const losses = [];
for (let step = 0; step < 30; step++) {
  const [x, y] = batch();
  const { loss } = model.forward(x, y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  losses.push(loss.item());
}
const [x, y] = batch();
const evalLoss = noGrad(() => model.forward(x, y).loss.item());
const preset = loadSweepConfig("quick").name;
console.log(JSON.stringify({ preset, documents: corpus.documents.length, maxErr, wasmModules, workersOnline, first: losses[0], last: losses.at(-1), evalLoss }));
