/**
 * @file Float32 attention on the WASM SIMD kernels (`wasm/attention-*-simd.ts`): lays out the
 * call descriptor and per-task scratch, splits the (batch, kv head) pairs over the worker
 * pool — each pair is computed whole by one thread, so results do not depend on the thread count.
 */
import type { AttentionGeometry } from "./attention.js";
import { BC, BR, DESC, DESC_WORDS, type DescField } from "./wasm/attention-parts.js";
import { OP } from "./wasm/module.js";
import { callWasm, wasmParts, type Operand } from "../runtime/wasm.js";

/** Below this many FLOPs an attention call runs on one thread (waking a worker costs ~30 µs). */
export const ATTENTION_THREAD_MIN_FLOPS = 4_000_000;

const ceil8 = (n: number) => Math.ceil(n / 8) * 8;

/** FLOPs of the attention products (forward: 4·B·H·Tq·Tk·hs, halved when causal). */
export function attentionFlops(g: AttentionGeometry): number {
  return (4 * g.B * g.H * g.Tq * g.Tk * g.hs) / (g.causal ? 2 : 1);
}

/** Element strides `[offset, batch, head, time]` of a (B, heads, T, hs) array whose head dim is contiguous. */
export type Strides = readonly [number, number, number, number];

/** Where the outputs (and the output gradient) live; each defaults to contiguous (B, heads, T, hs). */
export interface AttentionLayout {
  o?: Strides;
  go?: Strides;
  dq?: Strides;
  dk?: Strides;
  dv?: Strides;
}

/** Strides of a contiguous (B, heads, T, hs) array. */
export const contiguousStrides4 = (heads: number, T: number, hs: number): Strides => [0, heads * T * hs, T * hs, hs];

// The elements [lo, hi) of a strided (B, heads, T, hs) view; strides must be non-negative.
// An output whose span has gaps is copied in too, so that copying the span back keeps the gaps.
function span(arr: Float32Array, s: Strides, B: number, heads: number, T: number, hs: number, input = true): Operand {
  const lo = s[0];
  const hi = lo + (B - 1) * s[1] + (heads - 1) * s[2] + (T - 1) * s[3] + hs;
  return { arr, lo, hi, input: input || hi - lo !== B * heads * T * hs, output: !input };
}

const whole = (arr: Float32Array, input: boolean): Operand => ({ arr, lo: 0, hi: arr.length, input, output: !input });

/** Whether the WASM kernels can read this geometry (non-negative strides, non-empty). */
export function wasmAttentionSupports(g: AttentionGeometry, layout: AttentionLayout = {}): boolean {
  const ok = (s: readonly number[] | undefined) => s === undefined || s.every((x) => x >= 0);
  return g.B * g.H * g.Tq * g.Tk * g.hs > 0 && [g.q, g.k, g.v, ...Object.values(layout)].every(ok);
}

function layout(g: AttentionGeometry, backward: boolean): { offsets: Partial<Record<DescField, number>>; bytes: number } {
  const hsp = ceil8(g.hs);
  const kvBytes = ceil8(g.Tk) * hsp * 4;
  const blockBytes = BR * hsp * 4;
  const sizes: [DescField, number][] = [["Kp", kvBytes], ["Vx", kvBytes], ["Qp", blockBytes], ["Acc", blockBytes], ["S", BR * BC * 4], ["M", BR * 4], ["L", BR * 4]];
  if (backward) sizes.push(["Kc", kvBytes], ["dK", kvBytes], ["dV", kvBytes], ["Qc", blockBytes], ["dOp", blockBytes], ["dOc", blockBytes], ["dS", BR * BC * 4]);
  const offsets: Partial<Record<DescField, number>> = {};
  let bytes = 0;
  for (const [name, n] of sizes) {
    offsets[name] = bytes;
    bytes += Math.ceil(n / 64) * 64;
  }
  return { offsets, bytes };
}

// Writes the descriptor at `p.extra` and returns the tasks: contiguous runs of (b, kv) pairs.
function describe(p: { extra: number; i32: Int32Array }, op: number, g: AttentionGeometry, ptrs: Record<string, number>, strides: Record<string, Strides>, backward: boolean, threads: number): number[][] {
  const { offsets, bytes } = layout(g, backward);
  const descBytes = Math.ceil((DESC_WORDS * 4) / 64) * 64;
  const at = p.extra;
  const w = (f: DescField, x: number) => (p.i32[(at >> 2) + DESC[f]] = x);
  for (const [f, s] of Object.entries(strides)) {
    w(f as DescField, ptrs[f]!);
    ["B", "H", "T"].forEach((axis, i) => w((f + axis) as DescField, s[i + 1]! * 4));
  }
  w("lse", ptrs["lse"]!);
  w("H", g.H);
  w("Hkv", g.Hkv);
  w("Tq", g.Tq);
  w("Tk", g.Tk);
  w("hs", g.hs);
  w("hsp", ceil8(g.hs));
  w("TkP", ceil8(g.Tk));
  p.i32[(at >> 2) + DESC.scale] = new Int32Array(new Float32Array([g.scale]).buffer)[0]!;
  w("causal", g.causal ? 1 : 0);
  for (const [f, off] of Object.entries(offsets)) w(f as DescField, off);
  const pairs = g.B * g.Hkv;
  const parts = Math.min(threads, pairs);
  const tasks: number[][] = [];
  for (let t = 0; t < parts; t++) {
    const [s, e] = [Math.floor((t * pairs) / parts), Math.floor(((t + 1) * pairs) / parts)];
    tasks.push([op, at, s, e, at + descBytes + t * bytes, 0, 0]);
  }
  return tasks;
}

function scratchBytes(g: AttentionGeometry, backward: boolean, parts: number): number {
  return Math.ceil((DESC_WORDS * 4) / 64) * 64 + parts * layout(g, backward).bytes;
}

function partsFor(g: AttentionGeometry, threads: number): number {
  return attentionFlops(g) >= ATTENTION_THREAD_MIN_FLOPS ? Math.min(wasmParts(threads), g.B * g.Hkv) : 1;
}

/**
 * Float32 `o = softmax(scale · q kᵀ + mask) v` as {@link attentionForward} (same geometry); `lse`
 * (B·H·Tq, contiguous) gets each row's logsumexp in log2 units (natural · log2 e). `o` is strided
 * as `layout.o` (default contiguous (B, H, Tq, hs)).
 */
export function attentionForwardWasm(o: Float32Array, lse: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, g: AttentionGeometry, threads = 1, layout: AttentionLayout = {}): void {
  const { B, H, Hkv, Tq, Tk, hs } = g;
  const parts = partsFor(g, threads);
  const os = layout.o ?? contiguousStrides4(H, Tq, hs);
  const ops = [span(q, g.q, B, H, Tq, hs), span(k, g.k, B, Hkv, Tk, hs), span(v, g.v, B, Hkv, Tk, hs), span(o, os, B, H, Tq, hs, false), whole(lse, false)];
  callWasm(ops, scratchBytes(g, false, parts), parts, (p) => {
    const [pq, pk, pv, po, pl] = p.ptrs as [number, number, number, number, number];
    return describe(p, OP.attnFwd, g, { q: pq, k: pk, v: pv, o: po, lse: pl }, { q: g.q, k: g.k, v: g.v, o: os }, false, parts);
  });
}

/**
 * Backward of {@link attentionForwardWasm}: writes (does not accumulate) `dq` (B, H, Tq, hs) and
 * `dk`, `dv` (B, Hkv, Tk, hs), strided as `layout` says (default contiguous), as are `go` and `o`.
 */
export function attentionBackwardWasm(
  dq: Float32Array, dk: Float32Array, dv: Float32Array,
  go: Float32Array, o: Float32Array, lse: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, g: AttentionGeometry, threads = 1, layout: AttentionLayout = {},
): void {
  const { B, H, Hkv, Tq, Tk, hs } = g;
  const parts = partsFor(g, threads);
  const [qs, ks] = [contiguousStrides4(H, Tq, hs), contiguousStrides4(Hkv, Tk, hs)];
  const st = { q: g.q, k: g.k, v: g.v, go: layout.go ?? qs, o: layout.o ?? qs, dq: layout.dq ?? qs, dk: layout.dk ?? ks, dv: layout.dv ?? ks };
  const ops = [
    span(q, st.q, B, H, Tq, hs), span(k, st.k, B, Hkv, Tk, hs), span(v, st.v, B, Hkv, Tk, hs), span(go, st.go, B, H, Tq, hs), span(o, st.o, B, H, Tq, hs),
    whole(lse, true), span(dq, st.dq, B, H, Tq, hs, false), span(dk, st.dk, B, Hkv, Tk, hs, false), span(dv, st.dv, B, Hkv, Tk, hs, false),
  ];
  callWasm(ops, scratchBytes(g, true, parts), parts, (p) => {
    const [pq, pk, pv, pgo, po, pl, pdq, pdk, pdv] = p.ptrs as number[] as [number, number, number, number, number, number, number, number, number];
    return describe(p, OP.attnBwd, g, { q: pq, k: pk, v: pv, go: pgo, o: po, lse: pl, dq: pdq, dk: pdk, dv: pdv }, st, true, parts);
  });
}
