/** @file The WASM SIMD embedding kernels against the loops: the same bits (gather; float64 scatter-add rounded once), on 1, 2 and 3 threads. */
import { describe, expect, it } from "vitest";
import { EMB_THREAD_MIN, embeddingBackward, embeddingBackwardWasm, embeddingForward, embeddingForwardWasm } from "./embedding.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

function ids(n: number, V: number, seed: number): Int32Array {
  return Int32Array.from(fill(n, seed, 1), (u, i) => (i % 5 === 0 ? 1 : Math.floor(((u + 1) / 2) * V))); // id 1 repeats often
}

describe.runIf(wasmAvailable())("embedding WASM kernels", () => {
  it.each([[1, 3, 4], [37, 11, 12], [300, 50, 64]] as const)("give the loops' bits, n = %i, V = %i, D = %i", (n, V, D) => {
    const [w, g, id] = [fill(V * D, 1, 2), fill(n * D, 2, 1), ids(n, V, 3)];
    const [y, ry] = [new Float32Array(n * D), new Float32Array(n * D)];
    embeddingForwardWasm(y, w, id, n, D);
    embeddingForward(ry, w, id, n, D);
    expect(sameBits(y, ry)).toBe(true);
    const dw = new Float32Array(V * D).fill(NaN); // overwritten, rows no id touched included
    embeddingBackwardWasm(dw, new Float32Array(2 * V * D).fill(7), g, id, n, V, D);
    const acc = new Float64Array(V * D);
    embeddingBackward(acc, g, id, n, D);
    expect(sameBits(dw, Float32Array.from(acc))).toBe(true);
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const [V, D] = [97, 24];
    const n = Math.ceil(EMB_THREAD_MIN / D) + 5;
    const [w, g, id] = [fill(V * D, 4, 2), fill(n * D, 5, 1), ids(n, V, 6)];
    const run = (threads: number) => {
      const [y, dw] = [new Float32Array(n * D), new Float32Array(V * D)];
      embeddingForwardWasm(y, w, id, n, D, threads);
      embeddingBackwardWasm(dw, new Float32Array(2 * V * D), g, id, n, V, D, threads);
      return [y, dw];
    };
    const one = run(1);
    for (const t of [2, 3]) run(t).forEach((x, i) => expect(sameBits(x, one[i]!)).toBe(true));
  });
});
