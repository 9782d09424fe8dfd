/**
 * @file Storage: the typed array a tensor and all its views share, plus the
 * version counter that autograd uses to detect in-place changes to saved
 * tensors (PyTorch's `_version`).
 */
import { allocate, type DataTypeMap, type DType } from "./dtype.js";

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
    return new Storage(dtype, allocate(dtype, size));
  }
}
