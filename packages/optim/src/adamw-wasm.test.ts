/**
 * @file AdamW's many-tensor WASM kernel (`adamwUpdateAll` of @kiln/tensor) against this package's
 * loop `adamwUpdate` (bit for bit, so torch parity carries over), on 1, 2 and 3 threads; and
 * `sumOfSquares` (clipping's norm) against a float64 loop.
 */
import { adamwUpdateAll, getBackend, setThreads, sumOfSquares, warmUpThreads, zeros } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { adamScalars, adamwUpdate } from "./kernels.js";

function fill(n: number, seed: number, amp: number): Float32Array {
  const out = zeros([n]).data as Float32Array; // tensor storage: in the wasm heap when large enough
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * amp;
  }
  return out;
}
const bits = (x: Float32Array) => [...new Uint32Array(x.buffer, x.byteOffset, x.length)];
const sizes = [1, 7, 64, 40_003]; // a tail only, a tail after vectors, one chunk, several chunks

function tensors(step: number) {
  return sizes.map((n, k) => ({
    p: fill(n, k + 1, 1), g: fill(n, k + 11, 0.1), m: fill(n, k + 21, 0.01), v: fill(n, k + 31, 1e-3).map(Math.abs),
    scalars: adamScalars(3e-4 * (k + 1), [0.9, 0.95], 1e-8, 0.1, step, true),
  }));
}

describe.runIf(getBackend() === "wasm")("adamwUpdateAll", () => {
  it.each([1, 2, 3])("gives adamwUpdate's bits on %i thread(s)", (threads) => {
    setThreads(threads);
    warmUpThreads();
    for (const step of [1, 5]) {
      const [mine, ref] = [tensors(step), tensors(step)];
      expect(adamwUpdateAll(mine)).toBe(true);
      for (const t of mine) adamwUpdate(t.p, t.g, t.m, t.v, t.scalars, t.p.length & ~3);
      for (const t of ref) adamwUpdate(t.p, t.g, t.m, t.v, t.scalars);
      mine.forEach((t, k) => (["p", "m", "v"] as const).forEach((b) => expect(bits(t[b])).toEqual(bits(ref[k]![b]))));
    }
  });

  it("sumOfSquares: float64 sum, the same bits on 1, 2 and 3 threads", () => {
    const arrays = sizes.map((n, k) => fill(n * 3, k + 40, 2));
    let ref = 0;
    for (const a of arrays) for (const x of a) ref += x * x;
    const got = [1, 2, 3].map((t) => {
      setThreads(t);
      warmUpThreads();
      return sumOfSquares(arrays);
    });
    expect(Math.abs(got[0]! - ref) / ref).toBeLessThan(1e-13);
    expect(new Set(got).size).toBe(1);
  });
});
