/**
 * @file Binary elementwise ops with NumPy broadcasting, plus `where` and the
 * comparisons. Each row of the table is the forward expression of `a`, `b`
 * and the gradient expressions of `g`, `a`, `b`, `y`; gradients of
 * broadcast inputs are summed back to the input's shape.
 */
import { ADD_WASM_MIN, addWasm } from "../kernels/add.js";
import { getBackend, getThreads } from "../kernels/matmul.js";
import { tryWasm, wasmAvailable } from "../runtime/wasm.js";
import { record } from "../autograd/node.js";
import { floatOf, promoteTypes, type DType, type Promote } from "../dtype.js";
import { elementwise } from "../kernels/elementwise.js";
import { broadcastShapes, sameShape, type Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { sumTo } from "./reduce.js";
import { checkTensor, empty, toTensor, uninit, viewOf, type TensorLike } from "./util.js";

interface BinaryRule {
  f: string;
  da: string;
  db: string;
  /** Result dtype: promoted (`add`), float (`div`), or bool (comparisons). */
  kind: "promote" | "float" | "bool";
}

const RULES = {
  add: { f: "a + b", da: "g", db: "g", kind: "promote" },
  sub: { f: "a - b", da: "g", db: "-g", kind: "promote" },
  mul: { f: "a * b", da: "g * b", db: "g * a", kind: "promote" },
  div: { f: "a / b", da: "g / b", db: "-g * y / b", kind: "float" }, // d(a/b)/db = −a/b²
  // d(aᵇ)/db = aᵇ log a; NOTE: 0 where a = 0 and b > 0, so x**2 at 0 has a finite gradient
  pow: { f: "Math.pow(a, b)", da: "b === 0 ? 0 : g * b * Math.pow(a, b - 1)", db: "a === 0 && b >= 0 ? 0 : g * y * Math.log(a)", kind: "promote" },
  // ties split the gradient in half (torch's rule); NaN propagates
  maximum: { f: "a > b || a !== a ? a : b", da: "a > b ? g : a === b ? g / 2 : 0", db: "b > a ? g : a === b ? g / 2 : 0", kind: "promote" },
  minimum: { f: "a < b || a !== a ? a : b", da: "a < b ? g : a === b ? g / 2 : 0", db: "b < a ? g : a === b ? g / 2 : 0", kind: "promote" },
  eq: { f: "a === b ? 1 : 0", da: "", db: "", kind: "bool" },
  ne: { f: "a !== b ? 1 : 0", da: "", db: "", kind: "bool" },
  lt: { f: "a < b ? 1 : 0", da: "", db: "", kind: "bool" },
  le: { f: "a <= b ? 1 : 0", da: "", db: "", kind: "bool" },
  gt: { f: "a > b ? 1 : 0", da: "", db: "", kind: "bool" },
  ge: { f: "a >= b ? 1 : 0", da: "", db: "", kind: "bool" },
} as const satisfies Record<string, BinaryRule>;

/** Names of the table-driven binary ops. */
export type BinaryOp = keyof typeof RULES;
type Differentiable = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";

/** Dtype of a tensor-or-scalar argument at the type level. */
export type DTypeOf<T> = T extends Tensor<infer D> ? D : never;
/** Result dtype of arithmetic between a `D` tensor and `T` (a tensor or a number). */
export type ArithResult<D extends DType, T> = T extends Tensor<infer E>
  ? Promote<Promote<D, E>, "int32">
  : D extends "float32" | "float64" ? D : "int32" | "float32";

function resultDType(rule: BinaryRule, a: DType, b: DType): DType {
  if (rule.kind === "bool") return "bool";
  const p = promoteTypes(a, b);
  if (rule.kind === "float") return floatOf(p);
  return p === "bool" ? "int32" : p;
}

const AB = ["a", "b"];
const GABY = ["g", "a", "b", "y"];

/** A gradient expression evaluated over the output shape, summed back to `shape`. */
function gradOf(expr: string, shape: Shape, dtype: DType, outShape: Shape, vars: Record<"g" | "a" | "b" | "y", Tensor>): Tensor {
  if (expr === "g" && sameShape(shape, outShape) && vars.g.dtype === dtype) return vars.g;
  const full = uninit(dtype, outShape);
  const { g, a, b, y } = vars;
  elementwise(expr, GABY, viewOf(full), outShape, [viewOf(g, outShape), viewOf(a, outShape), viewOf(b, outShape), viewOf(y, outShape)]);
  return sumTo(full, shape);
}

// float32 `a + b` of one shape, both dense: on WASM SIMD when large enough (the residual adds, gradient sums)
function addOnWasm(y: Tensor, a: Tensor, b: Tensor): boolean {
  if (a.dtype !== "float32" || b.dtype !== "float32" || y.dtype !== "float32" || a.numel < ADD_WASM_MIN) return false;
  if (!sameShape(a.shape, b.shape) || !a.isContiguous || !b.isContiguous || getBackend() !== "wasm" || !wasmAvailable()) return false;
  const f32 = (t: Tensor) => t.storage.data as Float32Array;
  return tryWasm(() => addWasm(f32(y), f32(a), a.offset, f32(b), b.offset, a.numel, getThreads()));
}

/** Applies the binary op `name` with broadcasting. */
export function binary(name: BinaryOp, x: TensorLike, other: TensorLike): Tensor {
  if (typeof x !== "object") throw new TypeError(`${name}: the first argument must be a Tensor`);
  checkTensor(x, name);
  const a = x;
  const b = toTensor(other, a.dtype, name);
  const rule: BinaryRule = RULES[name];
  const shape = b.ndim === 0 || sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(name, a.shape, b.shape);
  const y = uninit(resultDType(rule, a.dtype, b.dtype), shape);
  if (!(name === "add" && addOnWasm(y, a, b))) elementwise(rule.f, AB, viewOf(y), shape, [viewOf(a, shape), viewOf(b, shape)]);
  if (rule.kind === "bool") return y;
  const saved = name === "add" || name === "sub" ? [] : [a, b, y];
  return record(
    name as Differentiable,
    y,
    [a, b],
    (g) => {
      const vars = { g, a, b, y };
      return [
        a.requiresGrad ? gradOf(rule.da, a.shape, a.dtype, shape, vars) : null,
        b.requiresGrad ? gradOf(rule.db, b.shape, b.dtype, shape, vars) : null,
      ];
    },
    saved,
  );
}

type Arith<D extends DType, T> = Tensor<ArithResult<D, T>>;

/** `a + b` */
export const add = <D extends DType, T extends TensorLike>(a: Tensor<D>, b: T) => binary("add", a, b) as Arith<D, T>;
/** `a − b` */
export const sub = <D extends DType, T extends TensorLike>(a: Tensor<D>, b: T) => binary("sub", a, b) as Arith<D, T>;
/** `a · b` (elementwise) */
export const mul = <D extends DType, T extends TensorLike>(a: Tensor<D>, b: T) => binary("mul", a, b) as Arith<D, T>;
/** `a / b` (true division: integer inputs give float32) */
export const div = <D extends DType, T extends TensorLike>(a: Tensor<D>, b: T) => binary("div", a, b) as Tensor;
/** `aᵇ` */
export const pow = <D extends DType, T extends TensorLike>(a: Tensor<D>, b: T) => binary("pow", a, b) as Arith<D, T>;
/** Elementwise maximum (NaN propagates). */
export const maximum = <D extends DType, T extends TensorLike>(a: Tensor<D>, b: T) => binary("maximum", a, b) as Arith<D, T>;
/** Elementwise minimum (NaN propagates). */
export const minimum = <D extends DType, T extends TensorLike>(a: Tensor<D>, b: T) => binary("minimum", a, b) as Arith<D, T>;
/** `a == b` as bool. */
export const eq = (a: Tensor, b: TensorLike) => binary("eq", a, b) as Tensor<"bool">;
/** `a != b` as bool. */
export const ne = (a: Tensor, b: TensorLike) => binary("ne", a, b) as Tensor<"bool">;
/** `a < b` as bool. */
export const lt = (a: Tensor, b: TensorLike) => binary("lt", a, b) as Tensor<"bool">;
/** `a <= b` as bool. */
export const le = (a: Tensor, b: TensorLike) => binary("le", a, b) as Tensor<"bool">;
/** `a > b` as bool. */
export const gt = (a: Tensor, b: TensorLike) => binary("gt", a, b) as Tensor<"bool">;
/** `a >= b` as bool. */
export const ge = (a: Tensor, b: TensorLike) => binary("ge", a, b) as Tensor<"bool">;

/** `condition ? a : b` elementwise, with broadcasting over all three. */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor(condition, "where", "condition");
  if (condition.dtype !== "bool") throw new TypeError(`where: condition must be bool, got ${condition.dtype}`);
  const like = a instanceof Object ? (a as Tensor).dtype : b instanceof Object ? (b as Tensor).dtype : "float32";
  const ta = toTensor(a, like, "where");
  const tb = toTensor(b, like, "where");
  const shape = broadcastShapes("where", condition.shape, ta.shape, tb.shape);
  const y = empty(promoteTypes(ta.dtype, tb.dtype), shape);
  elementwise("c ? a : b", ["c", "a", "b"], viewOf(y), shape, [condition, ta, tb].map((t) => viewOf(t, shape)));
  return record(
    "where",
    y,
    [ta, tb],
    (g) => {
      const part = (expr: string, t: Tensor) => {
        const full = empty(t.dtype, shape);
        elementwise(expr, ["c", "g"], viewOf(full), shape, [viewOf(condition, shape), viewOf(g, shape)]);
        return sumTo(full, t.shape);
      };
      return [ta.requiresGrad ? part("c ? g : 0", ta) : null, tb.requiresGrad ? part("c ? 0 : g", tb) : null];
    },
    [condition],
  );
}
