/**
 * @file Fused scaled-dot-product attention, forward and backward, one query
 * row at a time (FlashAttention's recipe without the tiling, Dao et al.
 * 2022): no T×T score or mask matrix exists; forward keeps each row's
 * logsumexp and backward recomputes the probabilities from it. Grouped-query:
 * query head h reads kv head ⌊h / (H/Hkv)⌋. q/k/v may be strided views; each
 * (batch, kv head) block of k and v is copied once into float64 scratch so
 * the hot loops are monomorphic and unit-stride.
 */
import type { TypedArray } from "../dtype.js";

/** Sizes and element strides of one attention call. q/k/v strides are [offset, batch, head, time]; the head dim is contiguous. */
export interface AttentionGeometry {
  B: number;
  H: number;
  Hkv: number;
  Tq: number;
  Tk: number;
  hs: number;
  scale: number;
  /** Query i sees keys j ≤ i + Tk − Tq (bottom-right aligned, so a KV-cached step sees the whole cache). */
  causal: boolean;
  q: readonly [number, number, number, number];
  k: readonly [number, number, number, number];
  v: readonly [number, number, number, number];
}

/** Copies rows `[0, n)` of a (time, hs) block at `base` with row stride `st` into contiguous float64 `out`. */
function gatherRows(out: Float64Array, src: TypedArray, base: number, st: number, n: number, hs: number): void {
  for (let j = 0; j < n; j++) for (let d = 0, from = base + j * st, to = j * hs; d < hs; d++) out[to + d] = src[from + d]!;
}

/** Dot product of `hs` elements of `a` at `ao` and `b` at `bo` (both float64 scratch). */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, hs: number): number {
  let s0 = 0;
  let s1 = 0;
  let d = 0;
  for (; d + 1 < hs; d += 2) {
    s0 += a[ao + d]! * b[bo + d]!;
    s1 += a[ao + d + 1]! * b[bo + d + 1]!;
  }
  if (d < hs) s0 += a[ao + d]! * b[bo + d]!;
  return s0 + s1;
}

/** `p[po + j] = q[qo …] · K[j]` for j < n, four keys per pass so each q element is loaded once per four products. */
function scores(p: Float64Array, po: number, q: Float64Array, qo: number, K: Float64Array, n: number, hs: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const k0 = j * hs;
    const k1 = k0 + hs;
    const k2 = k1 + hs;
    const k3 = k2 + hs;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0; d < hs; d++) {
      const x = q[qo + d]!;
      s0 += x * K[k0 + d]!;
      s1 += x * K[k1 + d]!;
      s2 += x * K[k2 + d]!;
      s3 += x * K[k3 + d]!;
    }
    p[po + j] = s0;
    p[po + j + 1] = s1;
    p[po + j + 2] = s2;
    p[po + j + 3] = s3;
  }
  for (; j < n; j++) p[po + j] = dot(q, qo, K, j * hs, hs);
}

/** `acc = Σ_{j<n} p[po + j] · V[j]`, four rows of V per pass so `acc` is read and written once per four. */
function weightedSum(acc: Float64Array, p: Float64Array, po: number, V: Float64Array, n: number, hs: number): void {
  acc.fill(0);
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const e0 = p[po + j]!;
    const e1 = p[po + j + 1]!;
    const e2 = p[po + j + 2]!;
    const e3 = p[po + j + 3]!;
    const v0 = j * hs;
    const v1 = v0 + hs;
    const v2 = v1 + hs;
    const v3 = v2 + hs;
    for (let d = 0; d < hs; d++) acc[d]! += e0 * V[v0 + d]! + e1 * V[v1 + d]! + e2 * V[v2 + d]! + e3 * V[v3 + d]!;
  }
  for (; j < n; j++) for (let d = 0, vj = j * hs; d < hs; d++) acc[d]! += p[po + j]! * V[vj + d]!;
}

/**
 * `o = softmax(scale · q kᵀ + causal mask) v` into contiguous `o` (B, H, Tq, hs);
 * `lse[(b·H + h)·Tq + i]` gets each row's log Σ exp(scores).
 */
export function attentionForward(o: TypedArray, lse: Float64Array, q: TypedArray, k: TypedArray, v: TypedArray, g: AttentionGeometry): void {
  const { B, H, Hkv, Tq, Tk, hs, scale, causal } = g;
  const group = H / Hkv;
  const K = new Float64Array(Tk * hs);
  const V = new Float64Array(Tk * hs);
  const qi = new Float64Array(hs);
  const p = new Float64Array(Tk);
  const acc = new Float64Array(hs);
  for (let b = 0; b < B; b++) {
    for (let kv = 0; kv < Hkv; kv++) {
      gatherRows(K, k, g.k[0] + b * g.k[1] + kv * g.k[2], g.k[3], Tk, hs);
      gatherRows(V, v, g.v[0] + b * g.v[1] + kv * g.v[2], g.v[3], Tk, hs);
      for (let h = kv * group; h < (kv + 1) * group; h++) {
        for (let i = 0; i < Tq; i++) {
          const qBase = g.q[0] + b * g.q[1] + h * g.q[2] + i * g.q[3];
          for (let d = 0; d < hs; d++) qi[d] = q[qBase + d]! * scale;
          const last = causal ? i + Tk - Tq : Tk - 1;
          const n = last + 1;
          scores(p, 0, qi, 0, K, n, hs);
          let m = -Infinity;
          for (let j = 0; j < n; j++) if (p[j]! > m) m = p[j]!;
          let sum = 0;
          for (let j = 0; j < n; j++) {
            const e = Math.exp(p[j]! - m);
            p[j] = e;
            sum += e;
          }
          weightedSum(acc, p, 0, V, n, hs);
          const row = (b * H + h) * Tq + i;
          lse[row] = m + Math.log(sum);
          const inv = 1 / sum;
          for (let d = 0, oi = row * hs; d < hs; d++) o[oi + d] = acc[d]! * inv;
        }
      }
    }
  }
}

/**
 * Backward of {@link attentionForward}, recomputing `P = exp(S − lse)` row by row:
 * `dV += Pᵀ dO`, `dS = P ⊙ (dO Vᵀ − rowsum(dO ⊙ O))`, `dQ = scale · dS K`, `dK += scale · dSᵀ Q`.
 * Query rows go four at a time, so each dK/dV row is updated once per four queries.
 * `dq` is contiguous (B, H, Tq, hs); `dk`/`dv` are float64 accumulators (B, Hkv, Tk, hs); `go`/`o` contiguous.
 */
export function attentionBackward(
  dq: TypedArray, dk: Float64Array, dv: Float64Array,
  go: TypedArray, o: TypedArray, lse: Float64Array, q: TypedArray, k: TypedArray, v: TypedArray, g: AttentionGeometry,
): void {
  const { B, H, Hkv, Tq, Tk, hs, scale, causal } = g;
  const R = 4;
  const group = H / Hkv;
  const K = new Float64Array(Tk * hs);
  const V = new Float64Array(Tk * hs);
  const Q = new Float64Array(R * hs); // scale · q, four rows
  const G = new Float64Array(R * hs); // dO, four rows
  const P = new Float64Array(R * Tk);
  const S = new Float64Array(R * Tk); // dS without the scale
  const acc = new Float64Array(hs);
  for (let b = 0; b < B; b++) {
    for (let kv = 0; kv < Hkv; kv++) {
      gatherRows(K, k, g.k[0] + b * g.k[1] + kv * g.k[2], g.k[3], Tk, hs);
      gatherRows(V, v, g.v[0] + b * g.v[1] + kv * g.v[2], g.v[3], Tk, hs);
      const gBase = (b * Hkv + kv) * Tk * hs;
      for (let h = kv * group; h < (kv + 1) * group; h++) {
        for (let i0 = 0; i0 < Tq; i0 += R) {
          const nMax = causal ? Math.min(i0 + R - 1, Tq - 1) + Tk - Tq + 1 : Tk;
          for (let r = 0; r < R; r++) {
            const i = i0 + r;
            const n = i >= Tq ? 0 : causal ? i + Tk - Tq + 1 : Tk;
            P.fill(0, r * Tk + n, r * Tk + nMax);
            S.fill(0, r * Tk + n, r * Tk + nMax);
            if (n === 0) {
              Q.fill(0, r * hs, (r + 1) * hs); // a row past Tq: zero weights on zero vectors
              G.fill(0, r * hs, (r + 1) * hs);
              continue;
            }
            const qBase = g.q[0] + b * g.q[1] + h * g.q[2] + i * g.q[3];
            const row = (b * H + h) * Tq + i;
            const oi = row * hs;
            let D = 0;
            for (let d = 0; d < hs; d++) {
              Q[r * hs + d] = q[qBase + d]! * scale;
              G[r * hs + d] = go[oi + d]!;
              D += go[oi + d]! * o[oi + d]!;
            }
            scores(P, r * Tk, Q, r * hs, K, n, hs); // S = scale · q Kᵀ
            scores(S, r * Tk, G, r * hs, V, n, hs); // dP = dO Vᵀ
            const l = lse[row]!;
            for (let j = r * Tk, end = j + n; j < end; j++) {
              const pj = Math.exp(P[j]! - l);
              P[j] = pj;
              S[j] = pj * (S[j]! - D);
            }
            weightedSum(acc, S, r * Tk, K, n, hs); // dQ = scale · dS K
            for (let d = 0; d < hs; d++) dq[oi + d] = acc[d]! * scale;
          }
          for (let j = 0; j < nMax; j++) {
            const p0 = P[j]!;
            const p1 = P[Tk + j]!;
            const p2 = P[2 * Tk + j]!;
            const p3 = P[3 * Tk + j]!;
            const s0 = S[j]!;
            const s1 = S[Tk + j]!;
            const s2 = S[2 * Tk + j]!;
            const s3 = S[3 * Tk + j]!;
            for (let d = 0, gj = gBase + j * hs; d < hs; d++) {
              dv[gj + d]! += p0 * G[d]! + p1 * G[hs + d]! + p2 * G[2 * hs + d]! + p3 * G[3 * hs + d]!;
              dk[gj + d]! += s0 * Q[d]! + s1 * Q[hs + d]! + s2 * Q[2 * hs + d]! + s3 * Q[3 * hs + d]!; // Q holds scale · q
            }
          }
        }
      }
    }
  }
}
