/**
 * @file The Tensor: metadata (dtype, shape, strides, offset, storage) and
 * autograd state. Fluent methods (`x.add(y)`, `x.sum()`) are attached in
 * `methods.ts`, so this file depends on no op.
 */
import type { Node } from "./autograd/node.js";
import { isFloat, type DataTypeMap, type DType } from "./dtype.js";
import { contiguousStrides, fmtShape, numelOf, type Shape } from "./shape.js";
import { Storage } from "./storage.js";

const keepAlive = new WeakMap<object, object>();

/** An n-dimensional array of `D` elements that can take part in autograd. */
export class Tensor<D extends DType = DType> {
  /** Gradient accumulated by `backward()`, or null. */
  grad: Tensor<D> | null = null;
  private _requiresGrad = false;
  private _gradFn: Node | null = null;
  /** Number of elements. */
  readonly numel: number;

  constructor(
    /** The buffer this tensor views (shared with its views). */
    readonly storage: Storage<D>,
    /** Size of each dimension. */
    readonly shape: Shape,
    /** Elements to step in storage per unit step in each dimension. */
    readonly strides: readonly number[] = contiguousStrides(shape),
    /** Index of element [0, 0, ...] in storage. */
    readonly offset = 0,
  ) {
    this.numel = numelOf(shape);
  }

  /** A fresh contiguous tensor of zeros. */
  static empty<D extends DType>(dtype: D, shape: Shape): Tensor<D> {
    return new Tensor(Storage.zeros(dtype, numelOf(shape)), shape);
  }

  /** A contiguous tensor over an existing typed array (no copy). */
  static fromData<D extends DType>(dtype: D, data: DataTypeMap[D], shape: Shape): Tensor<D> {
    if (data.length !== numelOf(shape)) {
      throw new RangeError(`Tensor.fromData: ${data.length} elements cannot have shape ${fmtShape(shape)}`);
    }
    return new Tensor(new Storage(dtype, data), shape);
  }

  /** Element type. */
  get dtype(): D {
    return this.storage.dtype;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Size of one dim (negative counts from the end), or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    const d = dim < 0 ? dim + this.ndim : dim;
    const s = this.shape[d];
    if (s === undefined) throw new RangeError(`size: dim ${dim} is out of range for shape ${fmtShape(this.shape)}`);
    return s;
  }

  /** Whether elements are laid out row-major without gaps, so `data` is a view. */
  get isContiguous(): boolean {
    let expected = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      const n = this.shape[i]!;
      if (n !== 1 && this.strides[i] !== expected) return n === 0;
      expected *= n;
    }
    return true;
  }

  /**
   * The elements as a typed array in row-major order: a live view of storage
   * (writes show through). Throws for a non-contiguous view; call `contiguous()` first.
   * Writes through `data` are invisible to autograd's in-place checks: use it
   * under `noGrad` on tensors no graph has saved (e.g. parameters in an optimizer).
   */
  get data(): DataTypeMap[D] {
    if (!this.isContiguous) {
      throw new Error(`data: tensor of shape ${fmtShape(this.shape)} is a non-contiguous view; call contiguous() first`);
    }
    const all = this.storage.data;
    if (this.offset === 0 && this.numel === all.length) return all;
    const part = all.subarray(this.offset, this.offset + this.numel) as DataTypeMap[D];
    keepAlive.set(part, all); // NOTE: the pool recycles an array once it is dead; a live part keeps it alive
    return part;
  }

  /** Whether gradients flow to this tensor. Only float tensors may require grad. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(on: boolean) {
    if (on && !isFloat(this.dtype)) {
      throw new TypeError(`requiresGrad: only float tensors can require gradients, this one is ${this.dtype}`);
    }
    if (!on && this._gradFn !== null) {
      throw new Error("requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()");
    }
    this._requiresGrad = on;
  }

  /** The node that produced this tensor, or null for a leaf. */
  get gradFn(): Node | null {
    return this._gradFn;
  }

  /** Whether this tensor was created by the user rather than by a recorded op. */
  get isLeaf(): boolean {
    return this._gradFn === null;
  }

  /** @internal Called by `record` to attach the producing node. */
  _setGradFn(node: Node): void {
    this._gradFn = node;
    this._requiresGrad = true;
  }

  /** Keeps `grad` on this non-leaf tensor after backward (`retain_grad`). */
  retainGrad(): this {
    if (this._gradFn !== null) this._gradFn.retained = this;
    return this;
  }

  /** A tensor sharing storage with this one but cut from the graph. */
  detach(): Tensor<D> {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /** Sets `requiresGrad` and returns this tensor (`requires_grad_`). */
  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }
}
