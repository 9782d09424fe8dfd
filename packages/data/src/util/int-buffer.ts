/**
 * @file A growable Int32Array: the output buffer of tokenizer encoders.
 */

/** Append-only int32 buffer that doubles its capacity as needed. */
export class IntBuffer {
  private data: Int32Array;
  /** Number of values written. */
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Appends one value. */
  push(value: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = value;
  }

  /** Appends every value of `values`. */
  pushAll(values: ArrayLike<number>): void {
    this.reserve(values.length);
    for (let i = 0; i < values.length; i++) this.data[this.length++] = values[i]!;
  }

  /** A right-sized copy of the contents. */
  toInt32Array(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
