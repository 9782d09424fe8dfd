/**
 * @file Storage: the typed array a tensor and all its views share, plus the
 * version counter that autograd uses to detect in-place changes to saved
 * tensors (PyTorch's `_version`). Arrays come from the memory pool.
 */
import type { DataTypeMap, DType } from "./dtype.js";
import { acquire } from "./memory/pool.js";
import { recordStorage } from "./memory/recycler.js";

/** A buffer shared by a tensor and its views. */
export class Storage<D extends DType = DType> {
  /** Bumped by every in-place write through kiln's API. */
  version = 0;

  constructor(
    readonly dtype: D,
    readonly data: DataTypeMap[D],
  ) {}

  /** A fresh zero-filled storage of `size` elements. */
  static zeros<D extends DType>(dtype: D, size: number): Storage<D> {
    const s = new Storage(dtype, acquire(dtype, size, true));
    recordStorage(s);
    return s;
  }

  /** A storage of `size` elements with unspecified contents, for outputs a kernel overwrites completely. */
  static uninit<D extends DType>(dtype: D, size: number): Storage<D> {
    const s = new Storage(dtype, acquire(dtype, size, false));
    recordStorage(s);
    return s;
  }
}
