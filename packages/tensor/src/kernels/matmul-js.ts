/**
 * @file Pure-JS GEMM: the reference and fallback for the WASM kernel, and the float64 path.
 * Same blocking idea as BLIS (a packed, zero-padded KC × 4 panel of B per column block) with a
 * 2 × 4 scalar register tile: 8 accumulators + 4 B values + 1 A value fit V8's 16 xmm registers.
 */

/** Options shared by every GEMM entry point. */
export interface GemmOptions {
  /** `a` is stored [K, M] (use Aᵀ). */
  transA?: boolean;
  /** `b` is stored [N, K] (use Bᵀ). */
  transB?: boolean;
  /** `C += A·B` instead of `C = A·B`. */
  accumulate?: boolean;
  /** Index of C[0, 0] in `out`. */
  outOffset?: number;
}

/** A float array a GEMM kernel accepts. */
export type FloatArray = Float32Array | Float64Array;

const KC = 256;
const NRJ = 4;
let packed = new Float64Array(KC * NRJ * 64);

/** Throws a `RangeError` naming the operand when a GEMM operand is too short. */
export function checkGemmArgs(out: FloatArray, a: FloatArray, aOffset: number, b: FloatArray, bOffset: number, M: number, K: number, N: number, outOffset: number): void {
  const need = (what: string, arr: FloatArray, off: number, len: number) => {
    if (!(off >= 0 && off + len <= arr.length)) {
      throw new RangeError(`gemm: ${what} needs ${len} elements from offset ${off}, has length ${arr.length} (M=${M}, K=${K}, N=${N})`);
    }
  };
  if (![M, K, N].every((n) => Number.isInteger(n) && n >= 0)) throw new RangeError(`gemm: bad sizes M=${M}, K=${K}, N=${N}`);
  need("a", a, aOffset, M * K);
  need("b", b, bOffset, K * N);
  need("out", out, outOffset, M * N);
}

/**
 * `out[M,N] (+)= op(a)[M,K] · op(b)[K,N]` in scalar JS, for Float32Array or Float64Array; with
 * float32 data each K-block is summed in float64 and rounded once when stored.
 */
export function gemmJs<T extends FloatArray>(out: T, a: T, aOffset: number, b: T, bOffset: number, M: number, K: number, N: number, opts: GemmOptions = {}): void {
  const outOffset = opts.outOffset ?? 0;
  checkGemmArgs(out, a, aOffset, b, bOffset, M, K, N, outOffset);
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!opts.accumulate) out.fill(0, outOffset, outOffset + M * N);
    return;
  }
  // A(i, k) = a[aOffset + i·aRs + k·aCs], B(k, j) = b[bOffset + k·bRs + j·bCs]
  const aRs = opts.transA ? 1 : K;
  const aCs = opts.transA ? M : 1;
  const bRs = opts.transB ? 1 : N;
  const bCs = opts.transB ? K : 1;
  const panels = Math.ceil(N / NRJ);
  if (packed.length < KC * NRJ * panels) packed = new Float64Array(KC * NRJ * panels);
  const bp = packed;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = Math.min(KC, K - pc);
    packB(bp, b, bOffset + pc * bRs, bRs, bCs, kc, N);
    const store = pc === 0 && !opts.accumulate;
    for (let i = 0; i < M; i += 2) {
      const a0 = aOffset + i * aRs + pc * aCs;
      const a1 = i + 1 < M ? a0 + aRs : a0; // NOTE: a ragged last row recomputes row i, never stored
      const c0 = outOffset + i * N;
      const c1 = i + 1 < M ? c0 + N : -1;
      for (let q = 0; q < panels; q++) {
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let p = q * kc * NRJ;
        let ka0 = a0;
        let ka1 = a1;
        for (let k = 0; k < kc; k++) {
          const b0 = bp[p]!, b1 = bp[p + 1]!, b2 = bp[p + 2]!, b3 = bp[p + 3]!;
          let x = a[ka0]!;
          s00 += x * b0; s01 += x * b1; s02 += x * b2; s03 += x * b3;
          x = a[ka1]!;
          s10 += x * b0; s11 += x * b1; s12 += x * b2; s13 += x * b3;
          p += NRJ;
          ka0 += aCs;
          ka1 += aCs;
        }
        const j = q * NRJ;
        const nr = Math.min(NRJ, N - j);
        storeRow(out, c0 + j, nr, store, s00, s01, s02, s03);
        if (c1 >= 0) storeRow(out, c1 + j, nr, store, s10, s11, s12, s13);
      }
    }
  }
}

// out[c .. c+nr) (+)= the first nr of (s0, s1, s2, s3).
function storeRow(out: FloatArray, c: number, nr: number, store: boolean, s0: number, s1: number, s2: number, s3: number): void {
  if (store) {
    out[c] = s0;
    if (nr > 1) out[c + 1] = s1;
    if (nr > 2) out[c + 2] = s2;
    if (nr > 3) out[c + 3] = s3;
  } else {
    out[c] = out[c]! + s0;
    if (nr > 1) out[c + 1] = out[c + 1]! + s1;
    if (nr > 2) out[c + 2] = out[c + 2]! + s2;
    if (nr > 3) out[c + 3] = out[c + 3]! + s3;
  }
}

// Packs the kc × N block of B at `src` into zero-padded panels bp[(q·kc + k)·4 + c] = B(k, 4q + c).
function packB(bp: Float64Array, b: FloatArray, src: number, bRs: number, bCs: number, kc: number, N: number): void {
  const panels = Math.ceil(N / NRJ);
  for (let q = 0; q < panels; q++) {
    const base = q * kc * NRJ;
    for (let c = 0; c < NRJ; c++) {
      const j = q * NRJ + c;
      let p = base + c;
      if (j < N) {
        let s = src + j * bCs;
        for (let k = 0; k < kc; k++, p += NRJ, s += bRs) bp[p] = b[s]!;
      } else {
        for (let k = 0; k < kc; k++, p += NRJ) bp[p] = 0;
      }
    }
  }
}
