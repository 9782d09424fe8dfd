/**
 * @file WASM SIMD kernels of the optimizer step over many tensors at once, each driven by a table of
 * entries (one per chunk of a tensor): AdamW's update (Loshchilov & Hutter 2019) in float64 lanes
 * that round to float32 exactly where `@kiln/optim`'s loops do (so it keeps their bits, and torch's),
 * and the float64 sum of squares of gradient-norm clipping.
 */
import { Func, type Local } from "./assembler.js";

type V128 = Local<"v128">;

/** i32 words of one AdamW table entry: `p, g, m, v, n, scalars` (pointers in bytes, n a multiple of 4). */
export const ADAMW_ENTRY = 6;
/** Order of the eight f64 scalars an AdamW entry points to. */
export const ADAMW_SCALARS = ["decay", "beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "biasCorrection2Sqrt", "eps", "negStepSize"] as const;

// rounds the f64x2 on the stack to float32 precision (and back to f64)
const round = (f: Func) => f.f32x4DemoteF64x2Zero().f64x2PromoteLow();

/**
 * `adamw(table, count)`: for each entry, `m ← f(f(m·β₁) + (1−β₁)·g)`, `v ← f(f(v·β₂) + f((1−β₂)·g)·g)`,
 * `p ← f(p·decay) + f(f(−step·m) / f(f(f(√v) / √(1−β₂ᵗ)) + ε))` with `f` rounding to float32.
 */
export function adamwKernel(): Func {
  const f = new Func("adamw", ["i32", "i32"]);
  const [table, count] = f.i32Params(2);
  const [e, p, g, m, v, end, sc, off] = f.locals("i32", 8);
  const [gi, mi, vi, q] = f.locals("v128", 4);
  const s = (f2: Func, name: (typeof ADAMW_SCALARS)[number]) => f2.get(sc).v128Load64Splat(ADAMW_SCALARS.indexOf(name) * 8);
  // one f64x2 half (`lanes` 0: floats 0–1 of the vector, 2: floats 2–3); leaves p (f64x2) on the stack, stores m and v halves in `mi`, `vi`
  const half = (h: Func, lanes: 0 | 2) => {
    const load = (x: Func, ptr: Local<"i32">) => x.get(ptr).v128Load64Splat(lanes * 4).f64x2PromoteLow();
    load(h, g).set(gi);
    load(h, m);
    s(h, "beta1").f64x2Mul();
    round(h);
    s(h, "oneMinusBeta1").get(gi).f64x2Mul().f64x2Add();
    round(h).set(mi);
    load(h, v);
    s(h, "beta2").f64x2Mul();
    round(h);
    s(h, "oneMinusBeta2").get(gi).f64x2Mul();
    round(h).get(gi).f64x2Mul().f64x2Add();
    round(h).set(vi);
    load(h, p);
    s(h, "decay").f64x2Mul();
    round(h);
    s(h, "negStepSize").get(mi).f64x2Mul();
    round(h);
    h.get(vi).f64x2Sqrt();
    round(h);
    s(h, "biasCorrection2Sqrt").f64x2Div();
    round(h);
    s(h, "eps").f64x2Add();
    round(h);
    h.f64x2Div();
    round(h).f64x2Add(); // the sum is rounded when stored
  };
  // float lanes 0–1 from `lo`, 2–3 from `hi` (both f64x2) as one f32x4
  const pack = (h: Func, lo: V128, hi: V128) => h.get(lo).f32x4DemoteF64x2Zero().get(hi).f32x4DemoteF64x2Zero().f32x4Shuffle(0, 1, 4, 5);
  const [pLo, mLo, vLo] = f.locals("v128", 3);
  f.for(e, (h) => h.i32(0), (h) => h.get(count), 1, (h) => {
    h.get(table).get(e).i32(ADAMW_ENTRY * 4).i32Mul().i32Add().set(off);
    [p, g, m, v, end, sc].forEach((l, k) => h.get(off).i32Load(k * 4).set(l));
    h.get(p).get(end).i32(4).i32Mul().i32Add().set(end);
    h.block((b) =>
      b.loop((k) => {
        k.get(p).get(end).i32GeU().brIf(1);
        half(k, 0);
        k.set(pLo).get(mi).set(mLo).get(vi).set(vLo);
        half(k, 2);
        k.set(q);
        k.get(m);
        pack(k, mLo, mi).v128Store();
        k.get(v);
        pack(k, vLo, vi).v128Store();
        k.get(p);
        pack(k, pLo, q).v128Store();
        for (const x of [p, g, m, v]) k.get(x).i32(16).i32Add().set(x);
        k.br(0);
      }),
    );
  });
  return f;
}

/** i32 words of one sum-of-squares table entry: `x, n, out` (n a multiple of 4; out: one f64). */
export const SUMSQ_ENTRY = 3;

/** `sumsq(table, count)`: for each entry, `out = Σ x²` in float64 (two lanes, added at the end). */
export function sumSquaresKernel(): Func {
  const f = new Func("sumsq", ["i32", "i32"]);
  const [table, count] = f.i32Params(2);
  const [e, x, end, out, off] = f.locals("i32", 5);
  const [acc, d] = f.locals("v128", 2);
  f.for(e, (h) => h.i32(0), (h) => h.get(count), 1, (h) => {
    h.get(table).get(e).i32(SUMSQ_ENTRY * 4).i32Mul().i32Add().set(off);
    h.get(off).i32Load(0).set(x).get(off).i32Load(4).set(end).get(off).i32Load(8).set(out);
    h.get(x).get(end).i32(4).i32Mul().i32Add().set(end);
    h.v128Zero().set(acc);
    h.block((b) =>
      b.loop((k) => {
        k.get(x).get(end).i32GeU().brIf(1);
        for (const at of [0, 8]) k.get(x).v128Load64Splat(at).f64x2PromoteLow().tee(d).get(d).f64x2Mul().get(acc).f64x2Add().set(acc);
        k.get(x).i32(16).i32Add().set(x).br(0);
      }),
    );
    h.get(out).get(acc).f64x2ExtractLane(0).get(acc).f64x2ExtractLane(1).f64Add().f64Store();
  });
  return f;
}
