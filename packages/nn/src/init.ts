/**
 * @file In-place initialisers (`torch.nn.init`): every draw comes from a
 * seeded `Generator`, element by element in row-major order, so the same seed
 * gives the same weights. Fans follow PyTorch: a (out, in, ...) weight has
 * fan_in = in·receptive field, fan_out = out·receptive field.
 */
import { defaultGenerator, noGrad, type Generator, type Tensor } from "@kiln/tensor";

/** Fills `t` from `draw()` under `noGrad`, bumping its version (contiguous tensors only). */
function fill<T extends Tensor>(t: T, draw: () => number): T {
  noGrad(() => {
    const data = t.data;
    for (let i = 0; i < data.length; i++) data[i] = draw();
    t.storage.version++;
  });
  return t;
}

/** `(fan_in, fan_out)` of a weight of at least 2 dims. */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new RangeError(`init: fan in and fan out need a tensor with at least 2 dims, got shape [${t.shape.join(", ")}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`). */
export function calculateGain(nonlinearity: "linear" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu", param = 0.01): number {
  switch (nonlinearity) {
    case "linear": case "sigmoid": return 1;
    case "tanh": return 5 / 3;
    case "relu": return Math.SQRT2;
    case "leaky_relu": return Math.sqrt(2 / (1 + param * param));
    case "selu": return 3 / 4;
  }
}

/** Fills with samples of N(mean, std²). */
export const normal_ = <T extends Tensor>(t: T, mean = 0, std = 1, generator: Generator = defaultGenerator) => fill(t, () => mean + std * generator.normal());
/** Fills with samples of U(a, b). */
export const uniform_ = <T extends Tensor>(t: T, a = 0, b = 1, generator: Generator = defaultGenerator) => fill(t, () => a + (b - a) * generator.random());
/** Fills with `value`. */
export const constant_ = <T extends Tensor>(t: T, value: number) => fill(t, () => value);
/** Fills with zeros. */
export const zeros_ = <T extends Tensor>(t: T) => constant_(t, 0);
/** Fills with ones. */
export const ones_ = <T extends Tensor>(t: T) => constant_(t, 1);

/** Glorot/Xavier uniform: `U(−b, b)`, `b = gain·√(6 / (fan_in + fan_out))` (Glorot & Bengio 2010). */
export function xavierUniform_<T extends Tensor>(t: T, gain = 1, generator: Generator = defaultGenerator): T {
  const [fanIn, fanOut] = fans(t);
  const b = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -b, b, generator);
}

/** Glorot/Xavier normal: `N(0, σ²)`, `σ = gain·√(2 / (fan_in + fan_out))`. */
export function xavierNormal_<T extends Tensor>(t: T, gain = 1, generator: Generator = defaultGenerator): T {
  const [fanIn, fanOut] = fans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/** Options of the Kaiming initialisers. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (default 0). */
  a?: number;
  /** Preserve the variance of activations (`fan_in`, default) or of gradients (`fan_out`). */
  mode?: "fan_in" | "fan_out";
  /** Nonlinearity whose gain is used (default `leaky_relu`, as torch). */
  nonlinearity?: "linear" | "relu" | "leaky_relu" | "tanh" | "sigmoid";
}

function kaimingStd(t: Tensor, { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" }: KaimingOptions): number {
  const [fanIn, fanOut] = fans(t);
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === "fan_in" ? fanIn : fanOut);
}

/** He/Kaiming uniform: `U(−b, b)`, `b = gain·√(3 / fan)` (He et al. 2015). */
export function kaimingUniform_<T extends Tensor>(t: T, opts: KaimingOptions = {}, generator: Generator = defaultGenerator): T {
  const b = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -b, b, generator);
}

/** He/Kaiming normal: `N(0, σ²)`, `σ = gain / √fan`. */
export function kaimingNormal_<T extends Tensor>(t: T, opts: KaimingOptions = {}, generator: Generator = defaultGenerator): T {
  return normal_(t, 0, kaimingStd(t, opts), generator);
}
