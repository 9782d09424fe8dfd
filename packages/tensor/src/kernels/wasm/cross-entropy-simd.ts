/**
 * @file WASM SIMD kernel of fused cross-entropy over rows of `V` logits: row max, the polynomial
 * `exp` summed over four lanes, `loss = logsumexp − x[target]`, and — in the same pass, while the
 * row is in L1 — the gradient `scale · (softmax − onehot)`, so backward has nothing left to do.
 */
import { Func, type Local } from "./assembler.js";
import { emitExp, emitHMax, emitHSum, emitLog } from "./simd-math.js";

type I32 = Local<"i32">;

/**
 * `ceFwd(x, tgt, dx, loss, rows, V, scaleBits)`: for each row, `loss = lse − x[t]` (0 where the
 * int32 target `t` is negative, i.e. ignored) and, when `dx` ≠ 0, `dx = scale · (exp(x − lse) − onehot(t))`
 * (zeros on ignored rows); `scaleBits` is the f32 `scale` reinterpreted as i32. Pointers in bytes.
 */
export function crossEntropyKernel(): Func {
  const f = new Func("ceFwd", Array<"i32">(7).fill("i32"));
  const [x, tgt, dx, loss, rows, V, scaleBits] = f.i32Params(7);
  const [j, vec, end, t, grad, eb, bits] = f.locals("i32", 7);
  const [m, s, es, lse, scale, c] = f.locals("f32", 6);
  const [mv, sv, xv, n, r] = f.locals("v128", 5);
  const [d1, d2] = f.locals("f64", 2);
  f.get(V).i32(-4).i32And().i32(4).i32Mul().set(vec);
  f.get(V).i32(4).i32Mul().set(end);
  f.get(dx).i32(0).i32Ne().set(grad);
  f.get(scaleBits).f32ReinterpretI32().set(scale);
  const each = (g: Func, from: I32 | number, to: I32, step: number, body: (h: Func) => void) =>
    g.for(j, (h) => (typeof from === "number" ? h.i32(from) : h.get(from)), (h) => h.get(to), step, body);
  // exp(x[j] − m), four lanes from `xv`, stored to dx when `store`
  const sumExp = (g: Func, store: boolean) => {
    g.v128Zero().set(sv).f32(0).set(s);
    each(g, 0, vec, 16, (h) => {
      h.get(x).get(j).i32Add().v128Load().get(mv).f32x4Sub().set(xv);
      emitExp(h, xv, n, r).set(xv);
      if (store) h.get(dx).get(j).i32Add().get(xv).v128Store();
      h.get(sv).get(xv).f32x4Add().set(sv);
    });
    each(g, vec, end, 4, (h) => {
      h.get(x).get(j).i32Add().f32Load().get(m).f32Sub().f32x4Splat().set(xv);
      emitExp(h, xv, n, r).f32x4ExtractLane(0).set(es);
      if (store) h.get(dx).get(j).i32Add().get(es).f32Store();
      h.get(s).get(es).f32Add().set(s);
    });
  };
  f.block((b) =>
    b.loop((g) => {
      g.get(rows).i32Eqz().brIf(1);
      g.f32x4Const(-Infinity).set(mv);
      each(g, 0, vec, 16, (h) => h.get(mv).get(x).get(j).i32Add().v128Load().f32x4Pmax().set(mv));
      emitHMax(g, mv).set(m);
      each(g, vec, end, 4, (h) => h.get(m).get(x).get(j).i32Add().f32Load().f32Max().set(m));
      g.get(m).f32x4Splat().set(mv);
      g.get(grad).if((h) => sumExp(h, true), (h) => sumExp(h, false));
      emitHSum(g, sv).get(s).f32Add().set(s); // row sum ≥ 1: the max contributes exp(0)
      emitLog(g, s, eb, bits, d1, d2).get(m).f32Add().set(lse);
      g.get(tgt).i32Load().set(t);
      g.get(t).i32(0).i32LtS().if(
        (h) => {
          h.get(loss).f32(0).f32Store();
          h.get(grad).if((k) => each(k, 0, end, 4, (l) => l.get(dx).get(j).i32Add().f32(0).f32Store()));
        },
        (h) => {
          h.get(loss).get(lse).get(x).get(t).i32(4).i32Mul().i32Add().f32Load().f32Sub().f32Store();
          h.get(grad).if((k) => {
            k.get(scale).get(s).f32Div().tee(c).f32x4Splat().set(xv);
            each(k, 0, vec, 16, (l) => l.get(dx).get(j).i32Add().get(dx).get(j).i32Add().v128Load().get(xv).f32x4Mul().v128Store());
            each(k, vec, end, 4, (l) => l.get(dx).get(j).i32Add().get(dx).get(j).i32Add().f32Load().get(c).f32Mul().f32Store());
            k.get(dx).get(t).i32(4).i32Mul().i32Add().tee(j).get(j).f32Load().get(scale).f32Sub().f32Store();
          });
        },
      );
      g.get(x).get(end).i32Add().set(x);
      g.get(dx).get(end).i32Add().set(dx);
      g.get(tgt).i32(4).i32Add().set(tgt);
      g.get(loss).i32(4).i32Add().set(loss);
      g.get(rows).i32(1).i32Sub().set(rows).br(0);
    }),
  );
  return f;
}
