/**
 * @file Building blocks of the WASM SIMD attention kernels: the 4×8 register-tile micro-kernels
 * (the GEMM's tile, BLIS-style, with the A operand addressed three ways so no P or dS tile needs
 * repacking) and the packers that lay q/k/v/dO out for them. All pointers and strides are bytes.
 */
import { type CalleeOf, Func, type Local } from "./assembler.js";

/** Key block width: scores are computed Br × BC at a time (online softmax across key blocks). */
export const BC = 64;
/** Query block height. */
export const BR = 32;

/**
 * `name(kc, ap, bp, c, ldc, load)`: the 4×8 tile at `c` (rows `ldc` apart) (+)= Σ_k A(r, k)·B(k, 0..8),
 * where `A(r, k)` is the f32 at `ap + r·aRow + k·aStep` and `B(k, ·)` the 8 floats at `bp + 32k`.
 *
 * - `aRow 4, aStep 16`: A packed four rows interleaved (q, dO packed by `packT` with 4-row panels);
 * - `aRow 4·BC, aStep 4`: A = a row-major P/dS tile (P·V, dS·K);
 * - `aRow 4, aStep 4·BC`: A = the transpose of a row-major P/dS tile (Pᵀ·dO, dSᵀ·q).
 */
export function microKernel(name: string, aRow: number, aStep: number) {
  const f = new Func(name, { kc: "i32", ap: "i32", bp: "i32", c: "i32", ldc: "i32", load: "i32" });
  const { kc, ap, bp, c, ldc, load } = f.args;
  const rows = [c, ...f.locals("i32", 3)];
  const acc = f.locals("v128", 8);
  const b = f.locals("v128", 2);
  const a = f.local("v128");
  for (let r = 1; r < 4; r++) f.get(rows[r - 1]!).get(ldc).i32Add().set(rows[r]!);
  f.get(load).if(
    (g) => acc.forEach((v, i) => g.get(rows[i >> 1]!).v128Load((i & 1) * 16).set(v)),
    (g) => acc.forEach((v) => g.v128Zero().set(v)),
  );
  f.get(kc).i32(0).i32GtS().if((g) =>
    g.loop((h) => {
      h.get(bp).v128Load(0).set(b[0]).get(bp).v128Load(16).set(b[1]);
      for (let r = 0; r < 4; r++) {
        h.get(ap).v128Load32Splat(r * aRow).set(a);
        for (let x = 0; x < 2; x++) h.get(acc[r * 2 + x]!).get(a).get(b[x]!).f32x4Mul().f32x4Add().set(acc[r * 2 + x]!);
      }
      h.get(ap).i32(aStep).i32Add().set(ap);
      h.get(bp).i32(32).i32Add().set(bp);
      h.get(kc).i32(1).i32Sub().tee(kc).brIf(0);
    }),
  );
  acc.forEach((v, i) => f.get(rows[i >> 1]!).get(v).v128Store((i & 1) * 16));
  return f;
}

/** `zero(dst, bytes)`: zero-fills `bytes` (a multiple of 16) at `dst`. */
export function zeroKernel() {
  const f = new Func("zero", { dst: "i32", bytes: "i32" });
  const { dst, bytes } = f.args;
  const end = f.local("i32");
  f.get(dst).get(bytes).i32Add().set(end);
  f.block((g) =>
    g.loop((h) => {
      h.get(dst).get(end).i32GeU().brIf(1);
      h.get(dst).v128Zero().v128Store();
      h.get(dst).i32(16).i32Add().set(dst).br(0);
    }),
  );
  return f;
}

/**
 * `packT(dst, src, rs, n, hs, shift, panel, ds, scale)`: transposing pack of n rows of hs floats
 * (row j at `src + j·rs`): element (j, d)·scale goes to `dst + (j >> shift)·panel + (j mod 2^shift)·4 + d·ds`.
 * Key panels for Kᵀ use shift 3, ds 32; four interleaved query rows use shift 2, ds 16. `dst` must be zeroed.
 * Whole 4×4 blocks go through a SIMD transpose (8 shuffles); the ragged edges element by element.
 */
export function packTKernel() {
  const f = new Func("packT", { dst: "i32", src: "i32", rs: "i32", n: "i32", hs: "i32", shift: "i32", panel: "i32", ds: "i32", scale: "f32" });
  const { dst, src, rs, n, hs, shift, panel, ds, scale } = f.args;
  const [j, d, s, o, mask, n4, hs4] = f.locals("i32", 7);
  const sv = f.local("v128");
  const rows = f.locals("v128", 4);
  const tmp = f.locals("v128", 4);
  f.i32(1).get(shift).i32Shl().i32(1).i32Sub().set(mask);
  f.get(n).i32(-4).i32And().set(n4).get(hs).i32(-4).i32And().set(hs4);
  f.get(scale).f32x4Splat().set(sv);
  const rowOut = (g: Func) => g.get(dst).get(j).get(shift).i32ShrU().get(panel).i32Mul().i32Add().get(j).get(mask).i32And().i32(4).i32Mul().i32Add();
  // element by element: rows [j0, j1) × columns [d0, hs)
  const scalar = (g: Func, j0: (g: Func) => void, j1: Local<"i32">, d0: (g: Func) => void) =>
    g.for(j, j0, (x) => x.get(j1), 1, (g) => {
      d0(g);
      g.set(d);
      rowOut(g).get(d).get(ds).i32Mul().i32Add().set(o);
      g.get(src).get(j).get(rs).i32Mul().i32Add().get(d).i32(4).i32Mul().i32Add().set(s);
      g.for(d, (x) => x.get(d), (x) => x.get(hs), 1, (h) => {
        h.get(o).get(s).f32Load().get(scale).f32Mul().f32Store();
        h.get(o).get(ds).i32Add().set(o).get(s).i32(4).i32Add().set(s);
      });
    });
  f.for(j, (g) => g.i32(0), (g) => g.get(n4), 4, (g) => {
    rowOut(g).set(o);
    g.get(src).get(j).get(rs).i32Mul().i32Add().set(s);
    g.for(d, (x) => x.i32(0), (x) => x.get(hs4), 4, (h) => {
      rows.forEach((r, i) => h.get(s).get(rs).i32(i).i32Mul().i32Add().v128Load().get(sv).f32x4Mul().set(r));
      h.get(rows[0]).get(rows[1]).f32x4Shuffle(0, 4, 1, 5).set(tmp[0]);
      h.get(rows[0]).get(rows[1]).f32x4Shuffle(2, 6, 3, 7).set(tmp[1]);
      h.get(rows[2]).get(rows[3]).f32x4Shuffle(0, 4, 1, 5).set(tmp[2]);
      h.get(rows[2]).get(rows[3]).f32x4Shuffle(2, 6, 3, 7).set(tmp[3]);
      // column d + c of the four rows goes to o + c·ds
      const col = (c: number, a: Local<"v128">, b: Local<"v128">, lanes: [number, number, number, number]) =>
        h.get(o).get(ds).i32(c).i32Mul().i32Add().get(a).get(b).f32x4Shuffle(...lanes).v128Store();
      col(0, tmp[0], tmp[2], [0, 1, 4, 5]);
      col(1, tmp[0], tmp[2], [2, 3, 6, 7]);
      col(2, tmp[1], tmp[3], [0, 1, 4, 5]);
      col(3, tmp[1], tmp[3], [2, 3, 6, 7]);
      h.get(o).get(ds).i32(4).i32Mul().i32Add().set(o).get(s).i32(16).i32Add().set(s);
    });
  });
  // the right edge of the whole row groups, then the rows past them
  const j1 = f.local("i32");
  f.get(n4).set(j1);
  scalar(f, (g) => g.i32(0), j1, (g) => g.get(hs4));
  f.get(n).set(j1);
  scalar(f, (g) => g.get(n4), j1, (g) => g.i32(0));
  return f;
}

/**
 * `packC(dst, src, rs, n, hs, rowsP, scale)`: packs n rows of hs floats into column panels of 8:
 * element (j, d)·scale goes to `dst + (d >> 3)·rowsP·32 + j·32 + (d mod 8)·4`. `dst` must be zeroed.
 */
export function packCKernel() {
  const f = new Func("packC", { dst: "i32", src: "i32", rs: "i32", n: "i32", hs: "i32", rowsP: "i32", scale: "f32" });
  const { dst, src, rs, n, hs, rowsP, scale } = f.args;
  const [j, d, s, o, panel] = f.locals("i32", 5);
  const sv = f.local("v128");
  f.get(scale).f32x4Splat().set(sv);
  f.get(rowsP).i32(32).i32Mul().set(panel);
  const out = (g: Func) => g.get(dst).get(j).i32(32).i32Mul().i32Add().get(d).i32(3).i32ShrU().get(panel).i32Mul().i32Add().get(d).i32(7).i32And().i32(4).i32Mul().i32Add();
  f.for(j, (g) => g.i32(0), (g) => g.get(n), 1, (g) => {
    g.get(src).get(j).get(rs).i32Mul().i32Add().set(s);
    g.i32(0).set(d);
    g.block((h) =>
      h.loop((x) => {
        x.get(d).i32(4).i32Add().get(hs).i32GtS().brIf(1);
        out(x).set(o);
        x.get(o).get(s).get(d).i32(4).i32Mul().i32Add().v128Load().get(sv).f32x4Mul().v128Store();
        x.get(d).i32(4).i32Add().set(d).br(0);
      }),
    );
    g.for(d, (h) => h.get(d), (h) => h.get(hs), 1, (h) => {
      out(h).get(s).get(d).i32(4).i32Mul().i32Add().f32Load().get(scale).f32Mul().f32Store();
    });
  });
  return f;
}

/** `storeRows(dst, drs, src, srs, n, hs, scale)`: dst row j (hs floats) = src row j · scale. */
export function storeRowsKernel() {
  const f = new Func("storeRows", { dst: "i32", drs: "i32", src: "i32", srs: "i32", n: "i32", hs: "i32", scale: "f32" });
  const { dst, drs, src, srs, n, hs, scale } = f.args;
  const [j, d, s, o] = f.locals("i32", 4);
  const sv = f.local("v128");
  f.get(scale).f32x4Splat().set(sv);
  f.for(j, (g) => g.i32(0), (g) => g.get(n), 1, (g) => {
    g.get(src).get(j).get(srs).i32Mul().i32Add().set(s);
    g.get(dst).get(j).get(drs).i32Mul().i32Add().set(o);
    g.i32(0).set(d);
    g.block((h) =>
      h.loop((x) => {
        x.get(d).i32(4).i32Add().get(hs).i32GtS().brIf(1);
        x.get(o).get(s).v128Load().get(sv).f32x4Mul().v128Store();
        x.get(o).i32(16).i32Add().set(o).get(s).i32(16).i32Add().set(s);
        x.get(d).i32(4).i32Add().set(d).br(0);
      }),
    );
    g.for(d, (h) => h.get(d), (h) => h.get(hs), 1, (h) => {
      h.get(o).get(s).f32Load().get(scale).f32Mul().f32Store();
      h.get(o).i32(4).i32Add().set(o).get(s).i32(4).i32Add().set(s);
    });
  });
  return f;
}

/** The helpers the attention drivers call, with their parameter names. */
export interface AttnLib {
  zero: CalleeOf<typeof zeroKernel>;
  packT: CalleeOf<typeof packTKernel>;
  packC: CalleeOf<typeof packCKernel>;
  storeRows: CalleeOf<typeof storeRowsKernel>;
  micro1: CalleeOf<typeof microKernel>;
  micro3: CalleeOf<typeof microKernel>;
  micro5: CalleeOf<typeof microKernel>;
}

/**
 * Word indices of the attention call descriptor (i32s in the heap). Pointers address element
 * (0, 0, 0, 0) of each (B, heads, T, hs) array; `xB`, `xH`, `xT` are its strides, all in bytes.
 */
export const DESC = {
  q: 0, qB: 1, qH: 2, qT: 3, k: 4, kB: 5, kH: 6, kT: 7, v: 8, vB: 9, vH: 10, vT: 11,
  o: 12, oB: 13, oH: 14, oT: 15, go: 16, goB: 17, goH: 18, goT: 19, dq: 20, dqB: 21, dqH: 22, dqT: 23,
  dk: 24, dkB: 25, dkH: 26, dkT: 27, dv: 28, dvB: 29, dvH: 30, dvT: 31,
  lse: 32, H: 33, Hkv: 34, Tq: 35, Tk: 36, hs: 37, hsp: 38, TkP: 39, scale: 40, causal: 41,
  // scratch offsets, relative to the task's scratch pointer
  Kp: 42, Vx: 43, Kc: 44, dK: 45, dV: 46, Qp: 47, Qc: 48, dOp: 49, dOc: 50, Acc: 51, S: 52, dS: 53, M: 54, L: 55,
} as const;
/** Number of words in a descriptor. */
export const DESC_WORDS = 56;
/** A descriptor field name. */
export type DescField = keyof typeof DESC;
