/**
 * @file WASM SIMD kernels of exact GELU `y = ½x(1 + erf(x/√2))` (Hendrycks & Gimpel 2016) and its
 * gradient `Φ(x) + x·φ(x)`, four lanes at a time. erf is Eigen's float32 rational approximation
 * (`generic_fast_erf_float`: odd degree-13 over even degree-8 polynomial on x clamped to [−4, 4],
 * ≤ 4e-7 absolute here, without FMA); exp is the Cephes polynomial of `simd-math.ts`.
 */
import { Func, type Local } from "./assembler.js";
import { emitExp } from "./simd-math.js";

type V128 = Local<"v128">;

const ERF_P = [-2.72614225801306e-10, 2.77068142495902e-8, -2.10102402082508e-6, -5.69250639462346e-5, -7.34990630326855e-4, -2.95459980854025e-3, -1.60960333262415e-2];
const ERF_Q = [-1.45660718464996e-5, -2.13374055278905e-4, -1.68282697438203e-3, -7.37332916720468e-3, -1.42647390514189e-2];

/** Pushes `erf(x)` of the four lanes of `x` (a NaN lane stays NaN), using the scratch locals `t`, `t2`. */
export function emitErf(f: Func, x: V128, t: V128, t2: V128): Func {
  f.get(x).f32x4Const(4).f32x4Pmin().f32x4Const(-4).f32x4Pmax().tee(t).get(t).f32x4Mul().set(t2);
  f.get(t).f32x4Const(ERF_P[0]!);
  for (const c of ERF_P.slice(1)) f.get(t2).f32x4Mul().f32x4Const(c).f32x4Add();
  f.f32x4Mul();
  f.f32x4Const(ERF_Q[0]!);
  for (const c of ERF_Q.slice(1)) f.get(t2).f32x4Mul().f32x4Const(c).f32x4Add();
  // the ratio may overshoot ±1 by an ulp or two: clamp, so 1 + erf never goes below 0
  return f.f32x4Div().f32x4Const(1).f32x4Pmin().f32x4Const(-1).f32x4Pmax();
}

// A loop over n floats (a multiple of 4) advancing every pointer by one vector per iteration.
function lanes(f: Func, pointers: Local<"i32">[], n: Local<"i32">, body: (g: Func) => void): void {
  const end = f.local("i32");
  f.get(pointers[0]!).get(n).i32(4).i32Mul().i32Add().set(end);
  f.block((k) =>
    k.loop((g) => {
      g.get(pointers[0]!).get(end).i32GeU().brIf(1);
      body(g);
      for (const p of pointers) g.get(p).i32(16).i32Add().set(p);
      g.br(0);
    }),
  );
}

/** `geluFwd(x, y, n)`: `y = ½x(1 + erf(x/√2))` for n floats (a multiple of 4); pointers in bytes. */
export function geluForwardKernel(): Func {
  const f = new Func("geluFwd", ["i32", "i32", "i32"]);
  const [x, y, n] = f.i32Params(3);
  const [v, u, t, t2] = f.locals("v128", 4);
  lanes(f, [x, y], n, (g) => {
    g.get(x).v128Load().tee(v).f32x4Const(Math.SQRT1_2).f32x4Mul().set(u);
    g.get(y).get(v).f32x4Const(0.5).f32x4Mul();
    emitErf(g, u, t, t2).f32x4Const(1).f32x4Add().f32x4Mul().v128Store();
  });
  return f;
}

/** `geluBwd(x, g, dx, n)`: `dx = g·(½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π))` for n floats (a multiple of 4). */
export function geluBackwardKernel(): Func {
  const f = new Func("geluBwd", ["i32", "i32", "i32", "i32"]);
  const [x, g, dx, n] = f.i32Params(4);
  const [v, u, t, t2, e] = f.locals("v128", 5);
  lanes(f, [x, g, dx], n, (h) => {
    h.get(x).v128Load().tee(v).f32x4Const(Math.SQRT1_2).f32x4Mul().set(u);
    h.get(dx).get(g).v128Load();
    emitErf(h, u, t, t2).f32x4Const(1).f32x4Add().f32x4Const(0.5).f32x4Mul(); // Φ(x)
    h.get(v).get(v).f32x4Mul().f32x4Const(-0.5).f32x4Mul().set(e);
    h.get(v);
    emitExp(h, e, t, t2).f32x4Mul().f32x4Const(1 / Math.sqrt(2 * Math.PI)).f32x4Mul(); // x·φ(x)
    h.f32x4Add().f32x4Mul().v128Store();
  });
  return f;
}
