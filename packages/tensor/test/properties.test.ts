/**
 * @file Property tests (fast-check): broadcasting, view round trips, sum
 * linearity, matmul against a triple loop, softmax bounds, cat/split and
 * `where`, each checked against a plain-JS reference on random shapes.
 * Shapes come from fast-check (so failures shrink); values come from a
 * kiln Generator seeded by fast-check.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, Tensor, broadcastShapes, cat, numelOf, randn, where, type DType, type FloatDType } from "../src/index.js";

// ---- references and helpers -------------------------------------------------------

/** NumPy's broadcasting rule written out directly; null when the shapes are incompatible. */
function refBroadcast(shapes: readonly (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const sizes = [...new Set(dims.filter((d) => d !== 1))];
    if (sizes.length > 1) return null;
    out.push(sizes[0] ?? 1);
  }
  return out;
}

/** Calls `fn` with every multi-index of `shape` in row-major order. */
function forEachIndex(shape: readonly number[], fn: (idx: readonly number[]) => void): void {
  if (shape.some((d) => d === 0)) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (let n = numelOf(shape); n > 0; n--) {
    fn(idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** Element of contiguous `t` at `idx` of a (possibly larger) broadcast shape: leading dims dropped, size-1 dims read at 0. */
function at(t: Tensor, idx: readonly number[]): number {
  const lead = idx.length - t.ndim;
  let flat = 0;
  for (let d = 0; d < t.ndim; d++) flat = flat * t.shape[d]! + (t.shape[d] === 1 ? 0 : idx[lead + d]!);
  return Number(t.data[flat]);
}

/** The elements of `t` in row-major order. */
const flat = (t: Tensor): number[] => Array.from(t.contiguous().data, Number);

/** A seeded standard-normal tensor. */
const normal = (shape: readonly number[], seed: number, dtype: FloatDType = "float64") => randn(shape, { dtype, generator: new Generator(seed) });

/** A contiguous tensor of `dtype` whose elements are `f(i)`. */
function filled<D extends DType>(dtype: D, shape: readonly number[], f: (i: number) => number): Tensor<D> {
  const t = Tensor.empty(dtype, shape);
  for (let i = 0; i < t.numel; i++) t.data[i] = f(i);
  return t;
}

/** `[2, 3]`, as kiln's error messages print shapes. */
const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

// ---- arbitraries ------------------------------------------------------------------

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const shapeArb = (minRank = 0, maxRank = 4, maxDim = 4) => fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });

/** A shape that broadcasts to `base`: a suffix of it with some dims replaced by 1. */
const broadcastableTo = (base: readonly number[]) =>
  fc
    .tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }))
    .map(([rank, ones]) => base.slice(base.length - rank).map((d, i) => (ones[base.length - rank + i] ? 1 : d)));

/** `n` shapes that broadcast together (dims up to 4, sometimes 0). */
const compatibleShapes = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }).chain((base) => fc.array(broadcastableTo(base), { minLength: n, maxLength: n }));

/** A permutation of `0 … n−1`. */
const permutationOf = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

/** A shape with the same number of elements as `shape` (its prime factors dealt into up to 4 dims). */
function sameNumelShape(shape: readonly number[]) {
  const factors: number[] = [];
  for (let n of shape) {
    for (let p = 2; n > 1; p++) {
      while (n % p === 0) {
        factors.push(p);
        n /= p;
      }
    }
  }
  return fc
    .tuple(fc.integer({ min: 0, max: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: factors.length, maxLength: factors.length }))
    .map(([rank, bins]) => {
      const out = new Array<number>(Math.max(rank, bins.length > 0 ? Math.max(...bins) + 1 : 0)).fill(1);
      bins.forEach((b, i) => (out[b]! *= factors[i]!));
      return out;
    });
}

// ---- properties -------------------------------------------------------------------

describe("broadcasting", () => {
  it("broadcastShapes agrees with the reference rule and is commutative", () => {
    const anyShape = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });
    fc.assert(
      fc.property(anyShape, anyShape, (a, b) => {
        const expected = refBroadcast([a, b]);
        if (expected === null) {
          expect(() => broadcastShapes("test", a, b)).toThrow(RangeError);
          expect(() => broadcastShapes("test", b, a)).toThrow(RangeError);
        } else {
          expect(broadcastShapes("test", a, b)).toEqual(expected);
          expect(broadcastShapes("test", b, a)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("add's result has the broadcast shape and the broadcast values", () => {
    fc.assert(
      fc.property(compatibleShapes(2), seedArb, ([a, b], seed) => {
        const x = normal(a!, seed);
        const y = normal(b!, seed + 1);
        const shape = refBroadcast([a!, b!])!;
        const z = x.add(y);
        expect(z.shape).toEqual(shape);
        const expected: number[] = [];
        forEachIndex(shape, (idx) => expected.push(at(x, idx) + at(y, idx)));
        expect(flat(z)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it("incompatible shapes throw an error naming both shapes", () => {
    const clash = fc
      .tuple(shapeArb(1, 4), fc.nat(), fc.integer({ min: 2, max: 5 }), fc.nat(), seedArb)
      .map(([base, pos, size, rank, seed]) => {
        const i = pos % base.length;
        const a = [...base];
        a[i] = size;
        const b = base.slice(rank % (i + 1));
        b[i - (base.length - b.length)] = size + 1;
        return { a, b, seed };
      });
    fc.assert(
      fc.property(clash, ({ a, b, seed }) => {
        expect(refBroadcast([a, b])).toBeNull();
        const names = new RegExp(`${reEscape(fmt(a))}.*${reEscape(fmt(b))}`);
        expect(() => broadcastShapes("add", a, b)).toThrow(names);
        expect(() => normal(a, seed).add(normal(b, seed))).toThrow(names);
      }),
      { numRuns: 100 },
    );
  });
});

/** `s` with regular-expression metacharacters escaped. */
function reEscape(s: string): string {
  return s.replace(/[[\]().*+?^$|\\{}]/g, "\\$&");
}

describe("views", () => {
  it("permute then the inverse permutation gives back identical values", () => {
    const arb = shapeArb(1, 5).chain((shape) => fc.tuple(fc.constant(shape), permutationOf(shape.length), seedArb));
    fc.assert(
      fc.property(arb, ([shape, perm, seed]) => {
        const x = normal(shape, seed);
        const inverse = perm.map((_, i) => perm.indexOf(i));
        const y = x.permute(perm);
        expect(y.shape).toEqual(perm.map((d) => shape[d]));
        // output index idx reads input index with idx[i] in dim perm[i]
        forEachIndex(y.shape, (idx) => {
          const src = new Array<number>(shape.length);
          perm.forEach((d, i) => (src[d] = idx[i]!));
          expect(at(y.contiguous(), idx)).toBe(at(x, src));
        });
        const back = y.permute(inverse);
        expect(back.shape).toEqual(shape);
        expect(back.toArray()).toEqual(x.toArray());
      }),
      { numRuns: 100 },
    );
  });

  it("reshape to a random compatible shape and back is the identity, also from a permuted view", () => {
    const arb = shapeArb(0, 4).chain((shape) => fc.tuple(fc.constant(shape), sameNumelShape(shape), permutationOf(shape.length), fc.boolean(), seedArb));
    fc.assert(
      fc.property(arb, ([shape, target, perm, hole, seed]) => {
        const x = normal(shape, seed);
        const asked = hole && target.length > 0 ? [-1, ...target.slice(1)] : target;
        const y = x.reshape(asked);
        expect(y.shape).toEqual(target);
        expect(flat(y)).toEqual(flat(x));
        expect(y.reshape(shape).toArray()).toEqual(x.toArray());
        // a non-contiguous input is read in its own row-major order
        const p = x.permute(perm);
        expect(flat(p.reshape(asked))).toEqual(flat(p));
        expect(p.reshape(asked).reshape(p.shape).toArray()).toEqual(p.toArray());
      }),
      { numRuns: 100 },
    );
  });

  it("transposing the same two dims twice is the identity", () => {
    const arb = shapeArb(1, 4).chain((shape) => {
      const dim = fc.integer({ min: -shape.length, max: shape.length - 1 });
      return fc.tuple(fc.constant(shape), dim, dim, seedArb);
    });
    fc.assert(
      fc.property(arb, ([shape, d0, d1, seed]) => {
        const x = normal(shape, seed);
        const t = x.transpose(d0, d1);
        const n = shape.length;
        const [a, b] = [(d0 + n) % n, (d1 + n) % n];
        expect(t.shape[a]).toBe(shape[b]);
        expect(t.shape[b]).toBe(shape[a]);
        const tt = t.transpose(d0, d1);
        expect(tt.shape).toEqual(shape);
        expect(tt.toArray()).toEqual(x.toArray());
      }),
      { numRuns: 100 },
    );
  });

  it("cat then split along the same dim gives back the parts", () => {
    const arb = shapeArb(1, 3).chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.integer({ min: 0, max: shape.length - 1 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
        seedArb,
      ),
    );
    fc.assert(
      fc.property(arb, ([shape, dim, sizes, seed]) => {
        const parts = sizes.map((s, i) => normal(shape.map((d, k) => (k === dim ? s : d)), seed + i));
        const whole = cat(parts, dim);
        expect(whole.shape[dim]).toBe(sizes.reduce((p, s) => p + s, 0));
        const back = whole.split(sizes, dim);
        expect(back.length).toBe(parts.length);
        back.forEach((piece, i) => {
          expect(piece.shape).toEqual(parts[i]!.shape);
          expect(flat(piece)).toEqual(flat(parts[i]!));
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe("arithmetic", () => {
  it("sum is linear: sum(a·x + b·y) ≈ a·sum(x) + b·sum(y) over random dims", () => {
    const arb = shapeArb(0, 4).chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.subarray([...shape.keys()]),
        fc.boolean(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        seedArb,
      ),
    );
    fc.assert(
      fc.property(arb, ([shape, dims, keepdim, a, b, seed]) => {
        const x = normal(shape, seed);
        const y = normal(shape, seed + 1);
        const lhs = x.mul(a).add(y.mul(b)).sum(dims.length === 0 ? undefined : dims, { keepdim });
        const rhs = x.sum(dims.length === 0 ? undefined : dims, { keepdim }).mul(a).add(y.sum(dims.length === 0 ? undefined : dims, { keepdim }).mul(b));
        expect(lhs.shape).toEqual(rhs.shape);
        expect(flat(lhs), "sum").toBeAllclose(flat(rhs), { rtol: 1e-12, atol: 1e-12 * (1 + x.numel) });
      }),
      { numRuns: 150 },
    );
  });

  it("matmul matches a naive triple loop, with batch broadcasting and transposed operands", () => {
    const size = fc.constantFrom(1, 2, 3, 5, 17);
    const arb = fc.tuple(compatibleShapes(2), size, size, size, fc.boolean(), fc.boolean(), seedArb);
    fc.assert(
      fc.property(arb, ([[ba, bb], M, K, N, transA, transB, seed]) => {
        // a transposed operand is stored [K, M] and viewed as [M, K] (the GEMM's transposed path)
        const a = transA ? normal([...ba!, K, M], seed).transpose(-1, -2) : normal([...ba!, M, K], seed);
        const b = transB ? normal([...bb!, N, K], seed + 1).transpose(-1, -2) : normal([...bb!, K, N], seed + 1);
        const y = a.matmul(b);
        const batch = refBroadcast([ba!, bb!])!;
        expect(y.shape).toEqual([...batch, M, N]);
        const ac = a.contiguous();
        const bc = b.contiguous();
        const expected: number[] = [];
        forEachIndex([...batch, M, N], (idx) => {
          const bi = idx.slice(0, -2);
          const [i, j] = idx.slice(-2) as [number, number];
          let s = 0;
          for (let k = 0; k < K; k++) s += at(ac, [...bi, i, k]) * at(bc, [...bi, k, j]);
          expected.push(s);
        });
        expect(flat(y), "matmul").toBeAllclose(expected, { rtol: 1e-12, atol: 1e-12 * K });
      }),
      { numRuns: 100 },
    );
  });

  it("softmax rows lie in [0, 1] and sum to 1, even for large-magnitude inputs", () => {
    const arb = shapeArb(1, 3, 6).chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.integer({ min: -shape.length, max: shape.length - 1 }),
        fc.constantFrom(1, 30, 1e3, 1e6, 1e30),
        fc.constantFrom<FloatDType>("float32", "float64"),
        seedArb,
      ),
    );
    fc.assert(
      fc.property(arb, ([shape, dim, scale, dtype, seed]) => {
        const x = normal(shape, seed, dtype).mul(scale);
        const y = x.softmax(dim);
        expect(y.shape).toEqual(shape);
        for (const v of flat(y)) expect(v >= 0 && v <= 1, `softmax value ${v}`).toBe(true);
        const rowSums = flat(y.sum(dim));
        expect(rowSums, "row sum").toBeAllclose(rowSums.map(() => 1), { rtol: 0, atol: dtype === "float64" ? 1e-12 : 1e-5 });
        const logY = flat(x.logSoftmax(dim));
        for (const v of logY) expect(v <= 0 && !Number.isNaN(v), `logSoftmax value ${v}`).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("where(c, a, b) picks elementwise with three-way broadcasting", () => {
    fc.assert(
      fc.property(compatibleShapes(3), seedArb, ([sc, sa, sb], seed) => {
        const g = new Generator(seed);
        const c = filled("bool", sc!, () => (g.random() < 0.5 ? 1 : 0));
        const a = normal(sa!, seed + 1);
        const b = normal(sb!, seed + 2);
        const y = where(c, a, b);
        const shape = refBroadcast([sc!, sa!, sb!])!;
        expect(y.shape).toEqual(shape);
        const expected: number[] = [];
        forEachIndex(shape, (idx) => expected.push(at(c, idx) ? at(a, idx) : at(b, idx)));
        expect(flat(y)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
