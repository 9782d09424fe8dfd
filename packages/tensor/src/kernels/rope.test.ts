/** @file The WASM SIMD RoPE kernel against the float64 loops (the oracle); 1 vs N threads bit for bit. */
import { describe, expect, it } from "vitest";
import { ROPE_THREAD_MIN, ropeForward, ropeForwardWasm } from "./rope.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

function run(B: number, T: number, H: number, hs: number, offset: number, sign: number, threads: number) {
  const P = offset + T + 2;
  const [x, cos, sin] = [fill(B * T * H * hs, B + T + hs, 2), fill(P * (hs / 2), 5, 1), fill(P * (hs / 2), 6, 1)];
  const y = new Float32Array(x.length);
  ropeForwardWasm(y, x, cos, sin, B, T, H, hs, offset, sign, threads);
  return { x, cos, sin, y };
}

describe.runIf(wasmAvailable())("RoPE WASM kernel", () => {
  it.each([[1, 1, 1, 8, 0, 1], [2, 5, 3, 16, 3, 1], [3, 7, 2, 24, 1, -1]])("matches the float64 loops, B %i T %i H %i hs %i offset %i sign %i", (B, T, H, hs, offset, sign) => {
    const { x, cos, sin, y } = run(B, T, H, hs, offset, sign, 1);
    const ref = new Float64Array(x.length);
    ropeForward(ref, Float64Array.from(x), Float64Array.from(cos), Float64Array.from(sin), B, T, H, hs, offset, sign);
    y.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-6));
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const T = Math.ceil(ROPE_THREAD_MIN / (4 * 16)) + 3;
    const one = run(1, T, 4, 16, 2, 1, 1).y;
    for (const t of [2, 3]) expect(sameBits(run(1, T, 4, 16, 2, 1, t).y, one)).toBe(true);
  });
});
