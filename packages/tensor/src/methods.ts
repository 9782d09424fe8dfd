/**
 * @file Tensor's fluent methods (`x.add(y).relu().sum()`), attached to the
 * prototype here so `tensor.ts` stays free of op imports. Every method
 * forwards to the op function of the same name, documented there. The
 * implementations are typed by the declarations (`TensorMethods<D>`), so a
 * declared method without an implementation, or with another signature,
 * fails `tsc`.
 */
import { inspect } from "node:util";
import { backward, type BackwardOptions } from "./autograd/backward.js";
import type { Arith, DType, FloatOf, DataTypeMap } from "./dtype.js";
import { formatTensor } from "./format.js";
import * as assemble from "./ops/assemble.js";
import * as binary from "./ops/binary.js";
import type { ArithResult } from "./ops/binary.js";
import { to } from "./ops/cast.js";
import * as indexOps from "./ops/index-ops.js";
import * as inplace from "./ops/inplace.js";
import * as logical from "./ops/logical.js";
import { maskedFill, maskedSelect } from "./ops/mask.js";
import { matmul } from "./ops/matmul.js";
import * as reduce from "./ops/reduce.js";
import type { Dims, NormOptions, ReduceOptions, VarOptions } from "./ops/reduce.js";
import { multinomial, type MultinomialOptions } from "./ops/multinomial.js";
import { outer } from "./ops/einsum.js";
import * as rearrange from "./ops/rearrange.js";
import { cumsum } from "./ops/scan.js";
import * as sorting from "./ops/sort.js";
import type { SortOptions, TopkOptions, ValuesIndices } from "./ops/sort.js";
import { logSoftmax, softmax } from "./ops/softmax.js";
import * as unary from "./ops/unary.js";
import { copyOf, type TensorLike } from "./ops/util.js";
import * as views from "./ops/view.js";
import { Tensor } from "./tensor.js";

/** Nested arrays as returned by `toArray()`. */
export type NestedNumbers = number | NestedNumbers[];

/** The fluent methods every tensor has, declared once (the implementations below are checked against these). */
export interface TensorMethods<D extends DType> {
  add<T extends TensorLike>(other: T): Tensor<ArithResult<D, T>>;
  sub<T extends TensorLike>(other: T): Tensor<ArithResult<D, T>>;
  mul<T extends TensorLike>(other: T): Tensor<ArithResult<D, T>>;
  div(other: TensorLike): Tensor<FloatOf<D>>;
  pow<T extends TensorLike>(exponent: T): Tensor<ArithResult<D, T>>;
  maximum<T extends TensorLike>(other: T): Tensor<ArithResult<D, T>>;
  minimum<T extends TensorLike>(other: T): Tensor<ArithResult<D, T>>;
  eq(other: TensorLike): Tensor<"bool">;
  ne(other: TensorLike): Tensor<"bool">;
  lt(other: TensorLike): Tensor<"bool">;
  le(other: TensorLike): Tensor<"bool">;
  gt(other: TensorLike): Tensor<"bool">;
  ge(other: TensorLike): Tensor<"bool">;
  /** `where(condition, this, other)`: this tensor where `condition` holds, else `other` (`x.where(cond, y)`). */
  where(condition: Tensor, other: TensorLike): Tensor;
  neg(): Tensor<Arith<D>>;
  exp(): Tensor<FloatOf<D>>;
  log(): Tensor<FloatOf<D>>;
  sqrt(): Tensor<FloatOf<D>>;
  rsqrt(): Tensor<FloatOf<D>>;
  abs(): Tensor<Arith<D>>;
  tanh(): Tensor<FloatOf<D>>;
  sigmoid(): Tensor<FloatOf<D>>;
  relu(): Tensor<Arith<D>>;
  silu(): Tensor<FloatOf<D>>;
  gelu(): Tensor<FloatOf<D>>;
  sin(): Tensor<FloatOf<D>>;
  cos(): Tensor<FloatOf<D>>;
  square(): Tensor<Arith<D>>;
  reciprocal(): Tensor<FloatOf<D>>;
  round(): Tensor<Arith<D>>;
  floor(): Tensor<Arith<D>>;
  ceil(): Tensor<Arith<D>>;
  sign(): Tensor<Arith<D>>;
  clamp(min?: number | null, max?: number | null): Tensor<Arith<D>>;
  isnan(): Tensor<"bool">;
  isinf(): Tensor<"bool">;
  isfinite(): Tensor<"bool">;
  sum(dims?: Dims, opts?: ReduceOptions): Tensor<Arith<D>>;
  mean(dims?: Dims, opts?: ReduceOptions): Tensor<FloatOf<D>>;
  max(dims?: Dims, opts?: ReduceOptions): Tensor<D>;
  min(dims?: Dims, opts?: ReduceOptions): Tensor<D>;
  argmax(dim?: number, opts?: ReduceOptions): Tensor<"int32">;
  argmin(dim?: number, opts?: ReduceOptions): Tensor<"int32">;
  var(dims?: Dims, opts?: VarOptions): Tensor<FloatOf<D>>;
  std(dims?: Dims, opts?: VarOptions): Tensor<FloatOf<D>>;
  norm(dims?: Dims, opts?: NormOptions): Tensor<FloatOf<D>>;
  logsumexp(dims?: Dims, opts?: ReduceOptions): Tensor<FloatOf<D>>;
  any(dims?: Dims, opts?: ReduceOptions): Tensor<"bool">;
  all(dims?: Dims, opts?: ReduceOptions): Tensor<"bool">;
  cumsum(dim: number): Tensor<Arith<D>>;
  softmax(dim?: number): Tensor<FloatOf<D>>;
  logSoftmax(dim?: number): Tensor<FloatOf<D>>;
  sort(dim?: number, opts?: SortOptions): ValuesIndices<D>;
  argsort(dim?: number, opts?: SortOptions): Tensor<"int32">;
  topk(k: number, opts?: TopkOptions): ValuesIndices<D>;
  multinomial(numSamples: number, opts?: MultinomialOptions): Tensor<"int32">;
  matmul(other: Tensor): Tensor<D>;
  outer(other: Tensor): Tensor<D>;
  reshape(shape: readonly number[]): Tensor<D>;
  view(shape: readonly number[]): Tensor<D>;
  flatten(start?: number, end?: number): Tensor<D>;
  permute(dims: readonly number[]): Tensor<D>;
  transpose(dim0: number, dim1: number): Tensor<D>;
  /** Transpose of a 2-D tensor (`x.T`). */
  t(): Tensor<D>;
  expand(shape: readonly number[]): Tensor<D>;
  expandAs(other: Tensor): Tensor<D>;
  narrow(dim: number, start: number, length: number): Tensor<D>;
  slice(dim: number, start?: number, end?: number, step?: number): Tensor<D>;
  select(dim: number, index: number): Tensor<D>;
  unsqueeze(dim: number): Tensor<D>;
  squeeze(dim?: number | readonly number[]): Tensor<D>;
  contiguous(): Tensor<D>;
  flip(dims: number | readonly number[]): Tensor<D>;
  repeat(repeats: readonly number[]): Tensor<D>;
  unbind(dim?: number): Tensor<D>[];
  split(sizes: number | readonly number[], dim?: number): Tensor<D>[];
  chunk(chunks: number, dim?: number): Tensor<D>[];
  indexSelect(dim: number, index: Tensor): Tensor<D>;
  gather(dim: number, index: Tensor): Tensor<D>;
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor<D>;
  maskedFill(mask: Tensor, value: number): Tensor<D>;
  maskedSelect(mask: Tensor): Tensor<D>;
  tril(diagonal?: number): Tensor<D>;
  triu(diagonal?: number): Tensor<D>;
  to<E extends DType>(dtype: E): Tensor<E>;
  /** A contiguous copy that shares nothing and is cut from the graph (`x.clone().detach()`). */
  clone(): Tensor<D>;
  add_(other: TensorLike, alpha?: number): this;
  sub_(other: TensorLike): this;
  mul_(other: TensorLike): this;
  div_(other: TensorLike): this;
  copy_(src: TensorLike): this;
  fill_(value: number): this;
  zero_(): this;
  clamp_(min?: number, max?: number): this;
  /** Accumulates gradients of this tensor into the leaves (`loss.backward()`). */
  backward(gradient?: Tensor, opts?: BackwardOptions): void;
  /** The value of a one-element tensor as a JS number (bool → 0/1). */
  item(): number;
  /** The elements as nested JS arrays. */
  toArray(): NestedNumbers;
  /** PyTorch-style printout. */
  toString(): string;
}

declare module "./tensor.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface Tensor<D extends DType = DType> extends TensorMethods<D> {}
}

/** The implementations, for any `D`: `this` is a `Tensor<D>` and each must satisfy its declaration. */
function implementations<D extends DType>(): TensorMethods<D> & ThisType<Tensor<D>> {
  return {
    add(o) { return binary.add(this, o); },
    sub(o) { return binary.sub(this, o); },
    mul(o) { return binary.mul(this, o); },
    div(o) { return binary.div(this, o) as Tensor<FloatOf<D>>; },
    pow(o) { return binary.pow(this, o); },
    maximum(o) { return binary.maximum(this, o); },
    minimum(o) { return binary.minimum(this, o); },
    eq(o) { return binary.eq(this, o); },
    ne(o) { return binary.ne(this, o); },
    lt(o) { return binary.lt(this, o); },
    le(o) { return binary.le(this, o); },
    gt(o) { return binary.gt(this, o); },
    ge(o) { return binary.ge(this, o); },
    where(cond, o) { return binary.where(cond, this, o); },
    neg() { return unary.neg(this); },
    exp() { return unary.exp(this); },
    log() { return unary.log(this); },
    sqrt() { return unary.sqrt(this); },
    rsqrt() { return unary.rsqrt(this); },
    abs() { return unary.abs(this); },
    tanh() { return unary.tanh(this); },
    sigmoid() { return unary.sigmoid(this); },
    relu() { return unary.relu(this); },
    silu() { return unary.silu(this); },
    gelu() { return unary.gelu(this); },
    sin() { return unary.sin(this); },
    cos() { return unary.cos(this); },
    square() { return unary.square(this); },
    reciprocal() { return unary.reciprocal(this); },
    round() { return unary.round(this); },
    floor() { return unary.floor(this); },
    ceil() { return unary.ceil(this); },
    sign() { return unary.sign(this); },
    clamp(lo, hi) { return unary.clamp(this, lo, hi); },
    isnan() { return logical.isnan(this); },
    isinf() { return logical.isinf(this); },
    isfinite() { return logical.isfinite(this); },
    sum(d, o) { return reduce.sum(this, d, o); },
    mean(d, o) { return reduce.mean(this, d, o); },
    max(d, o) { return reduce.max(this, d, o); },
    min(d, o) { return reduce.min(this, d, o); },
    argmax(d, o) { return reduce.argmax(this, d, o); },
    argmin(d, o) { return reduce.argmin(this, d, o); },
    var(d, o) { return reduce.variance(this, d, o); },
    std(d, o) { return reduce.std(this, d, o); },
    norm(d, o) { return reduce.norm(this, d, o); },
    logsumexp(d, o) { return reduce.logsumexp(this, d, o); },
    any(d, o) { return logical.any(this, d, o); },
    all(d, o) { return logical.all(this, d, o); },
    cumsum(dim) { return cumsum(this, dim); },
    softmax(dim) { return softmax(this, dim); },
    logSoftmax(dim) { return logSoftmax(this, dim); },
    sort(dim, o) { return sorting.sort(this, dim, o); },
    argsort(dim, o) { return sorting.argsort(this, dim, o); },
    topk(k, o) { return sorting.topk(this, k, o); },
    multinomial(n, o) { return multinomial(this, n, o); },
    matmul(o) { return matmul(this, o) as Tensor<D>; },
    outer(o) { return outer(this, o) as Tensor<D>; },
    reshape(s) { return views.reshape(this, s); },
    view(s) { return views.view(this, s); },
    flatten(a, b) { return views.flatten(this, a, b); },
    permute(d) { return views.permute(this, d); },
    transpose(a, b) { return views.transpose(this, a, b); },
    t() {
      if (this.ndim > 2) throw new RangeError(`t: expects a tensor with at most 2 dims, got [${this.shape.join(", ")}]; use transpose()`);
      return this.ndim < 2 ? this : views.transpose(this, 0, 1);
    },
    expand(s) { return views.expand(this, s); },
    expandAs(o) { return views.expand(this, o.shape); },
    narrow(d, s, l) { return views.narrow(this, d, s, l); },
    slice(d, s, e, st) { return views.slice(this, d, s, e, st); },
    select(d, i) { return views.select(this, d, i); },
    unsqueeze(d) { return views.unsqueeze(this, d); },
    squeeze(d) { return views.squeeze(this, d); },
    contiguous() { return views.contiguous(this); },
    flip(d) { return rearrange.flip(this, d); },
    repeat(r) { return rearrange.repeat(this, r); },
    unbind(d) { return rearrange.unbind(this, d); },
    split(s, d) { return assemble.split(this, s, d); },
    chunk(c, d) { return assemble.chunk(this, c, d); },
    indexSelect(d, i) { return indexOps.indexSelect(this, d, i); },
    gather(d, i) { return indexOps.gather(this, d, i); },
    scatterAdd(d, i, s) { return indexOps.scatterAdd(this, d, i, s); },
    maskedFill(m, v) { return maskedFill(this, m, v); },
    maskedSelect(m) { return maskedSelect(this, m); },
    tril(k) { return assemble.tril(this, k); },
    triu(k) { return assemble.triu(this, k); },
    to(dtype) { return to(this, dtype); },
    clone() { return copyOf(this); },
    add_(o, alpha) { return inplace.add_(this, o, alpha); },
    sub_(o) { return inplace.sub_(this, o); },
    mul_(o) { return inplace.mul_(this, o); },
    div_(o) { return inplace.div_(this, o); },
    copy_(o) { return inplace.copy_(this, o); },
    fill_(v) { return inplace.fill_(this, v); },
    zero_() { return inplace.zero_(this); },
    clamp_(lo, hi) { return inplace.clamp_(this, lo, hi); },
    backward(g, o) { backward(this, g, o); },
    item() {
      if (this.numel !== 1) throw new RangeError(`item: only one-element tensors convert to a number, this one has shape [${this.shape.join(", ")}]`);
      return Number(this.storage.data[this.offset]);
    },
    toArray() {
      const data = this.storage.data as DataTypeMap[DType];
      const build = (dim: number, at: number): NestedNumbers => {
        if (dim === this.ndim) return Number(data[at]);
        return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, at + i * this.strides[dim]!));
      };
      return build(0, this.offset);
    },
    toString() { return formatTensor(this); },
  };
}

const P = Tensor.prototype;
Object.assign(P, implementations());
Object.defineProperty(P, inspect.custom, {
  value(this: Tensor) { return formatTensor(this); },
});
