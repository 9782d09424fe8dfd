/**
 * @file Training-step benchmark: tokens/s of one LLaMA training step (forward, backward, AdamW
 * step, zeroGrad) on the tiny / small / medium configs, with CPU time, peak RSS and how much
 * fresh memory the step took after warm-up. Steps yield to the event loop in between, as the Trainer does.
 * Run: `npx tsx benchmarks/src/train-step.ts [tiny|small|medium]... [--steps N] [--threads N] [--ffn gelu_mlp] [--json]`
 * (`--ffn gelu_mlp`: the ablation study's GELU MLP in place of SwiGLU).
 */
import { Llama } from "@kiln/nn";
import { AdamW } from "@kiln/optim";
import { Generator, getThreads, memoryStats, randint, setThreads, warmUpThreads } from "@kiln/tensor";
import { PoolSettling } from "./pool-settling.js";
import { STEP_CONFIGS, type StepConfig } from "./step-configs.js";

/** What one benchmarked config reports (also the JSON line of `--json`). */
export interface StepResult {
  config: string;
  samplesMs: number[];
  cpuMs: number[];
  tokPerS: number;
  peakRss: number;
  baseRss: number;
  /** Bytes the pool took fresh (from the OS or the wasm heap's untouched top) during the timed steps. */
  freshBytes: number;
  /** Untimed warm-up steps taken (until the pool ran a collection cycle without fresh memory). */
  warmupSteps: number;
  /** Forced collections the pool ran during the timed steps, and their milliseconds. */
  collections: number;
  collectMs: number;
  params: number;
  threads: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Warm-up cap: with a collection every ~28 tiny steps, a whole cycle without fresh memory comes at ~90. */
const MAX_WARMUP = 100;

/**
 * Times `steps` training steps of `c` after warm-up: at least `warmup` untimed steps, continued
 * (up to `maxWarmup`) until the pool has run one whole collection cycle (collection to collection)
 * without taking fresh memory — it has grown to its working size.
 */
export async function benchStep(name: string, c: StepConfig, steps: number, warmup = 3, maxWarmup = MAX_WARMUP, ffn: "swiglu" | "gelu_mlp" = "swiglu"): Promise<StepResult> {
  const baseRss = process.memoryUsage().rss;
  warmUpThreads();
  const model = new Llama(
    { vocab_size: c.vocab, hidden_size: c.dim, num_hidden_layers: c.layers, num_attention_heads: c.heads, max_position_embeddings: c.ctx, tie_word_embeddings: true, ffn },
    { generator: new Generator(0) },
  );
  const opt = new AdamW(model.parameters(), { lr: 1e-3, betas: [0.9, 0.95], weightDecay: 0.1 });
  const g = new Generator(1);
  const x = randint(0, c.vocab, [c.batch, c.ctx], { generator: g });
  const y = randint(0, c.vocab, [c.batch, c.ctx], { generator: g });
  const samplesMs: number[] = [];
  const cpuMs: number[] = [];
  let fresh = 0;
  let warm = 0;
  const settling = new PoolSettling();
  let timedFrom: ReturnType<typeof memoryStats> | null = null;
  while (samplesMs.length < steps) {
    const at = memoryStats();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { loss } = model.forward(x, y);
    loss!.backward();
    opt.step();
    opt.zeroGrad();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const after = memoryStats();
    const took = after.freshBytes - at.freshBytes;
    const settled = settling.record(took);
    if (samplesMs.length === 0 && (warm < warmup || (warm < maxWarmup && !settled))) warm++;
    else {
      timedFrom ??= at;
      samplesMs.push(ms);
      cpuMs.push((cpu.user + cpu.system) / 1000);
      fresh += took;
    }
    await new Promise((resolve) => setImmediate(resolve)); // as the Trainer does between steps
  }
  const tokens = c.batch * c.ctx;
  const end = memoryStats();
  return {
    config: name, samplesMs, cpuMs, tokPerS: tokens / (median(samplesMs) / 1000), peakRss: process.resourceUsage().maxRSS * 1024, baseRss,
    freshBytes: fresh, warmupSteps: warm, collections: end.collections - timedFrom!.collections, collectMs: end.collectMs - timedFrom!.collectMs, params: model.numParameters(), threads: getThreads(),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--steps");
  const steps = at >= 0 ? Number(args[at + 1]) : undefined;
  if (args.includes("--threads")) setThreads(Number(args[args.indexOf("--threads") + 1]));
  const ffn = args.includes("--ffn") ? args[args.indexOf("--ffn") + 1] : "swiglu";
  if (ffn !== "swiglu" && ffn !== "gelu_mlp") throw new RangeError(`train-step: --ffn must be swiglu or gelu_mlp, got ${ffn}`);
  const names = args.filter((a) => a in STEP_CONFIGS);
  for (const name of names.length > 0 ? names : Object.keys(STEP_CONFIGS)) {
    const c = STEP_CONFIGS[name]!;
    const r = await benchStep(name, c, steps ?? c.samples, 3, MAX_WARMUP, ffn);
    if (args.includes("--json")) console.log(JSON.stringify(r));
    else {
      const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
      console.log(`${name}: ${r.tokPerS.toFixed(0)} tok/s (median ${median(r.samplesMs).toFixed(0)} ms, cpu ${median(r.cpuMs).toFixed(0)} ms, ` +
        `${r.threads} threads), peak RSS ${mb(r.peakRss)} (runtime ${mb(r.baseRss)}), ${r.warmupSteps} warm-up steps, fresh memory in timed steps ${mb(r.freshBytes)}, ` +
        `${r.collections} collections taking ${r.collectMs.toFixed(0)} ms in the timed steps`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
