/**
 * @file Unary elementwise ops. Each row of the table is the forward
 * expression of `x` and the backward expression of `g` (upstream gradient),
 * `x` (input) and `y` (output); both are compiled into fused loops.
 */
import { record } from "../autograd/node.js";
import { floatOf, type Arith, type DType, type FloatOf } from "../dtype.js";
import { elementwise } from "../kernels/elementwise.js";
import { GELU_WASM_MIN, geluBackwardWasm, geluForwardWasm } from "../kernels/gelu.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, uninit, viewOf } from "./util.js";

interface UnaryRule {
  /** `y` as a function of `x` (and params `p0`, `p1`). */
  f: string;
  /** `dx` as a function of `g`, `x`, `y`. */
  df: string;
  /** Whether the result is always floating point (`exp` of an int32 is float32). */
  float: boolean;
}

const RULES = {
  neg: { f: "-x", df: "-g", float: false },
  exp: { f: "Math.exp(x)", df: "g * y", float: true }, // d e^x = e^x dx
  log: { f: "Math.log(x)", df: "g / x", float: true }, // d log x = dx / x
  sqrt: { f: "Math.sqrt(x)", df: "g / (2 * y)", float: true },
  rsqrt: { f: "1 / Math.sqrt(x)", df: "-0.5 * g * y * y * y", float: true }, // d x^-½ = -½ x^-3/2
  abs: { f: "Math.abs(x)", df: "x > 0 ? g : x < 0 ? -g : 0", float: false },
  tanh: { f: "Math.tanh(x)", df: "g * (1 - y * y)", float: true },
  sigmoid: { f: "sigmoid(x)", df: "g * y * (1 - y)", float: true },
  relu: { f: "x <= 0 ? 0 : x", df: "x > 0 ? g : 0", float: false }, // NOTE: NaN propagates, as in torch
  silu: { f: "x * sigmoid(x)", df: "g * siluGrad(x)", float: true },
  gelu: { f: "gelu(x)", df: "g * geluGrad(x)", float: true }, // exact (erf) GELU
  sin: { f: "Math.sin(x)", df: "g * Math.cos(x)", float: true },
  cos: { f: "Math.cos(x)", df: "-g * Math.sin(x)", float: true },
  square: { f: "x * x", df: "2 * g * x", float: false },
  reciprocal: { f: "1 / x", df: "-g * y * y", float: true },
  // piecewise constant: zero gradient almost everywhere (torch's convention, also at the jumps)
  round: { f: "x - Math.floor(x) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)", df: "0", float: false }, // halves to even, as torch
  floor: { f: "Math.floor(x)", df: "0", float: false },
  ceil: { f: "Math.ceil(x)", df: "0", float: false },
  sign: { f: "x > 0 ? 1 : x < 0 ? -1 : x", df: "0", float: false }, // sign(±0) = ±0, NaN stays NaN
  // clamp's gradient passes where min ≤ x ≤ max (torch's convention at the bounds)
  clamp: { f: "x < p0 ? p0 : x > p1 ? p1 : x", df: "x < p0 || x > p1 ? 0 : g", float: false },
} as const satisfies Record<string, UnaryRule>;

const X = ["x"];
const GXY = ["g", "x", "y"];

/** Names of the table-driven unary ops. */
export type UnaryOp = keyof typeof RULES;
type FloatUnary = { [K in UnaryOp]: (typeof RULES)[K]["float"] extends true ? K : never }[UnaryOp];
/** Result dtype of unary op `K` on a `D` tensor. */
export type UnaryResult<K extends UnaryOp, D extends DType> = K extends FloatUnary ? FloatOf<D> : Arith<D>;

// Dense float32 tensors of one shape: GELU runs on WASM SIMD (the GELU MLP of the ablation study).
function dense32(...ts: Tensor[]): boolean {
  return ts.every((t) => t.dtype === "float32" && t.isContiguous) && ts[0]!.numel >= GELU_WASM_MIN && getBackend() === "wasm" && wasmAvailable();
}
const f32 = (t: Tensor) => t.data as Float32Array;

/** Applies the unary op `name` (with params for `clamp`). */
export function unary<K extends UnaryOp, D extends DType>(name: K, x: Tensor<D>, params: readonly number[] = []): Tensor<UnaryResult<K, D>> {
  checkTensor(x, name);
  const rule: UnaryRule = RULES[name];
  const dtype = rule.float ? floatOf(x.dtype) : x.dtype === "bool" ? "int32" : x.dtype;
  const y = uninit(dtype, x.shape);
  const wasm = name === "gelu" && dense32(x);
  if (!(wasm && tryWasm(() => geluForwardWasm(f32(y), f32(x), getThreads())))) elementwise(rule.f, X, viewOf(y), x.shape, [viewOf(x)], params);
  return record(
    name,
    y,
    [x],
    (g) => {
      const dx = uninit(x.dtype, x.shape);
      if (!(wasm && dense32(g) && tryWasm(() => geluBackwardWasm(f32(dx), f32(x), f32(g), getThreads())))) {
        elementwise(rule.df, GXY, viewOf(dx), x.shape, [viewOf(g), viewOf(x), viewOf(y)], params);
      }
      return [dx];
    },
    [x, y],
  ) as Tensor<UnaryResult<K, D>>;
}

/** `-x` */
export const neg = <D extends DType>(x: Tensor<D>) => unary("neg", x);
/** `eˣ` */
export const exp = <D extends DType>(x: Tensor<D>) => unary("exp", x);
/** Natural logarithm. */
export const log = <D extends DType>(x: Tensor<D>) => unary("log", x);
/** `√x` */
export const sqrt = <D extends DType>(x: Tensor<D>) => unary("sqrt", x);
/** `1/√x` */
export const rsqrt = <D extends DType>(x: Tensor<D>) => unary("rsqrt", x);
/** `|x|` */
export const abs = <D extends DType>(x: Tensor<D>) => unary("abs", x);
/** Hyperbolic tangent. */
export const tanh = <D extends DType>(x: Tensor<D>) => unary("tanh", x);
/** Logistic function `1/(1+e⁻ˣ)`. */
export const sigmoid = <D extends DType>(x: Tensor<D>) => unary("sigmoid", x);
/** `max(x, 0)` */
export const relu = <D extends DType>(x: Tensor<D>) => unary("relu", x);
/** SiLU (swish): `x·sigmoid(x)` (Ramachandran et al. 2017). */
export const silu = <D extends DType>(x: Tensor<D>) => unary("silu", x);
/** Exact GELU: `x·Φ(x)` (Hendrycks & Gimpel 2016). */
export const gelu = <D extends DType>(x: Tensor<D>) => unary("gelu", x);
/** Sine. */
export const sin = <D extends DType>(x: Tensor<D>) => unary("sin", x);
/** Cosine. */
export const cos = <D extends DType>(x: Tensor<D>) => unary("cos", x);
/** `x²` */
export const square = <D extends DType>(x: Tensor<D>) => unary("square", x);
/** `1/x` */
export const reciprocal = <D extends DType>(x: Tensor<D>) => unary("reciprocal", x);

/** Rounds to the nearest integer, halves to even (`torch.round`); zero gradient. */
export const round = <D extends DType>(x: Tensor<D>) => unary("round", x);
/** Largest integer ≤ x; zero gradient. */
export const floor = <D extends DType>(x: Tensor<D>) => unary("floor", x);
/** Smallest integer ≥ x; zero gradient. */
export const ceil = <D extends DType>(x: Tensor<D>) => unary("ceil", x);
/** −1, 0 or 1 by the sign of x (NaN stays NaN); zero gradient. */
export const sign = <D extends DType>(x: Tensor<D>) => unary("sign", x);

/** Clamps into `[min, max]` (either bound may be omitted); NaN stays NaN. */
export function clamp<D extends DType>(x: Tensor<D>, min?: number | null, max?: number | null): Tensor<Arith<D>> {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (lo > hi) throw new RangeError(`clamp: min ${lo} is greater than max ${hi}`);
  return unary("clamp", x, [lo, hi]);
}
