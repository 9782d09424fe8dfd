/**
 * @file Tensor's fluent methods (`x.add(y).relu().sum()`), attached to the
 * prototype here so `tensor.ts` stays free of op imports. Every method
 * forwards to the op function of the same name, documented there.
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
import { maskedFill } from "./ops/mask.js";
import { matmul } from "./ops/matmul.js";
import * as reduce from "./ops/reduce.js";
import type { Dims, ReduceOptions, VarOptions } from "./ops/reduce.js";
import { logSoftmax, softmax } from "./ops/softmax.js";
import * as unary from "./ops/unary.js";
import { copyOf, type TensorLike } from "./ops/util.js";
import * as views from "./ops/view.js";
import { Tensor } from "./tensor.js";

/** Nested arrays as returned by `toArray()`. */
export type NestedNumbers = number | NestedNumbers[];

declare module "./tensor.js" {
  interface Tensor<D extends DType = DType> {
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
    clamp(min?: number | null, max?: number | null): Tensor<Arith<D>>;
    sum(dims?: Dims, opts?: ReduceOptions): Tensor<Arith<D>>;
    mean(dims?: Dims, opts?: ReduceOptions): Tensor<FloatOf<D>>;
    max(dims?: Dims, opts?: ReduceOptions): Tensor<D>;
    min(dims?: Dims, opts?: ReduceOptions): Tensor<D>;
    argmax(dim?: number, opts?: ReduceOptions): Tensor<"int32">;
    argmin(dim?: number, opts?: ReduceOptions): Tensor<"int32">;
    var(dims?: Dims, opts?: VarOptions): Tensor<FloatOf<D>>;
    logsumexp(dims?: Dims, opts?: ReduceOptions): Tensor<FloatOf<D>>;
    softmax(dim?: number): Tensor<FloatOf<D>>;
    logSoftmax(dim?: number): Tensor<FloatOf<D>>;
    matmul(other: Tensor): Tensor<D>;
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
    split(sizes: number | readonly number[], dim?: number): Tensor<D>[];
    chunk(chunks: number, dim?: number): Tensor<D>[];
    indexSelect(dim: number, index: Tensor): Tensor<D>;
    gather(dim: number, index: Tensor): Tensor<D>;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor<D>;
    maskedFill(mask: Tensor, value: number): Tensor<D>;
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
}

const P = Tensor.prototype;
const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  add(this: Tensor, o: TensorLike) { return binary.add(this, o); },
  sub(this: Tensor, o: TensorLike) { return binary.sub(this, o); },
  mul(this: Tensor, o: TensorLike) { return binary.mul(this, o); },
  div(this: Tensor, o: TensorLike) { return binary.div(this, o); },
  pow(this: Tensor, o: TensorLike) { return binary.pow(this, o); },
  maximum(this: Tensor, o: TensorLike) { return binary.maximum(this, o); },
  minimum(this: Tensor, o: TensorLike) { return binary.minimum(this, o); },
  eq(this: Tensor, o: TensorLike) { return binary.eq(this, o); },
  ne(this: Tensor, o: TensorLike) { return binary.ne(this, o); },
  lt(this: Tensor, o: TensorLike) { return binary.lt(this, o); },
  le(this: Tensor, o: TensorLike) { return binary.le(this, o); },
  gt(this: Tensor, o: TensorLike) { return binary.gt(this, o); },
  ge(this: Tensor, o: TensorLike) { return binary.ge(this, o); },
  clamp(this: Tensor, lo?: number | null, hi?: number | null) { return unary.clamp(this, lo, hi); },
  sum(this: Tensor, d?: Dims, o?: ReduceOptions) { return reduce.sum(this, d, o); },
  mean(this: Tensor, d?: Dims, o?: ReduceOptions) { return reduce.mean(this, d, o); },
  max(this: Tensor, d?: Dims, o?: ReduceOptions) { return reduce.max(this, d, o); },
  min(this: Tensor, d?: Dims, o?: ReduceOptions) { return reduce.min(this, d, o); },
  argmax(this: Tensor, d?: number, o?: ReduceOptions) { return reduce.argmax(this, d, o); },
  argmin(this: Tensor, d?: number, o?: ReduceOptions) { return reduce.argmin(this, d, o); },
  var(this: Tensor, d?: Dims, o?: VarOptions) { return reduce.variance(this, d, o); },
  logsumexp(this: Tensor, d?: Dims, o?: ReduceOptions) { return reduce.logsumexp(this, d, o); },
  softmax(this: Tensor, dim?: number) { return softmax(this, dim); },
  logSoftmax(this: Tensor, dim?: number) { return logSoftmax(this, dim); },
  matmul(this: Tensor, o: Tensor) { return matmul(this, o); },
  reshape(this: Tensor, s: number[]) { return views.reshape(this, s); },
  view(this: Tensor, s: number[]) { return views.view(this, s); },
  flatten(this: Tensor, a?: number, b?: number) { return views.flatten(this, a, b); },
  permute(this: Tensor, d: number[]) { return views.permute(this, d); },
  transpose(this: Tensor, a: number, b: number) { return views.transpose(this, a, b); },
  t(this: Tensor) {
    if (this.ndim > 2) throw new RangeError(`t: expects a tensor with at most 2 dims, got [${this.shape.join(", ")}]; use transpose()`);
    return this.ndim < 2 ? this : views.transpose(this, 0, 1);
  },
  expand(this: Tensor, s: number[]) { return views.expand(this, s); },
  expandAs(this: Tensor, o: Tensor) { return views.expand(this, o.shape); },
  narrow(this: Tensor, d: number, s: number, l: number) { return views.narrow(this, d, s, l); },
  slice(this: Tensor, d: number, s?: number, e?: number, st?: number) { return views.slice(this, d, s, e, st); },
  select(this: Tensor, d: number, i: number) { return views.select(this, d, i); },
  unsqueeze(this: Tensor, d: number) { return views.unsqueeze(this, d); },
  squeeze(this: Tensor, d?: number | number[]) { return views.squeeze(this, d); },
  contiguous(this: Tensor) { return views.contiguous(this); },
  split(this: Tensor, s: number | number[], d?: number) { return assemble.split(this, s, d); },
  chunk(this: Tensor, c: number, d?: number) { return assemble.chunk(this, c, d); },
  indexSelect(this: Tensor, d: number, i: Tensor) { return indexOps.indexSelect(this, d, i); },
  gather(this: Tensor, d: number, i: Tensor) { return indexOps.gather(this, d, i); },
  scatterAdd(this: Tensor, d: number, i: Tensor, s: Tensor) { return indexOps.scatterAdd(this, d, i, s); },
  maskedFill(this: Tensor, m: Tensor, v: number) { return maskedFill(this, m, v); },
  tril(this: Tensor, k?: number) { return assemble.tril(this, k); },
  triu(this: Tensor, k?: number) { return assemble.triu(this, k); },
  to(this: Tensor, dtype: DType) { return to(this, dtype); },
  clone(this: Tensor) { return copyOf(this); },
  add_(this: Tensor, o: TensorLike, alpha?: number) { return inplace.add_(this, o, alpha); },
  sub_(this: Tensor, o: TensorLike) { return inplace.sub_(this, o); },
  mul_(this: Tensor, o: TensorLike) { return inplace.mul_(this, o); },
  div_(this: Tensor, o: TensorLike) { return inplace.div_(this, o); },
  copy_(this: Tensor, o: TensorLike) { return inplace.copy_(this, o); },
  fill_(this: Tensor, v: number) { return inplace.fill_(this, v); },
  zero_(this: Tensor) { return inplace.zero_(this); },
  clamp_(this: Tensor, lo?: number, hi?: number) { return inplace.clamp_(this, lo, hi); },
  backward(this: Tensor, g?: Tensor, o?: BackwardOptions) { backward(this, g, o); },
  item(this: Tensor) {
    if (this.numel !== 1) throw new RangeError(`item: only one-element tensors convert to a number, this one has shape [${this.shape.join(", ")}]`);
    return Number(this.storage.data[this.offset]);
  },
  toArray(this: Tensor) {
    const data = this.storage.data as DataTypeMap[DType];
    const build = (dim: number, at: number): NestedNumbers => {
      if (dim === this.ndim) return Number(data[at]);
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, at + i * this.strides[dim]!));
    };
    return build(0, this.offset);
  },
  toString(this: Tensor) { return formatTensor(this); },
};
for (const name of ["neg", "exp", "log", "sqrt", "rsqrt", "abs", "tanh", "sigmoid", "relu", "silu", "gelu", "sin", "cos", "square", "reciprocal"] as const) {
  methods[name] = function (this: Tensor) { return unary.unary(name, this); };
}
Object.assign(P, methods);
Object.defineProperty(P, inspect.custom, {
  value(this: Tensor) { return formatTensor(this); },
});
