/**
 * @file What the host sides of the WASM kernels share: operand descriptors, cutting work into
 * parts, and `mapWasm`, which runs a per-element kernel (`op(p0, …, pk, n)`, every pointer
 * advancing together) over equally long float32 arrays cut into runs of whole vectors over the
 * worker pool. Each element is computed by the same instructions whatever the cut, so results do
 * not depend on the thread count.
 */
import { callWasm, type Operand, wasmParts } from "../runtime/wasm.js";

/**
 * Applies `op` to the first `4⌊n/4⌋` elements of `arrays` (n: the first array's length); the
 * first `inputs` arrays are read, the rest written. Runs on up to `threads` threads from
 * `threadMin` elements. Returns how many elements it covered (the caller finishes the tail).
 */
export function mapWasm(op: number, arrays: readonly Float32Array[], inputs: number, threads: number, threadMin: number): number {
  const n4 = arrays[0]!.length & ~3;
  if (n4 === 0) return 0;
  const parts = n4 >= threadMin ? wasmParts(threads) : 1;
  const operands = arrays.map((arr, i): Operand => ({ arr, lo: 0, hi: n4, input: i < inputs, output: i >= inputs }));
  callWasm(operands, 0, parts, ({ ptrs }) =>
    Array.from({ length: parts }, (_, t) => {
      const s = Math.floor((t * n4) / parts / 16) * 16;
      const e = t === parts - 1 ? n4 : Math.floor(((t + 1) * n4) / parts / 16) * 16;
      return [op, ...ptrs.map((p) => p + s * 4), e - s];
    }),
  );
  return n4;
}

/** An operand the kernel reads: elements [0, n) of `arr`. */
export const input = (arr: Float32Array, n: number): Operand => ({ arr, lo: 0, hi: n, input: true, output: false });
/** An operand the kernel writes completely: elements [0, n) of `arr`. */
export const output = (arr: Float32Array, n: number): Operand => ({ arr, lo: 0, hi: n, input: false, output: true });
/** The bits of `x` rounded to float32, as an i32 argument. */
export const f32Bits = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0]!;

/** `[start, end)` of part `p` of `n` items cut into `parts`, in multiples of `unit`. */
export function cut(n: number, parts: number, p: number, unit = 1): [number, number] {
  const units = n / unit;
  return [Math.floor((p * units) / parts) * unit, Math.floor(((p + 1) * units) / parts) * unit];
}
