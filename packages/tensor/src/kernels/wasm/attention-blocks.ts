/**
 * @file The code the forward and backward WASM attention drivers share: their locals, the loop nest
 * (batch, kv head) → query head → query block → key block with its causal bounds, the packers'
 * layouts, the tiled products `S = A Bᵀ` and `O += P V`, and the 4-lane chunks of a score row.
 */
import { addr, type Emit, type Func, type Local, mul, type Operand } from "./assembler.js";
import { type AttnLib, BC, BR, DESC, type DescField } from "./attention-parts.js";
import { minI32 } from "./simd-math.js";

type I32 = Local<"i32">;

/** The parameters of `attnFwd` and `attnBwd`. */
export const ATTN_PARAMS = { desc: "i32", start: "i32", end: "i32", scratch: "i32" } as const;

/** Block-relative loop state. */
export interface BlockVars {
  /** First query row of the block, and its row count. */
  i0: I32;
  nr: I32;
  /** First key of the key block, and its key count. */
  j0: I32;
  nb: I32;
  /** Tk − Tq: query i sees keys j ≤ i + off. */
  off: I32;
  causal: I32;
  tmp: I32;
  tmp2: I32;
}

/** Descriptor fields the shared blocks read. */
type Field = "H" | "Hkv" | "Tq" | "Tk" | "hs" | "hsp" | "TkP" | "causal" | "Acc";
/** Locals the shared blocks use. */
type Name = "p" | "b" | "kv" | "h" | "hEnd" | "lastKey" | "rp" | "c" | "cols" | "nvalid" | "nfull" | "t";

/** A driver's state: its helpers, descriptor fields `d`, named i32 locals `l`, block state `v`, and `scale`. */
export interface Attn<K extends DescField = Field, N extends string = Name> {
  readonly lib: AttnLib;
  readonly d: Record<K, I32>;
  readonly l: Record<N, I32>;
  readonly v: BlockVars;
  readonly scale: Local<"f32">;
}

/**
 * Declares a driver's locals, in this order: one per descriptor field (loaded from `desc`, scratch
 * offsets made absolute), the f32 `scale`, the i32 `names`, then the block state.
 */
export function attnLocals<K extends DescField, N extends string>(f: Func<typeof ATTN_PARAMS>, lib: AttnLib, fields: readonly K[], names: readonly N[]): Attn<K, N> {
  const { desc, scratch } = f.args;
  const d = {} as Record<K, I32>;
  for (const n of fields) {
    f.get(desc).i32Load(DESC[n] * 4);
    if (DESC[n] >= DESC.Kp) f.get(scratch).i32Add();
    f.set((d[n] = f.local("i32")));
  }
  const scale = f.local("f32");
  f.get(desc).i32Load(DESC.scale * 4).f32ReinterpretI32().set(scale);
  const l = f.named("i32", names);
  const [i0, nr, j0, nb, off, tmp, tmp2] = f.locals("i32", 7);
  const causal = (d as Partial<Record<DescField, I32>>).causal;
  if (causal === undefined) throw new Error(`${f.name}: the descriptor fields must include causal`);
  return { lib, d, l, scale, v: { i0, nr, j0, nb, off, causal, tmp, tmp2 } };
}

/**
 * For each (batch, kv head) pair p in [start, end): `b, kv = divmod(p, Hkv)`, then `pair`, then
 * `head` for each query head h of kv's group, then `after`.
 */
export function eachPair(f: Func<typeof ATTN_PARAMS>, a: Attn, steps: { pair: Emit; head: Emit; after?: Emit }): void {
  const { d, l, v } = a;
  f.get(d.Tk).get(d.Tq).i32Sub().set(v.off);
  f.for(l.p, f.args.start, f.args.end, 1, (g) => {
    g.get(l.p).get(d.Hkv).i32DivU().set(l.b).get(l.p).get(d.Hkv).i32RemU().set(l.kv);
    steps.pair(g);
    // the group of kv: query heads [kv·H/Hkv, (kv + 1)·H/Hkv)
    const group = (x: Func) => x.get(d.H).get(d.Hkv).i32DivU();
    g.push(mul(group, l.kv)).tee(l.h).push(group).i32Add().set(l.hEnd);
    g.for(l.h, l.h, l.hEnd, 1, steps.head);
    steps.after?.(g);
  });
}

/** For each query block i0 of BR rows: `nr = min(BR, Tq − i0)`, then `body`. */
export function eachQueryBlock(g: Func, a: Attn, body: Emit): void {
  const { d, l, v } = a;
  g.for(v.i0, 0, d.Tq, BR, (g) => {
    g.get(d.Tq).get(v.i0).i32Sub().set(l.t);
    g.i32(BR).set(v.nr);
    minI32(g, v.nr, l.t).set(v.nr);
    body(g);
  });
}

/** For each key block j0 of BC keys up to the last one the query block's last row sees: `nb = min(BC, Tk − j0)`, then `body`. */
export function eachKeyBlock(g: Func, a: Attn, body: Emit): void {
  const { d, l, v } = a;
  g.get(d.Tk).set(v.nb).i32(0).set(v.j0);
  emitLastKey(g, v, (x) => x.get(v.nr).i32(1).i32Sub()).i32(1).i32Add().set(l.lastKey);
  g.for(v.j0, 0, l.lastKey, BC, (g) => {
    g.get(d.Tk).get(v.j0).i32Sub().set(l.t).i32(BC).set(v.nb);
    minI32(g, v.nb, l.t).set(v.nb);
    body(g);
  });
}

/** Bytes of a (Tk padded) × hsp per-kv-head buffer, and of a BR × hsp per-block buffer. */
export const kvBytes = (a: Attn): Emit => mul(a.d.TkP, a.d.hsp, 4);
export const blockBytes = (a: Attn): Emit => mul(a.d.hsp, BR * 4);

/** Zero-fills each buffer in `bufs`, `bytes` long. */
export function zero(g: Func, a: Attn, bufs: readonly I32[], bytes: Emit): void {
  for (const dst of bufs) g.call(a.lib.zero, { dst, bytes });
}

/** Packs the Tk rows of K or V at `src` (row stride `rs`) as Kᵀ panels of 8 keys, d-major: the B operand of `S = A Kᵀ`. */
export function keyPanels(g: Func, a: Attn, dst: I32, src: Operand, rs: I32): void {
  const { d } = a;
  g.call(a.lib.packT, { dst, src, rs, n: d.Tk, hs: d.hs, shift: 3, panel: mul(d.hsp, 32), ds: 32, scale: 1 });
}

/** Packs the Tk rows of K or V at `src` in column panels of 8: the B operand of `O += P V`. */
export function keyColumns(g: Func, a: Attn, dst: I32, src: Operand, rs: I32): void {
  const { d } = a;
  g.call(a.lib.packC, { dst, src, rs, n: d.Tk, hs: d.hs, rowsP: d.TkP, scale: 1 });
}

/** Packs the block's nr query (or dO) rows at `src`, times `scale`, four rows interleaved: the A operand of `S = A Kᵀ`. */
export function queryPanels(g: Func, a: Attn, dst: I32, src: Operand, rs: I32, scale: Emit | number): void {
  const { d, v } = a;
  g.call(a.lib.packT, { dst, src, rs, n: v.nr, hs: d.hs, shift: 2, panel: mul(d.hsp, 16), ds: 16, scale });
}

/** `s = a bᵀ` for each `[a, b, s]` of `tiles` (Qp/Kp → S, dOp/Vx → dS), on the 8-key panels each 4-row panel sees. */
export function scoreTiles(g: Func, a: Attn, tiles: readonly (readonly [I32, I32, I32])[]): void {
  const { d, l, v } = a;
  g.for(l.rp, 0, v.nr, 4, (g) => {
    emitCols(g, v, l.rp, l.cols);
    g.for(l.c, 0, l.cols, 8, (x) => {
      for (const [ap, bp, s] of tiles) {
        const c = addr(s, [l.rp, BC * 4], [l.c, 4]);
        x.call(a.lib.micro1, { kc: d.hsp, ap: addr(ap, [l.rp, d.hsp, 4]), bp: addr(bp, [addr(v.j0, l.c), d.hsp, 4]), c, ldc: BC * 4, load: 0 });
      }
    });
  });
}

/** `Acc += p b` (P·V, dS·K): `p` the block's BR × BC score tile, `b` keys in column panels. */
export function accumulateTiles(g: Func, a: Attn, p: I32, b: I32): void {
  const { d, l, v } = a;
  g.for(l.rp, 0, v.nr, 4, (g) => {
    emitCols(g, v, l.rp, l.cols);
    g.for(l.c, 0, d.hsp, 8, (x) => {
      const c = addr(d.Acc, [addr([l.rp, d.hsp], l.c), 4]);
      x.call(a.lib.micro3, { kc: l.cols, ap: addr(p, [l.rp, BC * 4]), bp: addr(b, [l.c, d.TkP, 4], [v.j0, 32]), c, ldc: mul(d.hsp, 4), load: 1 });
    });
  });
}

/** Runs `body` on the 4-float chunks c of [0, cols): unmasked while c + 4 ≤ nvalid, then masked. */
export function chunks(g: Func, a: Attn, body: (g: Func, masked: boolean) => void): void {
  const { l } = a;
  g.get(l.nvalid).i32(-4).i32And().set(l.nfull);
  g.for(l.c, 0, l.nfull, 4, (x) => body(x, false));
  g.for(l.c, l.nfull, l.cols, 4, (x) => body(x, true));
}

/** Pushes the lane mask of chunk c: lane i is all ones while c + i < nvalid (splatted in `nvv`). */
export function laneMask(g: Func, a: Attn, nvv: Local<"v128">): Func {
  return g.get(a.l.c).i32x4Splat().i32x4Const(0, 1, 2, 3).i32x4Add().get(nvv).i32x4LtS();
}

/**
 * Pushes the block-relative index of the last key that block row `r` (pushed by `row`) may see,
 * `min(i0 + r + off − j0, nb − 1)` when causal, else `nb − 1`; negative when it sees none.
 */
export function emitLastKey(f: Func, v: BlockVars, row: Emit): Func {
  f.get(v.nb).i32(1).i32Sub().set(v.tmp);
  f.get(v.causal).if((g) => {
    g.get(v.i0);
    row(g);
    g.i32Add().get(v.off).i32Add().get(v.j0).i32Sub().set(v.tmp2);
    minI32(g, v.tmp2, v.tmp).set(v.tmp);
  });
  return f.get(v.tmp);
}

/** Sets `cols` to the key columns computed for the 4-row panel starting at block row `rp`: a multiple of 8, or 0. */
export function emitCols(f: Func, v: BlockVars, rp: I32, cols: I32): Func {
  // the panel's last row is min(rp + 3, nr − 1)
  emitLastKey(f, v, (g) => {
    g.get(rp).i32(3).i32Add().get(v.nr).i32(1).i32Sub().get(rp).i32(3).i32Add().get(v.nr).i32(1).i32Sub().i32LtS().select();
  }).set(cols);
  return f.get(cols).i32(8).i32Add().i32(-8).i32And().i32(0).get(cols).i32(0).i32GeS().select().set(cols);
}
