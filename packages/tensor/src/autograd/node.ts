/**
 * @file A graph node: the op's name, the inputs that need gradients, and the
 * backward closure (micrograd's `_backward`). `record` attaches one to an
 * op's output when grad mode is on and any input requires grad.
 */
import type { DifferentiableOp } from "../ops/registry.js";
import type { Storage } from "../storage.js";
import type { Tensor } from "../tensor.js";
import { isGradEnabled } from "./grad-mode.js";

/**
 * Maps the output gradient to one gradient per input (same order as the
 * inputs given to {@link record}); `null` where an input needs none.
 * NOTE: storage a backward rule creates is recycled once the rule has run unless it is part of
 * a returned gradient: a rule must not keep such a tensor (e.g. in a cache) for later calls.
 */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | null)[];

const NONE: readonly Tensor[] = [];
const NO_VERSIONS: readonly number[] = [];

/** One recorded op application. */
export class Node {
  /** Tensors the backward closure reads, checked against in-place changes before it runs. */
  saved: readonly Tensor[];
  /** Storage versions of `saved` at forward time. */
  versions: readonly number[];
  /** The output tensor whose grad should be kept (set by `retainGrad()`). */
  retained: Tensor | null = null;
  /** Storage a forward pass made that only this graph reaches, freed once a backward frees this node (`freeWithGraph`). */
  activations: readonly Storage[] | null = null;

  constructor(
    /** A registered op's name, or a custom op's (see `customOp`). */
    readonly name: string,
    /** The op's inputs; `null` for inputs that do not require grad. */
    public inputs: (Tensor | null)[],
    public backwardFn: BackwardFn | null,
    saved: readonly Tensor[],
  ) {
    this.saved = saved;
    this.versions = saved.length === 0 ? NO_VERSIONS : saved.map((t) => t.storage.version);
  }

  /** Releases the closure and saved tensors (the graph is freed after backward). */
  release(): void {
    this.backwardFn = null;
    this.inputs = [];
    this.saved = NONE;
    this.versions = NO_VERSIONS;
    this.retained = null;
    this.activations = null;
  }
}

/**
 * Records `output = op(inputs)` in the graph. `saved` lists the tensors whose
 * values `backward` reads; changing one in place before backward is an error.
 * Returns `output` for chaining.
 */
export function record<T extends Tensor>(
  name: DifferentiableOp,
  output: T,
  inputs: readonly (Tensor | null | undefined)[],
  backward: BackwardFn,
  saved: readonly Tensor[] = NONE,
): T {
  return recordAny(name, output, inputs, backward, saved);
}

/** @internal {@link record} under any name: for `customOp` only, so built-in ops stay tied to the registry. */
export function recordAny<T extends Tensor>(
  name: string,
  output: T,
  inputs: readonly (Tensor | null | undefined)[],
  backward: BackwardFn,
  saved: readonly Tensor[],
): T {
  if (!isGradEnabled()) return output;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i]?.requiresGrad) any = true;
  if (!any) return output;
  const tracked = new Array<Tensor | null>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    tracked[i] = t?.requiresGrad ? t : null;
  }
  output._setGradFn(new Node(name, tracked, backward, saved));
  return output;
}
