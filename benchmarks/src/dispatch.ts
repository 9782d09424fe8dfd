/**
 * @file Dispatch benchmark: what a threaded kernel call costs beyond its arithmetic. Times a call
 * of two near-empty tasks (the main thread runs one, a worker the other) back to back ("hot": the
 * worker has just finished) and after `gap` µs of main-thread work ("cold": the worker may have gone
 * to sleep), against the same call on one thread. Medians over many calls, in µs.
 * Run: `npx tsx benchmarks/src/dispatch.ts [--gaps 0,20,100,500,2000]`.
 */
// NOTE: the runtime is not part of @kiln/tensor's public index, so this reaches into its src/.
import { OP } from "../../packages/tensor/src/kernels/wasm/module.js";
import { callWasm, heapAllocF32, wasmThreadsReady } from "../../packages/tensor/src/runtime/wasm.js";

const at = process.argv.indexOf("--gaps");
const gaps = (at >= 0 ? process.argv[at + 1]! : "0,20,100,500,2000").split(",").map(Number);
if (!wasmThreadsReady(2)) throw new Error("dispatch: the worker did not start");
const x = heapAllocF32(64);

// An add of 4 floats per task: the kernel itself takes a few nanoseconds.
function call(threads: number): void {
  const operands = [{ arr: x, lo: 0, hi: 64, input: true, output: true }];
  callWasm(operands, 0, threads, ({ ptrs: [p] }) => Array.from({ length: threads }, (_, t) => [OP.addF32, p! + t * 64, p! + t * 64, p! + t * 64, 4]));
}

function busy(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

function medianUs(threads: number, gap: number, n = 2000): number {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    busy(gap);
    const t = performance.now();
    call(threads);
    samples.push((performance.now() - t) * 1000);
  }
  return samples.sort((a, b) => a - b)[n >> 1]!;
}

medianUs(1, 0, 5000);
medianUs(2, 0, 5000); // tier up
console.log("| gap before the call (µs) | 1 thread (µs) | 2 threads (µs) | round trip (µs) |\n|---:|---:|---:|---:|");
for (const gap of gaps) {
  const n = gap >= 1000 ? 300 : 2000;
  const [one, two] = [medianUs(1, gap, n), medianUs(2, gap, n)];
  console.log(`| ${gap} | ${one.toFixed(1)} | ${two.toFixed(1)} | ${(two - one).toFixed(1)} |`);
}
