/**
 * @file `dropout`: zeroes each element with probability p and scales the rest
 * by 1/(1 − p) (inverted dropout, Srivastava et al. 2014). A composite: the
 * mask is drawn from a seeded `Generator` and applied with `mul`.
 */
import { isFloat, type DType } from "../dtype.js";
import { defaultGenerator, type Generator } from "../random/generator.js";
import type { Tensor } from "../tensor.js";
import { mul } from "./binary.js";
import { checkTensor, empty } from "./util.js";

/** `x · mask / (1 − p)` with `mask ~ Bernoulli(1 − p)` when `training`; `x` itself otherwise or when p = 0. */
export function dropout<D extends DType>(x: Tensor<D>, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor<D> {
  checkTensor(x, "dropout");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: p must be in [0, 1], got ${p}`);
  if (!isFloat(x.dtype)) throw new TypeError(`dropout: input must be float32 or float64, got ${x.dtype}`);
  if (!training || p === 0) return x;
  const mask = empty(x.dtype, x.shape);
  const keep = p === 1 ? 0 : 1 / (1 - p);
  const m = mask.data;
  for (let i = 0; i < m.length; i++) m[i] = generator.random() < p ? 0 : keep;
  return mul(x, mask) as unknown as Tensor<D>;
}
