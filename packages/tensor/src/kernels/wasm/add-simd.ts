/** @file WASM SIMD `y = a + b` over n floats (a multiple of 4): the residual adds and gradient sums of a training step. */
import { Func } from "./assembler.js";

/** `addF32(y, a, b, n)`: `y[i] = a[i] + b[i]`; pointers in bytes, n a multiple of 4. */
export function addKernel(): Func {
  const f = new Func("addF32", ["i32", "i32", "i32", "i32"]);
  const [y, a, b, n] = f.i32Params(4);
  const j = f.local("i32");
  f.for(j, (g) => g.i32(0), (g) => g.get(n).i32(4).i32Mul(), 16, (g) =>
    g.get(y).get(j).i32Add().get(a).get(j).i32Add().v128Load().get(b).get(j).i32Add().v128Load().f32x4Add().v128Store());
  return f;
}
