/**
 * @file Elementwise kernels generated from an expression string (`"a + b"`), compiled once per
 * expression and per combination of array types, so every element access stays monomorphic.
 * Dense operands (and broadcast scalars, read once) run as one flat loop; otherwise adjacent
 * dims that are contiguous in every operand are merged first, so `[B, T, D] + [D]` runs as
 * `[B·T, D]` with a flat inner loop.
 */
import type { TypedArray } from "../dtype.js";
import { erf, gelu, geluGrad, sigmoid, siluGrad } from "./math.js";

/** A strided view of a typed array: element `idx` lives at `offset + Σ idx[d]·strides[d]`. */
export interface StridedView {
  data: TypedArray;
  offset: number;
  strides: readonly number[];
}

type Strided = (out: StridedView, shape: readonly number[], inputs: readonly StridedView[], params: readonly number[]) => void;
type Flat = (out: StridedView, n: number, inputs: readonly StridedView[], params: readonly number[]) => void;

const HELPERS = { erf, gelu, geluGrad, sigmoid, siluGrad };
const NO_PARAMS: readonly number[] = [];

function build<F>(source: string): F {
  const factory = new Function(...Object.keys(HELPERS), source) as (...h: unknown[]) => F;
  return factory(...Object.values(HELPERS));
}

/** The general kernel: an odometer over the outer dims, a strided (or flat) inner loop. */
function compileStrided(names: readonly string[], expr: string): Strided {
  const lets = (f: (i: number) => string) => names.map((_, i) => f(i)).join(" ");
  const reads = names.map((n, i) => `const ${n} = D${i}[i${i}];`).join(" ");
  return build(`
    return function strided(out, shape, inputs, params) {
      const p0 = params[0], p1 = params[1];
      const O = out.data;
      ${lets((i) => `const D${i} = inputs[${i}].data;`)}
      const rank = shape.length;
      if (rank === 0) {
        ${lets((i) => `let i${i} = inputs[${i}].offset;`)}
        ${reads}
        O[out.offset] = ${expr};
        return;
      }
      const inner = shape[rank - 1];
      const so = out.strides[rank - 1];
      ${lets((i) => `const s${i} = inputs[${i}].strides[rank - 1];`)}
      let o = out.offset;
      ${lets((i) => `let i${i} = inputs[${i}].offset;`)}
      let outer = 1;
      for (let d = 0; d < rank - 1; d++) outer *= shape[d];
      const idx = rank > 1 ? new Array(rank - 1).fill(0) : null;
      for (let r = 0; r < outer; r++) {
        if (so === 1 ${lets((i) => `&& s${i} === 1`)}) {
          const end = o + inner;
          ${lets((i) => `const b${i} = i${i} - o;`)}
          for (let j = o; j < end; j++) {
            ${names.map((n, i) => `const ${n} = D${i}[j + b${i}];`).join(" ")}
            O[j] = ${expr};
          }
        } else {
          for (let j = 0, oj = o; j < inner; j++, oj += so) {
            ${reads}
            O[oj] = ${expr};
            ${lets((i) => `i${i} += s${i};`)}
          }
          ${lets((i) => `i${i} -= s${i} * inner;`)}
        }
        if (idx === null) break;
        for (let d = rank - 2; d >= 0; d--) {
          idx[d]++;
          o += out.strides[d];
          ${lets((i) => `i${i} += inputs[${i}].strides[d];`)}
          if (idx[d] < shape[d]) break;
          o -= out.strides[d] * shape[d];
          ${lets((i) => `i${i} -= inputs[${i}].strides[d] * shape[d];`)}
          idx[d] = 0;
        }
      }
    };`);
}

/** The flat kernel: every operand dense in the same order, except `scalar` ones read once. */
function compileFlat(names: readonly string[], expr: string, scalar: number): Flat {
  const isScalar = (i: number) => ((scalar >> i) & 1) === 1;
  const head = names
    .map((n, i) => (isScalar(i) ? `const ${n} = inputs[${i}].data[inputs[${i}].offset];` : `const D${i} = inputs[${i}].data, b${i} = inputs[${i}].offset - o;`))
    .join(" ");
  const reads = names.map((n, i) => (isScalar(i) ? "" : `const ${n} = D${i}[j + b${i}];`)).join(" ");
  return build(`
    return function flat(out, n, inputs, params) {
      const p0 = params[0], p1 = params[1];
      const O = out.data, o = out.offset, end = o + n;
      ${head}
      for (let j = o; j < end; j++) {
        ${reads}
        O[j] = ${expr};
      }
    };`);
}

/** Compiled kernels of one expression over one list of variable names. */
interface Entry {
  names: readonly string[];
  strided: Map<number, Strided>;
  flat: Map<number, Flat>;
}

const cache = new Map<string, Entry[]>();

function entryFor(expr: string, names: readonly string[]): Entry {
  let list = cache.get(expr);
  if (list === undefined) cache.set(expr, (list = []));
  for (const e of list) {
    if (e.names === names || (e.names.length === names.length && e.names.every((n, i) => n === names[i]))) return e;
  }
  const e: Entry = { names: [...names], strided: new Map(), flat: new Map() };
  list.push(e);
  return e;
}

function typeCode(a: TypedArray): number {
  return a instanceof Float32Array ? 0 : a instanceof Float64Array ? 1 : a instanceof Int32Array ? 2 : 3;
}

/** Whether a view of `shape` with `strides` is dense row-major (size-1 dims may have any stride). */
function isDense(strides: readonly number[], shape: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n !== 1 && strides[d] !== expected) return false;
    expected *= n;
  }
  return true;
}

function isBroadcastScalar(strides: readonly number[]): boolean {
  for (let d = 0; d < strides.length; d++) if (strides[d] !== 0) return false;
  return true;
}

/**
 * Merges adjacent dims that are contiguous with each other in every view,
 * and drops size-1 dims: `[B, T, D] + [D]` runs as `[B·T, D]`.
 */
function coalesce(shape: readonly number[], views: readonly StridedView[]): [number[], StridedView[]] {
  const dims: number[] = [];
  const strides: number[][] = views.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && views.every((v, i) => strides[i]![last] === v.strides[d]! * n)) {
      dims[last]! *= n;
      views.forEach((v, i) => (strides[i]![last] = v.strides[d]!));
    } else {
      dims.push(n);
      views.forEach((v, i) => strides[i]!.push(v.strides[d]!));
    }
  }
  return [dims, views.map((v, i) => ({ data: v.data, offset: v.offset, strides: strides[i]! }))];
}

/**
 * Writes `expr` evaluated at every index of `shape` into `out`. `names` are
 * the variables `expr` reads from `inputs` (in order); `p0`, `p1` are `params`.
 * `expr` may call `sigmoid`, `siluGrad`, `erf`, `gelu`, `geluGrad` and `Math`.
 */
export function elementwise(
  expr: string,
  names: readonly string[],
  out: StridedView,
  shape: readonly number[],
  inputs: readonly StridedView[],
  params: readonly number[] = NO_PARAMS,
): void {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  if (n === 0) return;
  const entry = entryFor(expr, names);
  let sig = typeCode(out.data);
  let scalar = 0;
  let flat = isDense(out.strides, shape);
  for (let i = 0; i < inputs.length; i++) {
    const v = inputs[i]!;
    sig = sig * 4 + typeCode(v.data);
    if (v.data !== out.data && isBroadcastScalar(v.strides)) scalar |= 1 << i;
    else if (flat && !isDense(v.strides, shape)) flat = false;
  }
  if (flat) {
    const key = sig * 2 ** inputs.length + scalar;
    let kernel = entry.flat.get(key);
    if (kernel === undefined) entry.flat.set(key, (kernel = compileFlat(entry.names, expr, scalar)));
    kernel(out, n, inputs, params);
    return;
  }
  let kernel = entry.strided.get(sig);
  if (kernel === undefined) entry.strided.set(sig, (kernel = compileStrided(entry.names, expr)));
  const [dims, views] = coalesce(shape, [out, ...inputs]);
  kernel(views[0]!, dims, views.slice(1), params);
}
