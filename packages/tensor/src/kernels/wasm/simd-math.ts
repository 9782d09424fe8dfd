/**
 * @file Code emitters for the transcendental maths the fused WASM kernels need: a float32 `exp`
 * on four lanes (Cephes `expf`: Cody–Waite range reduction, degree-5 polynomial, ~1 ulp; single-instruction
 * lane ops only — `f32x4.min/max/nearest` and `trunc_sat` each cost several x86 instructions) and a
 * scalar `log` (atanh series in float64), plus small i32 helpers. Each emitter pushes its result.
 */
import type { Func, Local } from "./assembler.js";

type V128 = Local<"v128">;
type I32 = Local<"i32">;

export const LOG2E = 1.4426950408889634;
// ln 2 split so that n·C1 is exact in float32 (Cephes expf)
const C1 = 0.693359375;
const C2 = -2.12194440e-4;
/** 1.5·2²³: adding it rounds a float32 of magnitude < 2²² to an integer. */
const ROUND = 12582912;
const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** Inputs are clamped to this range, so exp never overflows to ∞ nor underflows below 2⁻¹²⁶. */
export const EXP_MIN = -87.33654;
/** Upper clamp of {@link emitExp}: `exp(88) ≈ 1.65e38`. */
export const EXP_MAX = 88;

/**
 * Pushes `exp(x)` for the four f32 lanes of local `x` (clamped to [EXP_MIN, EXP_MAX]), using the
 * scratch locals `n` and `r`: `exp(x) = 2ⁿ · p(r)`, `n = round(x·log2 e)`, `r = x − n·ln 2`.
 */
export function emitExp(f: Func, x: V128, n: V128, r: V128): Func {
  // NOTE: pmin/pmax (one instruction each) keep a NaN in x, as the ordered compare is false
  f.get(x).f32x4Const(EXP_MAX).f32x4Pmin().f32x4Const(EXP_MIN).f32x4Pmax().set(r);
  // n + 1.5·2²³ with n = round(x·log2 e): the integer n sits in the low mantissa bits
  f.get(r).f32x4Const(LOG2E).f32x4Mul().f32x4Const(ROUND).f32x4Add().set(n);
  const nf = (g: Func) => g.get(n).f32x4Const(ROUND).f32x4Sub();
  f.get(r);
  nf(f).f32x4Const(C1).f32x4Mul().f32x4Sub();
  nf(f).f32x4Const(C2).f32x4Mul().f32x4Sub().set(r);
  f.get(r).f32x4Const(EXP_POLY[0]!).f32x4Mul();
  for (const c of EXP_POLY.slice(1)) f.f32x4Const(c).f32x4Add().get(r).f32x4Mul();
  // the loop leaves p(r)·r; Cephes: exp(r) ≈ p(r)·r² + r + 1
  f.get(r).f32x4Mul().get(r).f32x4Add().f32x4Const(1).f32x4Add();
  // 2ⁿ = bits (n + 127) << 23 = (bits(n + 1.5·2²³) << 23) + (127 << 23): the constant's bits shift out
  return f.get(n).i32(23).i32x4Shl().i32x4Const(127 << 23).i32x4Add().f32x4Mul();
}

// 2^r on [−½, ½]: degree-6 least-squares fit of the relative error (≤ 2.2e-9 before float32 rounding)
const EXP2_POLY = [1.5370715497509124e-4, 1.3399857839055222e-3, 9.618373276642923e-3, 5.550329011647434e-2, 0.2402264846159933, 0.6931472055878362, 1];

/**
 * Pushes `2^x` for the four f32 lanes of local `x` ≤ 0 (clamped below at −126), using scratch local
 * `n`: `2^x = 2ⁿ · p(x − n)` with `n = round(x)`. Softmax kernels fold log2 e into their scores.
 */
export function emitExp2(f: Func, x: V128, n: V128): Func {
  f.get(x).f32x4Const(-126).f32x4Pmax().tee(x).f32x4Const(ROUND).f32x4Add().set(n);
  f.get(x).get(n).f32x4Const(ROUND).f32x4Sub().f32x4Sub().set(x);
  f.f32x4Const(EXP2_POLY[0]!);
  for (const c of EXP2_POLY.slice(1)) f.get(x).f32x4Mul().f32x4Const(c).f32x4Add();
  return f.get(n).i32(23).i32x4Shl().i32x4Const(127 << 23).i32x4Add().f32x4Mul();
}

/** Pushes the scalar f32 `2^x` of the f32 value (≤ 0) on the stack, through lane 0 of {@link emitExp2}. */
export function emitExp2Scalar(f: Func, x: V128, n: V128): Func {
  f.f32x4Splat().set(x);
  return emitExp2(f, x, n).f32x4ExtractLane(0);
}

/**
 * Pushes the f32 `log(y)` of the positive, finite f32 local `y`: `y = 2ᵉ·m` with m in [√½, √2),
 * `log m = 2 atanh s`, `s = (m − 1)/(m + 1)`, summed in float64 to s¹¹ (|s| ≤ 0.172: error < 1e-10).
 */
export function emitLog(f: Func, y: Local<"f32">, e: I32, bits: I32, s: Local<"f64">, s2: Local<"f64">): Func {
  f.get(y).i32ReinterpretF32().set(bits);
  f.get(bits).i32(23).i32ShrU().i32(127).i32Sub().set(e);
  // mantissa m in [1, 2); fold m ≥ √2 down to [√½, 1) and bump the exponent
  f.get(bits).i32(0x7fffff).i32And().i32(0x3f800000).i32Or().set(bits);
  f.get(bits).i32(0x3fb504f3).i32GtS().if((g) => {
    g.get(bits).i32(0x800000).i32Sub().set(bits);
    g.get(e).i32(1).i32Add().set(e);
  });
  f.get(bits).f32ReinterpretI32().f64PromoteF32().set(s);
  f.get(s).f64(1).f64Sub().get(s).f64(1).f64Add().f64Div().set(s);
  f.get(s).get(s).f64Mul().set(s2);
  f.f64(1 / 11);
  for (const k of [9, 7, 5, 3]) f.get(s2).f64Mul().f64(1 / k).f64Add();
  f.get(s2).f64Mul().f64(1).f64Add().get(s).f64Mul().f64(2).f64Mul();
  return f.get(e).f64ConvertI32S().f64(Math.LN2).f64Mul().f64Add().f32DemoteF64();
}

/** Pushes the larger of four f32 lanes of `v`. */
export function emitHMax(f: Func, v: V128): Func {
  f.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Max();
  return f.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3).f32Max().f32Max();
}

/** Pushes the sum of four f32 lanes of `v`, as `(v0 + v1) + (v2 + v3)`. */
export function emitHSum(f: Func, v: V128): Func {
  f.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add();
  return f.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3).f32Add().f32Add();
}

/** Pushes `min(a, b)` of two i32 locals (signed). */
export function minI32(f: Func, a: I32, b: I32): Func {
  return f.get(a).get(b).get(a).get(b).i32LtS().select();
}

/** Pushes `max(a, b)` of two i32 locals (signed). */
export function maxI32(f: Func, a: I32, b: I32): Func {
  return f.get(a).get(b).get(a).get(b).i32GtS().select();
}
