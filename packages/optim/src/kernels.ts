/**
 * @file The fused update loops: plain functions over Float32Arrays, one pass per
 * parameter, no temporaries. Each rounds to float32 exactly where torch 1.13's CPU
 * kernels do (AVX2 build), so kiln reproduces torch.optim bit for bit:
 * `add_(x, alpha)` is a fused multiply-add, `addcmul_` fuses its final multiply-add,
 * `addcdiv_` rounds the quotient before adding.
 */
// NOTE: a float32 FMA `fround(a + b·c)` is emulated in float64: b·c of two float32s is exact
// in float64, so the only difference from a true FMA is a (very rare) double rounding.
const f = Math.fround;

/** Float32-rounded scalars of one Adam/AdamW update of one parameter. */
export interface AdamScalars {
  /** `1 − lr·weightDecay` (AdamW) or 1 (Adam). */
  decay: number;
  /** Weight decay added to the gradient (Adam's L2) or 0 (AdamW). */
  l2: number;
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** `√(1 − β₂ᵗ)`. */
  biasCorrection2Sqrt: number;
  eps: number;
  /** `−lr / (1 − β₁ᵗ)`. */
  negStepSize: number;
}

/** The scalars of update number `step` (1-based), computed in float64 as torch does, then rounded. */
export function adamScalars(lr: number, betas: readonly number[], eps: number, weightDecay: number, step: number, decoupled: boolean): AdamScalars {
  const [b1, b2] = betas as [number, number];
  return {
    decay: decoupled ? f(1 - lr * weightDecay) : 1,
    l2: decoupled ? 0 : f(weightDecay),
    beta1: f(b1),
    oneMinusBeta1: f(1 - b1),
    beta2: f(b2),
    oneMinusBeta2: f(1 - b2),
    biasCorrection2Sqrt: f(Math.sqrt(1 - b2 ** step)),
    eps: f(eps),
    negStepSize: f(-(lr / (1 - b1 ** step))),
  };
}

/**
 * One AdamW step in place (Loshchilov & Hutter, arXiv:1711.05101):
 * `p ← p·(1 − lr·λ)`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
 * `p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)`, for elements `from` on.
 */
export function adamwUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamScalars, from = 0): void {
  const { decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize } = s;
  const n = p.length;
  for (let i = from; i < n; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * beta1) + oneMinusBeta1 * gi);
    const vi = f(f(v[i]! * beta2) + f(oneMinusBeta2 * gi) * gi);
    m[i] = mi;
    v[i] = vi;
    const denom = f(f(f(Math.sqrt(vi)) / biasCorrection2Sqrt) + eps);
    p[i] = f(p[i]! * decay) + f(f(negStepSize * mi) / denom);
  }
}

/** One Adam step in place (Kingma & Ba, arXiv:1412.6980) with L2 decay added to the gradient: `g ← g + λp`. */
export function adamL2Update(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamScalars): void {
  const { l2, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize } = s;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    const gi = l2 === 0 ? g[i]! : f(g[i]! + l2 * pi);
    const mi = f(f(m[i]! * beta1) + oneMinusBeta1 * gi);
    const vi = f(f(v[i]! * beta2) + f(oneMinusBeta2 * gi) * gi);
    m[i] = mi;
    v[i] = vi;
    const denom = f(f(f(Math.sqrt(vi)) / biasCorrection2Sqrt) + eps);
    p[i] = pi + f(f(negStepSize * mi) / denom);
  }
}

/** Float32-rounded scalars of one SGD update. */
export interface SgdScalars {
  negLr: number;
  weightDecay: number;
  momentum: number;
  oneMinusDampening: number;
  nesterov: boolean;
}

/**
 * One SGD step in place (torch.optim.SGD): `d = g + λp`; with momentum
 * `b ← μb + (1−τ)d` (`b = d` on the first step) and `d = nesterov ? d + μb : b`; `p ← p − lr·d`.
 * `buf` is null without momentum; `first` marks the buffer's first use.
 */
export function sgdUpdate(p: Float32Array, g: Float32Array, buf: Float32Array | null, first: boolean, s: SgdScalars): void {
  const negLr = f(s.negLr), wd = f(s.weightDecay), mu = f(s.momentum), omd = f(s.oneMinusDampening), nesterov = s.nesterov;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    let d = wd === 0 ? g[i]! : f(g[i]! + wd * pi);
    if (buf !== null) {
      const b = first ? d : f(f(buf[i]! * mu) + omd * d);
      buf[i] = b;
      d = nesterov ? f(d + mu * b) : b;
    }
    p[i] = pi + negLr * d;
  }
}
