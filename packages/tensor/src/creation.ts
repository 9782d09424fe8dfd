/**
 * @file Creating tensors: from nested arrays or typed arrays, constant fills,
 * ranges, identity, and seeded random draws (PyTorch's factory functions).
 */
import { checkDType, dtypeOfArray, isFloat, type DataTypeMap, type DType } from "./dtype.js";
import { defaultGenerator, type Generator } from "./random/generator.js";
import { checkShape, fmtShape, type Shape } from "./shape.js";
import { Tensor } from "./tensor.js";

/** Options accepted by every factory. */
export interface TensorOptions<D extends DType = DType> {
  /** Element type (default float32; typed arrays default to their own type). */
  dtype?: D;
  /** Track gradients for this leaf (float dtypes only). */
  requiresGrad?: boolean;
}

/** Options of the random factories. */
export interface RandomOptions<D extends DType = DType> extends TensorOptions<D> {
  /** Source of randomness (default: the global generator seeded by `manualSeed`). */
  generator?: Generator;
}

/** Nested arrays of numbers or booleans, any depth. */
export type NestedArray = number | boolean | readonly NestedArray[];

function finish<D extends DType>(t: Tensor<D>, opts: TensorOptions | undefined): Tensor<D> {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferNested(data: NestedArray): [number[], (number | boolean)[]] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = (level as readonly NestedArray[])[0] as NestedArray;
    if (level === undefined) break;
  }
  const flat: (number | boolean)[] = [];
  const walk = (x: NestedArray, depth: number, path: string) => {
    if (depth === shape.length) {
      if (Array.isArray(x)) throw new RangeError(`tensor: ragged nested array: ${path} is an array, expected a number`);
      if (typeof x !== "number" && typeof x !== "boolean") throw new TypeError(`tensor: ${path} is ${typeof x}, expected a number or boolean`);
      flat.push(x as number | boolean);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw new RangeError(
        `tensor: ragged nested array: ${path} has ${Array.isArray(x) ? `length ${x.length}` : "a scalar"}, expected length ${shape[depth]} (shape so far ${fmtShape(shape.slice(0, depth + 1))})`,
      );
    }
    x.forEach((v, i) => walk(v as NestedArray, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, "data");
  return [shape, flat];
}

/**
 * A tensor from nested arrays, a typed array (copied) or a number. Numbers
 * default to float32 (JS cannot tell `1` from `1.0`), booleans to bool.
 */
export function tensor<D extends DType = "float32">(data: NestedArray | DataTypeMap[DType], opts?: TensorOptions<D>): Tensor<D> {
  if (ArrayBuffer.isView(data)) {
    const src = data as DataTypeMap[DType];
    const own = dtypeOfArray(src);
    if (own === undefined) throw new TypeError("tensor: typed arrays must be Float32Array, Float64Array, Int32Array or Uint8Array");
    const dtype = opts?.dtype ?? (own as D);
    const t = Tensor.empty(checkDType(dtype, "tensor"), [src.length]);
    (t.storage.data as DataTypeMap[DType]).set(dtype === "bool" ? src.map((v: number) => (v !== 0 ? 1 : 0)) : src);
    return finish(t, opts) as Tensor<D>;
  }
  const [shape, flat] = inferNested(data as NestedArray);
  const dtype = checkDType(opts?.dtype ?? (typeof flat[0] === "boolean" ? "bool" : "float32"), "tensor") as D;
  const t = Tensor.empty(dtype, shape);
  const store = t.storage.data;
  for (let i = 0; i < flat.length; i++) {
    const v = Number(flat[i]);
    store[i] = dtype === "bool" ? (v !== 0 ? 1 : 0) : dtype === "int32" ? Math.trunc(v) : v;
  }
  return finish(t, opts);
}

/** A tensor of `shape` filled with `value`. */
export function full<D extends DType = "float32">(shape: Shape, value: number | boolean, opts?: TensorOptions<D>): Tensor<D> {
  const t = Tensor.empty(checkDType(opts?.dtype ?? (typeof value === "boolean" ? "bool" : "float32"), "full") as D, checkShape(shape, "full"));
  if (Number(value) !== 0) t.storage.data.fill(Number(value));
  return finish(t, opts);
}

/** A tensor of zeros. */
export const zeros = <D extends DType = "float32">(shape: Shape, opts?: TensorOptions<D>) => full(shape, 0, opts);
/** A tensor of ones. */
export const ones = <D extends DType = "float32">(shape: Shape, opts?: TensorOptions<D>) => full(shape, 1, opts);
/** Zeros with `like`'s shape and dtype (unless overridden). */
export const zerosLike = <D extends DType>(like: Tensor<D>, opts?: TensorOptions<D>) => full(like.shape, 0, { dtype: like.dtype, ...opts });
/** Ones with `like`'s shape and dtype (unless overridden). */
export const onesLike = <D extends DType>(like: Tensor<D>, opts?: TensorOptions<D>) => full(like.shape, 1, { dtype: like.dtype, ...opts });
/** `value` with `like`'s shape and dtype (unless overridden). */
export const fullLike = <D extends DType>(like: Tensor<D>, value: number, opts?: TensorOptions<D>) => full(like.shape, value, { dtype: like.dtype, ...opts });

/**
 * `start, start+step, …` below `end` (`arange(n)` counts 0…n−1). int32 when
 * every argument is an integer, float32 otherwise (as torch).
 */
export function arange<D extends DType = DType>(start: number, end?: number, step = 1, opts?: TensorOptions<D>): Tensor<D> {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(step)) {
    throw new RangeError(`arange: need finite start/end and a non-zero step, got (${lo}, ${hi}, ${step})`);
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const ints = [lo, hi, step].every(Number.isInteger);
  const t = Tensor.empty(checkDType(opts?.dtype ?? (ints ? "int32" : "float32"), "arange") as D, [n]);
  for (let i = 0; i < n; i++) t.storage.data[i] = lo + i * step;
  return finish(t, opts);
}

/** `steps` evenly spaced values from `start` to `end` inclusive. */
export function linspace<D extends DType = "float32">(start: number, end: number, steps: number, opts?: TensorOptions<D>): Tensor<D> {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = Tensor.empty(checkDType(opts?.dtype ?? "float32", "linspace") as D, [steps]);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // NOTE: the second half counts back from `end`, as torch does, so the last value is exactly `end`
  for (let i = 0; i < steps; i++) t.storage.data[i] = i < steps / 2 ? start + i * delta : end - (steps - 1 - i) * delta;
  return finish(t, opts);
}

/** The `n × m` identity matrix (`m` defaults to `n`). */
export function eye<D extends DType = "float32">(n: number, m = n, opts?: TensorOptions<D>): Tensor<D> {
  const t = Tensor.empty(checkDType(opts?.dtype ?? "float32", "eye") as D, checkShape([n, m], "eye"));
  for (let i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = 1;
  return finish(t, opts);
}

function randomFill<D extends DType>(op: string, shape: Shape, opts: RandomOptions<D> | undefined, draw: (g: Generator) => number): Tensor<D> {
  const dtype = checkDType(opts?.dtype ?? "float32", op) as D;
  if (!isFloat(dtype)) throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const t = Tensor.empty(dtype, checkShape(shape, op));
  const g = opts?.generator ?? defaultGenerator;
  const data = t.storage.data;
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return finish(t, opts);
}

/** Uniform samples in [0, 1). */
export const rand = <D extends DType = "float32">(shape: Shape, opts?: RandomOptions<D>) => randomFill("rand", shape, opts, (g) => g.random());
/** Standard normal samples. */
export const randn = <D extends DType = "float32">(shape: Shape, opts?: RandomOptions<D>) => randomFill("randn", shape, opts, (g) => g.normal());

/** Uniform integers in [low, high) (int32 by default). */
export function randint<D extends DType = "int32">(low: number, high: number, shape: Shape, opts?: RandomOptions<D>): Tensor<D> {
  const dtype = checkDType(opts?.dtype ?? "int32", "randint") as D;
  const t = Tensor.empty(dtype, checkShape(shape, "randint"));
  const g = opts?.generator ?? defaultGenerator;
  for (let i = 0; i < t.numel; i++) t.storage.data[i] = g.randint(low, high);
  return finish(t, opts);
}
