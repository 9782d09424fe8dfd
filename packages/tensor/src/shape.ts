/**
 * @file Shapes, strides and broadcasting: plain integer arithmetic shared by
 * every op. Broadcasting follows NumPy: align trailing dims; a dim of 1 stretches.
 */

/** A tensor's shape. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a 0-d shape). */
export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides of a shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** `[2, 3]` — how shapes appear in error messages. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Whether two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Checks that `shape` is a list of non-negative integers; `op` names the caller. */
export function checkShape(shape: unknown, op: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${op}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

/** The broadcast of several shapes; throws naming `op` and every shape when they are incompatible. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else {
        throw new RangeError(
          `${op}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together (dim ${o - rank}: ${out[o]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/**
 * Strides for reading a tensor of `shape`/`strides` as if it had `target`
 * shape: broadcast dims get stride 0. Assumes `shape` broadcasts to `target`.
 */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[lead + i] = shape[i] === 1 ? 0 : strides[i]!;
  return out;
}

/** Resolves a possibly negative `dim` against `rank`; throws naming `op` when out of range. */
export function normalizeDim(dim: number, rank: number, op: string): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new RangeError(`${op}: dim ${dim} is out of range for a tensor of rank ${rank} (expected ${-r} to ${r - 1})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** Like {@link normalizeDim} for ops that index into a dim, which a 0-d tensor does not have. */
export function existingDim(dim: number, rank: number, op: string): number {
  if (rank === 0) throw new RangeError(`${op}: cannot be applied to a 0-d tensor (it has no dim ${dim})`);
  return normalizeDim(dim, rank, op);
}

/** Resolves a dim list (or all dims when undefined) to sorted unique non-negative dims. */
export function normalizeDims(dims: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  const out = [...new Set(list.map((d) => normalizeDim(d, rank, op)))].sort((a, b) => a - b);
  if (out.length !== list.length) throw new RangeError(`${op}: dims ${JSON.stringify(list)} repeat a dim`);
  return rank === 0 ? [] : out; // NOTE: a 0-d tensor accepts dim 0/-1 (as torch) but has nothing to reduce
}

/** Resolves one `-1` in a reshape target against `numel`; throws naming the shapes when impossible. */
export function inferShape(op: string, from: Shape, target: readonly number[]): number[] {
  const numel = numelOf(from);
  const holes = target.filter((d) => d === -1).length;
  if (holes > 1 || target.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new RangeError(`${op}: invalid target shape ${fmtShape(target)}`);
  }
  const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = target.map((d) => (d === -1 ? (known === 0 ? 0 : numel / known) : d));
  if (numelOf(out) !== numel || !out.every(Number.isInteger)) {
    throw new RangeError(`${op}: cannot reshape ${fmtShape(from)} (${numel} elements) into ${fmtShape(target)}`);
  }
  return out;
}
