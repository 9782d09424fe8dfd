/**
 * @file WASM SIMD kernel of rotary position embedding (Su et al. 2021) in the Hugging Face
 * `rotate_half` convention, over (B, T, H, hs) rows with `hs` a multiple of 8: four pairs
 * (i, i + hs/2) per vector, the angle table read at each row's position.
 */
import { Func } from "./assembler.js";

/** Words of the descriptor `ropeFwd` reads: table pointers (at the first position) and sizes. */
export const ROPE_DESC = { cos: 0, sin: 1, T: 2, H: 3, hs: 4, sign: 5 } as const;

/**
 * `ropeFwd(y, x, desc, p0, p1)`: rotates the (b, t) rows p0 ≤ p < p1 (t = p mod T) of x into y,
 * `y[i] = x[i]·c − x[i+h]·s`, `y[i+h] = x[i+h]·c + x[i]·s` with `s = sign·sin`; `desc` as {@link ROPE_DESC}.
 */
export function ropeKernel(): Func {
  const f = new Func("ropeFwd", ["i32", "i32", "i32", "i32", "i32"]);
  const [y, x, desc, p0, p1] = f.i32Params(5);
  const [cosP, sinP, T, H, half, p, h, j, row, xp, yp] = f.locals("i32", 11);
  const [c, s, sign, x1, x2] = f.locals("v128", 5);
  const word = (k: number) => f.get(desc).i32Load(k * 4);
  word(ROPE_DESC.cos).set(cosP);
  word(ROPE_DESC.sin).set(sinP);
  word(ROPE_DESC.T).set(T);
  word(ROPE_DESC.H).set(H);
  word(ROPE_DESC.hs).i32(2).i32Mul().set(half); // bytes of half a head: hs/2 floats
  f.get(desc).v128Load32Splat(ROPE_DESC.sign * 4).set(sign);
  f.for(p, (g) => g.get(p0), (g) => g.get(p1), 1, (g) => {
    g.get(p).get(T).i32RemU().get(half).i32Mul().set(row);
    g.get(p).get(H).i32Mul().get(half).i32Mul().i32(2).i32Mul().tee(xp).get(y).i32Add().set(yp);
    g.get(xp).get(x).i32Add().set(xp);
    g.for(h, (k) => k.i32(0), (k) => k.get(H), 1, (k) => {
      k.for(j, (l) => l.i32(0), (l) => l.get(half), 16, (l) => {
        l.get(cosP).get(row).i32Add().get(j).i32Add().v128Load().set(c);
        l.get(sinP).get(row).i32Add().get(j).i32Add().v128Load().get(sign).f32x4Mul().set(s);
        l.get(xp).get(j).i32Add().v128Load().set(x1);
        l.get(xp).get(half).i32Add().get(j).i32Add().v128Load().set(x2);
        l.get(yp).get(j).i32Add().get(x1).get(c).f32x4Mul().get(x2).get(s).f32x4Mul().f32x4Sub().v128Store();
        l.get(yp).get(half).i32Add().get(j).i32Add().get(x2).get(c).f32x4Mul().get(x1).get(s).f32x4Mul().f32x4Add().v128Store();
      });
      k.get(xp).get(half).i32(2).i32Mul().i32Add().set(xp);
      k.get(yp).get(half).i32(2).i32Mul().i32Add().set(yp);
    });
  });
  return f;
}
