/**
 * @file Optimizer-step benchmark: kiln's fused AdamW step (one pass over each
 * parameter's buffers, no temporaries) against the same update written with
 * kiln tensor ops (`mul_`, `add_`, `sqrt`, `div`: five temporaries per parameter),
 * on parameter sets of 1M and 10M floats. Medians after warm-up.
 * Run: `npx tsx benchmarks/src/optim.ts [--quick]`.
 */
import { Generator, Tensor, noGrad, randn } from "@kiln/tensor";
import { AdamW } from "@kiln/optim";

const quick = process.argv.includes("--quick");
const SAMPLES = quick ? 5 : 15;
const lr = 3e-4, betas = [0.9, 0.95] as const, eps = 1e-8, weightDecay = 0.1;

/** Median milliseconds of `fn` over `n` timed calls after `warm` untimed ones. */
function medianMs(fn: () => void, n = SAMPLES, warm = 3): number {
  for (let i = 0; i < warm; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

/** `count` parameters of `size` floats each, with fixed gradients. */
function paramSet(count: number, size: number, seed: number): Tensor[] {
  const gen = new Generator(seed);
  return Array.from({ length: count }, () => {
    const p = randn([size], { generator: gen }).requiresGrad_();
    p.grad = randn([size], { generator: gen }).mul(0.01);
    return p;
  });
}

/** AdamW written with tensor ops, as a user would without a fused kernel (torch's single-tensor formula). */
class OpsAdamW {
  private t = 0;
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  constructor(private readonly params: Tensor[]) {
    this.m = params.map((p) => Tensor.empty("float32", p.shape));
    this.v = params.map((p) => Tensor.empty("float32", p.shape));
  }
  step(): void {
    this.t++;
    const [b1, b2] = betas;
    const stepSize = lr / (1 - b1 ** this.t), bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p.grad!, m = this.m[i]!, v = this.v[i]!;
        p.mul_(1 - lr * weightDecay);
        m.mul_(b1).add_(g, 1 - b1);
        v.mul_(b2).add_(g.mul(g), 1 - b2);
        const denom = v.sqrt().div(bc2Sqrt).add(eps);
        p.add_(m.div(denom), -stepSize);
      });
    });
  }
}

/** Largest |a − b| over all elements, as a fraction of lr (the size of one step's move). */
function maxDiffOverLr(a: Tensor[], b: Tensor[]): number {
  let worst = 0;
  a.forEach((t, i) => {
    const x = t.data as Float32Array, y = b[i]!.data as Float32Array;
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j]! - y[j]!));
  });
  return worst / lr;
}

const sets = [
  { label: "1M floats (4 × 256K)", count: 4, size: 262_144 },
  { label: "10M floats (10 × 1M)", count: 10, size: 1_048_576 },
];

console.log(`AdamW step, lr ${lr}, betas [${betas.join(", ")}], weightDecay ${weightDecay}; medians of ${SAMPLES} steps after 3 warm-up steps\n`);
console.log("| parameters | fused (ms) | tensor ops (ms) | ops / fused | fused ns/float | max \\|fused − ops\\| / lr after 1 step |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const { label, count, size } of sets) {
  // NOTE: agreement is checked on fresh copies after one step, before timing mutates them
  const a = paramSet(count, size, 1), b = paramSet(count, size, 1);
  new AdamW(a, { lr, betas, eps, weightDecay }).step();
  new OpsAdamW(b).step();
  const diff = maxDiffOverLr(a, b);

  const fusedParams = paramSet(count, size, 2);
  const fused = new AdamW(fusedParams, { lr, betas, eps, weightDecay });
  const fusedMs = medianMs(() => fused.step());
  const opsParams = paramSet(count, size, 2);
  const ops = new OpsAdamW(opsParams);
  const opsMs = medianMs(() => ops.step());
  const n = count * size;
  console.log(`| ${label} | ${fusedMs.toFixed(2)} | ${opsMs.toFixed(2)} | ${(opsMs / fusedMs).toFixed(2)}× | ${((fusedMs * 1e6) / n).toFixed(2)} | ${diff.toExponential(1)} |`);
}
