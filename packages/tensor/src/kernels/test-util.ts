/** @file Helpers the kernel tests share: seeded float32 data and a bit-for-bit comparison. */

/** `n` float32 values in [−amp, amp) from a linear congruential generator seeded by `seed`. */
export function fill(n: number, seed: number, amp = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * amp;
  }
  return out;
}

/** Whether two typed arrays hold the same bytes. */
export function sameBits(x: ArrayBufferView, y: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
}
