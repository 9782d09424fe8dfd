/**
 * @file A graph node: the op's name, the inputs that need gradients, and the
 * backward closure (micrograd's `_backward`). `record` attaches one to an
 * op's output when grad mode is on and any input requires grad.
 */
import type { DifferentiableOp } from "../ops/registry.js";
import type { Tensor } from "../tensor.js";
import { isGradEnabled } from "./grad-mode.js";

/**
 * Maps the output gradient to one gradient per input (same order as the
 * inputs given to {@link record}); `null` where an input needs none.
 */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | null)[];

/** One recorded op application. */
export class Node {
  /** Versions of the saved tensors at forward time, checked before backward runs. */
  savedVersions: [Tensor, number][];
  /** The output tensor whose grad should be kept (set by `retainGrad()`). */
  retained: Tensor | null = null;

  constructor(
    readonly name: DifferentiableOp,
    /** The op's inputs; `null` for inputs that do not require grad. */
    public inputs: (Tensor | null)[],
    public backwardFn: BackwardFn | null,
    saved: readonly Tensor[],
  ) {
    this.savedVersions = saved.map((t) => [t, t.storage.version]);
  }

  /** Releases the closure and saved tensors (the graph is freed after backward). */
  release(): void {
    this.backwardFn = null;
    this.inputs = [];
    this.savedVersions = [];
    this.retained = null;
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
  saved: readonly Tensor[] = [],
): T {
  if (!isGradEnabled()) return output;
  let any = false;
  const tracked = inputs.map((t) => {
    if (t?.requiresGrad) {
      any = true;
      return t;
    }
    return null;
  });
  if (!any) return output;
  output._setGradFn(new Node(name, tracked, backward, saved));
  return output;
}
