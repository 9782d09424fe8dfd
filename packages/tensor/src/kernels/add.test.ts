/** @file The WASM SIMD float32 add against the JS sum (bit for bit: float32 addition is correctly rounded both ways), any thread count. */
import { describe, expect, it } from "vitest";
import { ADD_THREAD_MIN, addWasm } from "./add.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";

const fill = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 10 ** ((i % 7) - 3));

describe.runIf(wasmAvailable())("addWasm", () => {
  it.each([[1, 1], [5, 16], [ADD_THREAD_MIN + 7, 16]])("equals a[i] + b[i] rounded to float32, n = %i, on 1–3 threads", (n, threads) => {
    expect(wasmThreadsReady(3)).toBe(true);
    const [a, b] = [fill(n + 3, 1), fill(n + 5, 2)];
    const ref = Float32Array.from({ length: n }, (_, i) => a[3 + i]! + b[5 + i]!);
    for (const t of [1, 2, 3].slice(0, threads > 1 ? 3 : 1)) {
      const y = new Float32Array(n);
      addWasm(y, a, 3, b, 5, n, t);
      expect(Buffer.compare(Buffer.from(y.buffer), Buffer.from(ref.buffer))).toBe(0);
    }
  });
});
