/**
 * @file Storage: the typed array a tensor and all its views share, plus the
 * version counter that autograd uses to detect in-place changes to saved
 * tensors (PyTorch's `_version`). Arrays come from the memory pool.
 */
import type { DataTypeMap, DType } from "./dtype.js";
import { acquire, release } from "./memory/pool.js";

let created: Storage[] | null = null;

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
    created?.push(s);
    return s;
  }

  /** A storage of `size` elements with unspecified contents, for outputs a kernel overwrites completely. */
  static uninit<D extends DType>(dtype: D, size: number): Storage<D> {
    const s = new Storage(dtype, acquire(dtype, size, false));
    created?.push(s);
    return s;
  }
}

/** @internal Starts (a list) or stops (null) recording every storage created; returns the previous list. */
export function trackStorages(list: Storage[] | null): Storage[] | null {
  const prev = created;
  created = list;
  return prev;
}

/** @internal Hands `s` (made outside a backward pass) to the pass now recording, which frees it once unused. */
export function adoptStorage(s: Storage): void {
  created?.push(s);
}

/** @internal Returns `s`'s array to the pool now; nothing may use `s` (or a view of it) afterwards. */
export function releaseStorage(s: Storage): void {
  release(s.data);
}
