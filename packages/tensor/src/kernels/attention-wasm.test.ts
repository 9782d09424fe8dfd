/**
 * @file The WASM SIMD attention against the JS kernel (float64 reference): ragged sizes, head
 * dims that are not multiples of 8, GQA, the causal offset, strided views; and 1 vs N threads
 * bit for bit.
 */
import { describe, expect, it } from "vitest";
import { attentionBackward, attentionForward, type AttentionGeometry } from "./attention.js";
import { attentionBackwardWasm, attentionForwardWasm } from "./attention-wasm.js";
import { wasmAvailable, wasmThreadsReady } from "../runtime/wasm.js";
import { fill, sameBits } from "./test-util.js";

interface Case {
  B: number;
  H: number;
  Hkv: number;
  Tq: number;
  Tk: number;
  hs: number;
  causal: boolean;
  /** Lay q/k/v out as (B, T, heads, hs) and read them through strides, as the nn module does. */
  strided?: boolean;
}

function geometry(c: Case): AttentionGeometry {
  const { B, H, Hkv, Tq, Tk, hs } = c;
  const st = (heads: number, T: number) =>
    (c.strided ? [0, T * heads * hs, hs, heads * hs] : [0, heads * T * hs, T * hs, hs]) as unknown as readonly [number, number, number, number];
  return { B, H, Hkv, Tq, Tk, hs, scale: 1 / Math.sqrt(hs), causal: c.causal, q: st(H, Tq), k: st(Hkv, Tk), v: st(Hkv, Tk) };
}

function maxRel(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(x[i]! - ref[i]!));
  return worst / (scale || 1);
}

function run(c: Case, threads = 1) {
  const g = geometry(c);
  const { B, H, Hkv, Tq, Tk, hs } = c;
  const q = fill(B * H * Tq * hs, 1, 2);
  const k = fill(B * Hkv * Tk * hs, 2, 2);
  const v = fill(B * Hkv * Tk * hs, 3);
  const go = fill(B * H * Tq * hs, 4);
  const o = new Float32Array(q.length);
  const lse = new Float32Array(B * H * Tq);
  attentionForwardWasm(o, lse, q, k, v, g, threads);
  const [dq, dk, dv] = [new Float32Array(q.length), new Float32Array(k.length), new Float32Array(v.length)];
  attentionBackwardWasm(dq, dk, dv, go, o, lse, q, k, v, g, threads);
  return { g, q, k, v, go, o, lse, dq, dk, dv };
}

function reference(r: ReturnType<typeof run>) {
  const f64 = (x: Float32Array) => Float64Array.from(x);
  const o = new Float64Array(r.o.length);
  const lse = new Float64Array(r.lse.length);
  attentionForward(o, lse, f64(r.q), f64(r.k), f64(r.v), r.g);
  const [dq, dk, dv] = [new Float64Array(r.q.length), new Float64Array(r.k.length), new Float64Array(r.v.length)];
  attentionBackward(dq, dk, dv, f64(r.go), o, lse, f64(r.q), f64(r.k), f64(r.v), r.g);
  return { o, lse, dq, dk, dv };
}

const CASES: Case[] = [
  { B: 1, H: 1, Hkv: 1, Tq: 1, Tk: 1, hs: 8, causal: true },
  { B: 2, H: 2, Hkv: 2, Tq: 3, Tk: 3, hs: 12, causal: true },
  { B: 1, H: 4, Hkv: 2, Tq: 17, Tk: 17, hs: 32, causal: true, strided: true },
  { B: 2, H: 2, Hkv: 1, Tq: 130, Tk: 130, hs: 64, causal: true },
  { B: 1, H: 3, Hkv: 3, Tq: 130, Tk: 130, hs: 8, causal: false, strided: true },
  { B: 1, H: 4, Hkv: 1, Tq: 3, Tk: 17, hs: 32, causal: true }, // KV-cache offset: Tq < Tk
  { B: 2, H: 2, Hkv: 2, Tq: 1, Tk: 130, hs: 12, causal: true },
  { B: 1, H: 2, Hkv: 2, Tq: 17, Tk: 70, hs: 5, causal: false },
  { B: 1, H: 2, Hkv: 1, Tq: 33, Tk: 97, hs: 64, causal: true, strided: true },
];

describe.runIf(wasmAvailable())("WASM SIMD attention", () => {
  it.each(CASES)("matches the JS kernel: %o", (c) => {
    const r = run(c);
    const ref = reference(r);
    expect(maxRel(r.o, ref.o)).toBeLessThan(4e-6);
    expect(maxRel(r.lse.map((x) => x * Math.LN2), ref.lse)).toBeLessThan(4e-6); // log2 units
    expect(maxRel(r.dq, ref.dq)).toBeLessThan(1e-5);
    expect(maxRel(r.dk, ref.dk)).toBeLessThan(1e-5);
    expect(maxRel(r.dv, ref.dv)).toBeLessThan(1e-5);
  });

  it("writes o, dq, dk, dv and reads dO in a (B, T, heads, hs) layout with the same bits", () => {
    const c: Case = { B: 2, H: 4, Hkv: 2, Tq: 19, Tk: 19, hs: 12, causal: true, strided: true };
    const r = run(c);
    const g = geometry(c);
    const tm = (heads: number, T: number) => [0, T * heads * c.hs, c.hs, heads * c.hs] as const; // (B, T, heads, hs)
    const layout = { o: tm(c.H, c.Tq), go: tm(c.H, c.Tq), dq: tm(c.H, c.Tq), dk: tm(c.Hkv, c.Tk), dv: tm(c.Hkv, c.Tk) };
    // element (b, h, t, d) of a contiguous (B, heads, T, hs) array, moved to the (B, T, heads, hs) layout
    const toTm = (x: Float32Array, heads: number, T: number) => {
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const [d, t, h, b] = [i % c.hs, Math.floor(i / c.hs) % T, Math.floor(i / (c.hs * T)) % heads, Math.floor(i / (c.hs * T * heads))];
        out[((b * T + t) * heads + h) * c.hs + d] = x[i]!;
      }
      return out;
    };
    const [o, lse] = [new Float32Array(r.o.length), new Float32Array(r.lse.length)];
    attentionForwardWasm(o, lse, r.q, r.k, r.v, g, 1, layout);
    expect(sameBits(o, toTm(r.o, c.H, c.Tq))).toBe(true);
    const [dq, dk, dv] = [new Float32Array(r.dq.length), new Float32Array(r.dk.length), new Float32Array(r.dv.length)];
    attentionBackwardWasm(dq, dk, dv, toTm(r.go, c.H, c.Tq), o, lse, r.q, r.k, r.v, g, 1, layout);
    expect(sameBits(dq, toTm(r.dq, c.H, c.Tq)) && sameBits(dk, toTm(r.dk, c.Hkv, c.Tk)) && sameBits(dv, toTm(r.dv, c.Hkv, c.Tk))).toBe(true);
  });

  it("gives bit-identical results on 1, 2 and 3 threads", () => {
    expect(wasmThreadsReady(3)).toBe(true);
    const c: Case = { B: 3, H: 4, Hkv: 2, Tq: 130, Tk: 130, hs: 32, causal: true, strided: true };
    const one = run(c, 1);
    for (const threads of [2, 3]) {
      const many = run(c, threads);
      for (const key of ["o", "lse", "dq", "dk", "dv"] as const) expect(sameBits(many[key], one[key]), `${key} on ${threads} threads`).toBe(true);
    }
  });
});
