/** @file The WASM SIMD cross-entropy kernel against the float64 loops (the oracle); 1 vs N threads bit for bit. */
import { describe, expect, it } from "vitest";
import { CE_THREAD_MIN, crossEntropyForward, crossEntropyForwardWasm } from "./cross-entropy.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

function targets(N: number, V: number, ignoreEvery: number): Int32Array {
  return Int32Array.from({ length: N }, (_, r) => (r % ignoreEvery === ignoreEvery - 1 ? -1 : (r * 7919) % V));
}

describe.runIf(wasmAvailable())("crossEntropy WASM kernel", () => {
  it.each([[3, 1], [5, 7], [17, 64], [9, 1027]])("matches the float64 loops, N = %i, V = %i (ignored rows give 0)", (N, V) => {
    const x = fill(N * V, N + V, 9);
    const t = targets(N, V, 4);
    const [loss, dx] = [new Float32Array(N), new Float32Array(N * V)];
    crossEntropyForwardWasm(loss, dx, x, t, N, V, 0.25);
    const [rl, rdx] = [new Float64Array(N), new Float64Array(N * V)];
    crossEntropyForward(rl, rdx, Float64Array.from(x), t, N, V, -1, 0.25);
    loss.forEach((l, r) => expect(Math.abs(l - rl[r]!)).toBeLessThan(2e-6 * (1 + Math.abs(rl[r]!))));
    dx.forEach((d, i) => expect(Math.abs(d - rdx[i]!)).toBeLessThan(1e-7));
    for (let r = 3; r < N; r += 4) {
      expect(loss[r]).toBe(0);
      expect(dx.subarray(r * V, (r + 1) * V).every((d) => d === 0)).toBe(true);
    }
    const lossOnly = new Float32Array(N);
    crossEntropyForwardWasm(lossOnly, null, x, t, N, V, 0.25);
    expect(sameBits(lossOnly, loss)).toBe(true);
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const [N, V] = [Math.ceil(CE_THREAD_MIN / 250) + 3, 250];
    const x = fill(N * V, 3, 6);
    const t = targets(N, V, 5);
    const run = (threads: number) => {
      const [loss, dx] = [new Float32Array(N), new Float32Array(N * V)];
      crossEntropyForwardWasm(loss, dx, x, t, N, V, 1 / N, threads);
      return [loss, dx];
    };
    const one = run(1);
    for (const th of [2, 3]) run(th).forEach((x, i) => expect(sameBits(x, one[i]!)).toBe(true));
  });
});
