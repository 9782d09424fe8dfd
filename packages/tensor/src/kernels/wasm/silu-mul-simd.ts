/**
 * @file WASM SIMD kernels of the fused SwiGLU gate `y = silu(a) · b` (Shazeer 2020) and its
 * gradient, one pass over four lanes each, with the polynomial `exp` of `simd-math.ts`.
 */
import { Func, type Local } from "./assembler.js";
import { emitExp } from "./simd-math.js";

type V128 = Local<"v128">;

// Pushes s = sigmoid(x) = 1 / (1 + exp(−x)) into `s`.
function sigmoid(f: Func, x: V128, s: V128, n: V128, r: V128): void {
  f.f32x4Const(0).get(x).f32x4Sub().set(s);
  f.f32x4Const(1).f32x4Const(1);
  emitExp(f, s, n, r).f32x4Add().f32x4Div().set(s);
}

/** `siluFwd(a, b, y, n)`: `y = a · sigmoid(a) · b` for n floats (a multiple of 4); pointers in bytes. */
export function siluMulForwardKernel(): Func {
  const f = new Func("siluFwd", ["i32", "i32", "i32", "i32"]);
  const [a, b, y, n] = f.i32Params(4);
  const end = f.local("i32");
  const [x, s, e, r] = f.locals("v128", 4);
  f.get(a).get(n).i32(4).i32Mul().i32Add().set(end);
  f.block((g) =>
    g.loop((h) => {
      h.get(a).get(end).i32GeU().brIf(1);
      h.get(a).v128Load().set(x);
      sigmoid(h, x, s, e, r);
      h.get(y).get(x).get(s).f32x4Mul().get(b).v128Load().f32x4Mul().v128Store();
      for (const p of [a, b, y]) h.get(p).i32(16).i32Add().set(p);
      h.br(0);
    }),
  );
  return f;
}

/**
 * `siluBwd(a, b, g, da, db, n)`: `da = g · b · s · (1 + a (1 − s))`, `db = g · a · s` with
 * `s = sigmoid(a)`, for n floats (a multiple of 4); pointers in bytes.
 */
export function siluMulBackwardKernel(): Func {
  const f = new Func("siluBwd", ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [a, b, g, da, db, n] = f.i32Params(6);
  const end = f.local("i32");
  const [x, s, e, r, gv] = f.locals("v128", 5);
  f.get(a).get(n).i32(4).i32Mul().i32Add().set(end);
  f.block((k) =>
    k.loop((h) => {
      h.get(a).get(end).i32GeU().brIf(1);
      h.get(a).v128Load().set(x);
      h.get(g).v128Load().set(gv);
      sigmoid(h, x, s, e, r);
      h.get(x).get(s).f32x4Mul().set(e); // e = a·s = silu(a)
      h.get(db).get(gv).get(e).f32x4Mul().v128Store();
      // d silu = s + silu·(1 − s)
      h.get(da).get(gv).get(b).v128Load().f32x4Mul();
      h.get(e).f32x4Const(1).get(s).f32x4Sub().f32x4Mul().get(s).f32x4Add().f32x4Mul().v128Store();
      for (const p of [a, b, g, da, db]) h.get(p).i32(16).i32Add().set(p);
      h.br(0);
    }),
  );
  return f;
}
