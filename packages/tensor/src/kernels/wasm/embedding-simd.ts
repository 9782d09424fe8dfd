/**
 * @file WASM SIMD kernels of the embedding lookup (row gather) and its backward (scatter-add into
 * a float64 accumulator, then rounded to float32) over a (V, D) table, `D` a multiple of 4. The
 * backward owns a range of columns for every row, so any split by columns gives the same bits.
 */
import { Func } from "./assembler.js";

/** `embFwd(y, w, ids, n, D)`: `y[i] = w[ids[i]]` for n ids, rows of D floats; pointers in bytes. */
export function embeddingForwardKernel(): Func {
  const f = new Func("embFwd", Array<"i32">(5).fill("i32"));
  const [y, w, ids, n, D] = f.i32Params(5);
  const [i, j, bytes, src] = f.locals("i32", 4);
  f.get(D).i32(4).i32Mul().set(bytes);
  f.for(i, (g) => g.i32(0), (g) => g.get(n), 1, (g) => {
    g.get(w).get(ids).i32Load().get(bytes).i32Mul().i32Add().set(src);
    g.for(j, (h) => h.i32(0), (h) => h.get(bytes), 16, (h) => h.get(y).get(j).i32Add().get(src).get(j).i32Add().v128Load().v128Store());
    g.get(y).get(bytes).i32Add().set(y).get(ids).i32(4).i32Add().set(ids);
  });
  return f;
}

/**
 * `embBwd(dw, acc, g, ids, n, V, D, c0, c1)`: for columns [c0, c1) (multiples of 4) of every row,
 * `acc = Σ_{i: ids[i] = row} g[i]` in float64 (acc holds V·D f64, zeroed here), then `dw = f32(acc)`.
 */
export function embeddingBackwardKernel(): Func {
  const f = new Func("embBwd", Array<"i32">(9).fill("i32"));
  const [dw, acc, g, ids, n, V, D, c0, c1] = f.i32Params(9);
  const [i, v, j, lo, hi, rowBytes, a, p] = f.locals("i32", 8);
  const [x, s] = f.locals("v128", 2);
  f.get(c0).i32(4).i32Mul().set(lo).get(c1).i32(4).i32Mul().set(hi).get(D).i32(4).i32Mul().set(rowBytes);
  // a = acc address of (row, column byte j) = acc + 2·(row·D·4 + j)
  const accAt = (h: Func, row: (k: Func) => void) => {
    row(h);
    h.get(rowBytes).i32Mul().get(j).i32Add().i32(2).i32Mul().get(acc).i32Add().set(a);
  };
  f.for(v, (h) => h.i32(0), (h) => h.get(V), 1, (h) =>
    h.for(j, (k) => k.get(lo), (k) => k.get(hi), 16, (k) => {
      accAt(k, (l) => l.get(v));
      k.get(a).v128Zero().v128Store().get(a).v128Zero().v128Store(16);
    }));
  f.for(i, (h) => h.i32(0), (h) => h.get(n), 1, (h) => {
    h.get(g).get(i).get(rowBytes).i32Mul().i32Add().set(p);
    h.for(j, (k) => k.get(lo), (k) => k.get(hi), 16, (k) => {
      accAt(k, (l) => l.get(ids).get(i).i32(4).i32Mul().i32Add().i32Load());
      k.get(p).get(j).i32Add().v128Load().set(x);
      k.get(a).get(a).v128Load().get(x).f64x2PromoteLow().f64x2Add().v128Store();
      k.get(a).get(a).v128Load(16).get(x).get(x).f32x4Shuffle(2, 3, 0, 1).f64x2PromoteLow().f64x2Add().v128Store(16);
    });
  });
  f.for(v, (h) => h.i32(0), (h) => h.get(V), 1, (h) =>
    h.for(j, (k) => k.get(lo), (k) => k.get(hi), 16, (k) => {
      accAt(k, (l) => l.get(v));
      k.get(a).v128Load().f32x4DemoteF64x2Zero().set(s);
      k.get(dw).get(v).get(rowBytes).i32Mul().i32Add().get(j).i32Add();
      k.get(s).get(a).v128Load(16).f32x4DemoteF64x2Zero().f32x4Shuffle(0, 1, 4, 5).v128Store();
    }));
  return f;
}
