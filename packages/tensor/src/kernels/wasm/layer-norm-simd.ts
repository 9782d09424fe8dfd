/**
 * @file WASM SIMD kernels of LayerNorm (Ba et al. 2016) over rows of `n` floats (`n` a multiple of
 * 4): the forward, the input gradient row by row, and the weight and bias gradients summed over rows
 * in float64 column by column — each column in row order, so any split by columns gives the same bits.
 */
import { Func, type Local } from "./assembler.js";
import { emitHSum } from "./simd-math.js";

type I32 = Local<"i32">;

// for (j = 0; j < end; j += 16) body — j is a byte offset into the row
function row(f: Func, j: I32, end: I32, body: (g: Func) => void): void {
  f.for(j, (h) => h.i32(0), (h) => h.get(end), 16, body);
}

// loads the vector at byte offset j of array p
const at = (f: Func, p: I32, j: I32) => f.get(p).get(j).i32Add();

/**
 * `lnFwd(y, mean, rstd, x, w, b, rows, n, epsBits)`: per row `μ = mean(x)`, `rstd = 1/√(mean((x − μ)²) + eps)`
 * (both stored as f32) and `y = (x − μ)·rstd·w + b`; `epsBits` is the f32 eps as i32. Pointers in bytes.
 */
export function layerNormForwardKernel(): Func {
  const f = new Func("lnFwd", Array<"i32">(9).fill("i32"));
  const [y, mean, rstd, x, w, b, rows, n, epsBits] = f.i32Params(9);
  const [j, end] = f.locals("i32", 2);
  const [acc, d, mv, sv] = f.locals("v128", 4);
  const [mu, s] = f.locals("f32", 2);
  f.get(n).i32(4).i32Mul().set(end);
  const nf = (g: Func) => g.get(n).f64ConvertI32S();
  f.block((k) =>
    k.loop((g) => {
      g.get(rows).i32Eqz().brIf(1);
      g.v128Zero().set(acc);
      row(g, j, end, (h) => at(h, x, j).v128Load().get(acc).f32x4Add().set(acc));
      emitHSum(g, acc).f64PromoteF32();
      nf(g).f64Div().f32DemoteF64().set(mu);
      g.get(mu).f32x4Splat().set(mv).v128Zero().set(acc);
      row(g, j, end, (h) => at(h, x, j).v128Load().get(mv).f32x4Sub().tee(d).get(d).f32x4Mul().get(acc).f32x4Add().set(acc));
      g.f64(1);
      emitHSum(g, acc).f64PromoteF32();
      nf(g).f64Div().get(epsBits).f32ReinterpretI32().f64PromoteF32().f64Add().f64Sqrt().f64Div().f32DemoteF64().set(s);
      g.get(mean).get(mu).f32Store().get(rstd).get(s).f32Store();
      g.get(s).f32x4Splat().set(sv);
      row(g, j, end, (h) => {
        at(h, y, j);
        at(h, x, j).v128Load().get(mv).f32x4Sub().get(sv).f32x4Mul();
        at(h, w, j).v128Load().f32x4Mul();
        at(h, b, j).v128Load().f32x4Add().v128Store();
      });
      for (const p of [y, x]) g.get(p).get(end).i32Add().set(p);
      for (const p of [mean, rstd]) g.get(p).i32(4).i32Add().set(p);
      g.get(rows).i32(1).i32Sub().set(rows).br(0);
    }),
  );
  return f;
}

/**
 * `lnBwd(dx, g, x, w, mean, rstd, rows, n)`: with `x̂ = (x − μ)·rstd` and `ĝ = g⊙w`,
 * `dx = rstd·(ĝ − Σĝ/n − x̂·Σ(ĝ⊙x̂)/n)` per row. Pointers in bytes.
 */
export function layerNormBackwardKernel(): Func {
  const f = new Func("lnBwd", Array<"i32">(8).fill("i32"));
  const [dx, g, x, w, mean, rstd, rows, n] = f.i32Params(8);
  const [j, end] = f.locals("i32", 2);
  const [sg, sgx, xh, gh, mv, rv, av, bv] = f.locals("v128", 8);
  const inv = f.local("f32");
  f.get(n).i32(4).i32Mul().set(end);
  f.f32(1).get(n).f64ConvertI32S().f32DemoteF64().f32Div().set(inv);
  // x̂ and ĝ at byte offset j
  const load = (h: Func) => {
    at(h, x, j).v128Load().get(mv).f32x4Sub().get(rv).f32x4Mul().set(xh);
    at(h, g, j).v128Load();
    at(h, w, j).v128Load().f32x4Mul().set(gh);
  };
  f.block((k) =>
    k.loop((h) => {
      h.get(rows).i32Eqz().brIf(1);
      h.get(mean).f32Load().f32x4Splat().set(mv).get(rstd).f32Load().f32x4Splat().set(rv);
      h.v128Zero().set(sg).v128Zero().set(sgx);
      row(h, j, end, (l) => {
        load(l);
        l.get(sg).get(gh).f32x4Add().set(sg);
        l.get(sgx).get(gh).get(xh).f32x4Mul().f32x4Add().set(sgx);
      });
      emitHSum(h, sg).get(inv).f32Mul().f32x4Splat().set(av);
      emitHSum(h, sgx).get(inv).f32Mul().f32x4Splat().set(bv);
      row(h, j, end, (l) => {
        load(l);
        at(l, dx, j).get(gh).get(av).f32x4Sub().get(xh).get(bv).f32x4Mul().f32x4Sub().get(rv).f32x4Mul().v128Store();
      });
      for (const p of [dx, g, x]) h.get(p).get(end).i32Add().set(p);
      for (const p of [mean, rstd]) h.get(p).i32(4).i32Add().set(p);
      h.get(rows).i32(1).i32Sub().set(rows).br(0);
    }),
  );
  return f;
}

/**
 * `lnDwb(dw, db, g, x, mean, rstd, rows, stride, cols)`: `dw[c] = Σ_rows g·x̂`, `db[c] = Σ_rows g` in
 * float64 for `cols` columns (a multiple of 4) of rows `stride` floats apart; `dw`, `db` hold f64.
 */
export function layerNormParamGradKernel(): Func {
  const f = new Func("lnDwb", Array<"i32">(9).fill("i32"));
  const [dw, db, g, x, mean, rstd, rows, stride, cols] = f.i32Params(9);
  const [j, i, end, step] = f.locals("i32", 4);
  const [gv, p, mv, rv] = f.locals("v128", 4);
  f.get(cols).i32(4).i32Mul().set(end);
  f.get(stride).i32(4).i32Mul().set(step);
  f.for(j, (h) => h.i32(0), (h) => h.get(cols).i32(8).i32Mul(), 8, (h) => {
    h.get(dw).get(j).i32Add().f64(0).f64Store();
    h.get(db).get(j).i32Add().f64(0).f64Store();
  });
  // acc[j/4 .. j/4 + 3] += the four lanes of v, promoted to f64
  const addTo = (k: Func, acc: I32, v: Local<"v128">) => {
    const to = (l: Func, off: number) => l.get(acc).get(j).i32(2).i32Mul().i32Add().i32(off).i32Add();
    to(k, 0);
    to(k, 0).v128Load().get(v).f64x2PromoteLow().f64x2Add().v128Store();
    to(k, 16);
    to(k, 16).v128Load().get(v).get(v).f32x4Shuffle(2, 3, 0, 1).f64x2PromoteLow().f64x2Add().v128Store();
  };
  f.for(i, (h) => h.i32(0), (h) => h.get(rows), 1, (h) => {
    h.get(mean).f32Load().f32x4Splat().set(mv).get(rstd).f32Load().f32x4Splat().set(rv);
    row(h, j, end, (k) => {
      at(k, g, j).v128Load().tee(gv);
      at(k, x, j).v128Load().get(mv).f32x4Sub().get(rv).f32x4Mul().f32x4Mul().set(p);
      addTo(k, dw, p);
      addTo(k, db, gv);
    });
    h.get(g).get(step).i32Add().set(g).get(x).get(step).i32Add().set(x);
    for (const q of [mean, rstd]) h.get(q).i32(4).i32Add().set(q);
  });
  return f;
}
