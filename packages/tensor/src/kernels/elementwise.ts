/**
 * @file Elementwise kernels generated from an expression string (`"a + b"`),
 * one monomorphic loop per expression, cached. Operands are strided views
 * already broadcast to the output shape; adjacent dims that are contiguous in
 * every operand are merged first, so contiguous data runs as one flat loop
 * with no per-element index arithmetic.
 */
import type { TypedArray } from "../dtype.js";
import { erf, gelu, geluGrad, sigmoid, siluGrad } from "./math.js";

/** A strided view of a typed array: element `idx` lives at `offset + Σ idx[d]·strides[d]`. */
export interface StridedView {
  data: TypedArray;
  offset: number;
  strides: readonly number[];
}

type Compiled = (out: StridedView, shape: readonly number[], inputs: readonly StridedView[], params: readonly number[]) => void;

const HELPERS = { erf, gelu, geluGrad, sigmoid, siluGrad };
const cache = new Map<string, Compiled>();

function compile(names: readonly string[], expr: string): Compiled {
  const k = names.length;
  const lets = (f: (i: number) => string) => names.map((_, i) => f(i)).join(" ");
  const reads = names.map((n, i) => `const ${n} = D${i}[i${i}];`).join(" ");
  const steps = lets((i) => `i${i} += s${i};`);
  const source = `
    return function elementwise(out, shape, inputs, params) {
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
            ${steps}
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
    };`;
  void k;
  const factory = new Function(...Object.keys(HELPERS), source) as (...h: unknown[]) => Compiled;
  return factory(...Object.values(HELPERS));
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
  params: readonly number[] = [],
): void {
  const key = `${names.join(",")}|${expr}`;
  let kernel = cache.get(key);
  if (kernel === undefined) {
    kernel = compile(names, expr);
    cache.set(key, kernel);
  }
  if (shape.some((d) => d === 0)) return;
  const [dims, views] = coalesce(shape, [out, ...inputs]);
  kernel(views[0]!, dims, views.slice(1), params);
}
