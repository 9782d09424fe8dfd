/**
 * @file Rotary position embedding kernel (Su et al. 2021, RoFormer) in the
 * Hugging Face `rotate_half` convention: element i of each head is paired
 * with element i + hs/2 and rotated by angle `pos · θᵢ`.
 */
import type { TypedArray } from "../dtype.js";

/**
 * `y = rope(x)` for x laid out (B, T, H, hs) contiguous; `cos`/`sin` are
 * (P, hs/2) tables read at rows `offset + t`. `sign = −1` applies the inverse
 * rotation (the backward).
 */
export function ropeForward(
  y: TypedArray, x: TypedArray, cos: TypedArray, sin: TypedArray, B: number, T: number, H: number, hs: number, offset: number, sign: number,
): void {
  const half = hs >> 1;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = (offset + t) * half;
      for (let h = 0, base = ((b * T + t) * H) * hs; h < H; h++, base += hs) {
        for (let i = 0; i < half; i++) {
          const c = cos[row + i]!;
          const s = sign * sin[row + i]!;
          const x1 = x[base + i]!;
          const x2 = x[base + half + i]!;
          y[base + i] = x1 * c - x2 * s;
          y[base + half + i] = x2 * c + x1 * s;
        }
      }
    }
  }
}
