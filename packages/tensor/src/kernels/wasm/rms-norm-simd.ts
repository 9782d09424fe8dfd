/**
 * @file WASM SIMD kernels of RMSNorm (Zhang & Sennrich 2019) over rows of `n` floats (`n` a
 * multiple of 4): the forward, the input gradient row by row, and the weight gradient summed over
 * rows in float64 column by column — each column in row order, so any split by columns gives the same bits.
 */
import { Func } from "./assembler.js";
import { emitHSum } from "./simd-math.js";

/**
 * `rmsFwd(y, rstd, x, w, rows, n, epsBits)`: `rstd = 1/√(mean(x²) + eps)` per row (f32) and
 * `y = x · rstd · w` (`w` = 0: no scale); `epsBits` is the f32 eps as i32. Pointers in bytes.
 */
export function rmsNormForwardKernel(): Func {
  const f = new Func("rmsFwd", Array<"i32">(7).fill("i32"));
  const [y, rstd, x, w, rows, n, epsBits] = f.i32Params(7);
  const [j, end] = f.locals("i32", 2);
  const [acc, v, sv] = f.locals("v128", 3);
  const s = f.local("f32");
  f.get(n).i32(4).i32Mul().set(end);
  f.block((b) =>
    b.loop((g) => {
      g.get(rows).i32Eqz().brIf(1);
      g.v128Zero().set(acc);
      g.for(j, (h) => h.i32(0), (h) => h.get(end), 16, (h) => h.get(x).get(j).i32Add().v128Load().tee(v).get(v).f32x4Mul().get(acc).f32x4Add().set(acc));
      g.f64(1);
      emitHSum(g, acc).f64PromoteF32().get(n).f64ConvertI32S().f64Div().get(epsBits).f32ReinterpretI32().f64PromoteF32().f64Add().f64Sqrt().f64Div();
      g.f32DemoteF64().set(s).get(rstd).get(s).f32Store();
      g.get(s).f32x4Splat().set(sv);
      g.get(w).if(
        (h) => h.for(j, (k) => k.i32(0), (k) => k.get(end), 16, (k) =>
          k.get(y).get(j).i32Add().get(x).get(j).i32Add().v128Load().get(sv).f32x4Mul().get(w).get(j).i32Add().v128Load().f32x4Mul().v128Store()),
        (h) => h.for(j, (k) => k.i32(0), (k) => k.get(end), 16, (k) =>
          k.get(y).get(j).i32Add().get(x).get(j).i32Add().v128Load().get(sv).f32x4Mul().v128Store()),
      );
      for (const p of [y, x]) g.get(p).get(end).i32Add().set(p);
      g.get(rstd).i32(4).i32Add().set(rstd);
      g.get(rows).i32(1).i32Sub().set(rows).br(0);
    }),
  );
  return f;
}

/**
 * `rmsBwd(dx, g, x, w, rstd, rows, n)`: `dx = r·g⊙w − x·r³·Σ(g⊙w⊙x)/n` per row with `r = rstd`
 * (`w` = 0: no scale). Pointers in bytes.
 */
export function rmsNormBackwardKernel(): Func {
  const f = new Func("rmsBwd", Array<"i32">(7).fill("i32"));
  const [dx, g, x, w, rstd, rows, n] = f.i32Params(7);
  const [j, end] = f.locals("i32", 2);
  const [acc, rv, cv] = f.locals("v128", 3);
  const [r, c] = f.locals("f32", 2);
  f.get(n).i32(4).i32Mul().set(end);
  // pushes g⊙w at column j (or g alone)
  const loadGW = (h: Func, scaled: boolean) => {
    h.get(g).get(j).i32Add().v128Load();
    if (scaled) h.get(w).get(j).i32Add().v128Load().f32x4Mul();
    return h;
  };
  const body = (k: Func, scaled: boolean) => {
    k.v128Zero().set(acc);
    k.for(j, (h) => h.i32(0), (h) => h.get(end), 16, (h) =>
      loadGW(h, scaled).get(x).get(j).i32Add().v128Load().f32x4Mul().get(acc).f32x4Add().set(acc));
    // c = Σ(g⊙w⊙x) · r³ / n
    emitHSum(k, acc).get(r).f32Mul().get(r).f32Mul().get(r).f32Mul().get(n).f64ConvertI32S().f32DemoteF64().f32Div().set(c);
    k.get(r).f32x4Splat().set(rv).get(c).f32x4Splat().set(cv);
    k.for(j, (h) => h.i32(0), (h) => h.get(end), 16, (h) => {
      h.get(dx).get(j).i32Add().get(rv);
      loadGW(h, scaled).f32x4Mul().get(x).get(j).i32Add().v128Load().get(cv).f32x4Mul().f32x4Sub().v128Store();
    });
  };
  f.block((b) =>
    b.loop((k) => {
      k.get(rows).i32Eqz().brIf(1);
      k.get(rstd).f32Load().set(r);
      k.get(w).if((h) => body(h, true), (h) => body(h, false));
      for (const p of [dx, g, x]) k.get(p).get(end).i32Add().set(p);
      k.get(rstd).i32(4).i32Add().set(rstd);
      k.get(rows).i32(1).i32Sub().set(rows).br(0);
    }),
  );
  return f;
}

/**
 * `rmsDw(dw, g, x, rstd, rows, stride, cols)`: `dw[c] = Σ_rows g·x·rstd` in float64 for `cols`
 * columns (a multiple of 4) of rows `stride` floats apart; `dw` holds f64. Pointers in bytes.
 */
export function rmsNormWeightGradKernel(): Func {
  const f = new Func("rmsDw", Array<"i32">(7).fill("i32"));
  const [dw, g, x, rstd, rows, stride, cols] = f.i32Params(7);
  const [j, i, end, step] = f.locals("i32", 4);
  const [p, rv] = f.locals("v128", 2);
  f.get(cols).i32(4).i32Mul().set(end);
  f.get(stride).i32(4).i32Mul().set(step);
  f.for(j, (h) => h.i32(0), (h) => h.get(cols).i32(8).i32Mul(), 8, (h) => h.get(dw).get(j).i32Add().f64(0).f64Store());
  f.for(i, (h) => h.i32(0), (h) => h.get(rows), 1, (h) => {
    h.get(rstd).f32Load().f32x4Splat().set(rv);
    h.for(j, (k) => k.i32(0), (k) => k.get(end), 16, (k) => {
      k.get(g).get(j).i32Add().v128Load().get(x).get(j).i32Add().v128Load().f32x4Mul().get(rv).f32x4Mul().set(p);
      // dw[j/4 .. +1] += promote(p lanes 0, 1); dw[+2 .. +3] += promote(p lanes 2, 3)
      const at = (l: Func, off: number) => l.get(dw).get(j).i32(2).i32Mul().i32Add().i32(off).i32Add();
      at(k, 0);
      at(k, 0).v128Load().get(p).f64x2PromoteLow().f64x2Add().v128Store();
      at(k, 16);
      at(k, 16).v128Load().get(p).get(p).f32x4Shuffle(2, 3, 0, 1).f64x2PromoteLow().f64x2Add().v128Store();
    });
    h.get(g).get(step).i32Add().set(g).get(x).get(step).i32Add().set(x);
    h.get(rstd).i32(4).i32Add().set(rstd);
  });
  return f;
}
