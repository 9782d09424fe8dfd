/**
 * @file Custom differentiable ops: the user writes the forward and the backward
 * over tensors (PyTorch's `torch.autograd.Function`, TensorFlow.js's
 * `customGrad`), and the op records into the same graph as the built-in ones —
 * honouring `noGrad`, the version counter of saved tensors and gradient
 * accumulation, so `gradcheck` can check the backward against finite differences.
 */
import { isFloat } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";
import { recordAny } from "./node.js";

/** What a custom op's forward leaves for its backward (PyTorch's `ctx`). */
export class OpContext {
  private kept: readonly Tensor[] = [];

  constructor(
    /** Whether each input needs a gradient (the backward may return null for the others). */
    readonly needsInputGrad: readonly boolean[],
  ) {}

  /** Keeps tensors for backward; changing one in place before backward makes backward throw. */
  saveForBackward(...tensors: Tensor[]): void {
    this.kept = tensors.map((t) => (t instanceof Tensor ? t.detach() : t));
  }

  /** The tensors given to {@link saveForBackward}, in order. */
  get saved(): readonly Tensor[] {
    return this.kept;
  }
}

/** A custom op: its name (shown in `grad_fn` and errors), forward and backward. */
export interface CustomOpDefinition<A extends Tensor[]> {
  /** Names the op in the graph (`grad_fn=<NameBackward>`) and in every error. */
  name: string;
  /** Computes the output from the inputs; runs under `noGrad`, so nothing inside is recorded. */
  forward(ctx: OpContext, ...inputs: A): Tensor;
  /**
   * Maps the output's gradient to one gradient per input, each shaped like its
   * input, or null for an input that gets none. Runs under `noGrad`. A single
   * input may return its gradient alone. NOTE: like a built-in rule, it must not
   * keep a tensor it creates (e.g. in a cache) for later calls: backward recycles them.
   */
  backward(ctx: OpContext, grad: Tensor): readonly (Tensor | null)[] | Tensor | null;
}

/**
 * Defines a differentiable op from a forward and a backward written over tensors.
 * Returns the op as a function of its input tensors; its output joins the graph
 * when grad mode is on and any input requires grad.
 */
export function customOp<A extends Tensor[]>(def: CustomOpDefinition<A>): (...inputs: A) => Tensor {
  const { name } = def;
  if (typeof name !== "string" || name === "") throw new TypeError("customOp: the definition needs a non-empty name");
  if (typeof def.forward !== "function" || typeof def.backward !== "function") {
    throw new TypeError(`customOp: ${name} needs both forward and backward functions`);
  }
  return (...inputs: A): Tensor => {
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`${name}: input ${i} must be a Tensor, got ${t === null ? "null" : typeof t}`);
    });
    const recording = isGradEnabled();
    const ctx = new OpContext(inputs.map((t) => recording && t.requiresGrad));
    const out = noGrad(() => def.forward(ctx, ...inputs));
    if (!(out instanceof Tensor)) throw new TypeError(`${name}: forward must return a Tensor, got ${out === null ? "null" : typeof out}`);
    // NOTE: a fresh Tensor object, so a forward that returns an input (or a captured tensor) never gets a grad_fn attached
    const y = out.detach();
    if (!isFloat(y.dtype)) return y; // integer and bool outputs carry no gradient
    return recordAny(name, y, inputs, (g) => gradients(name, def.backward(ctx, g), inputs.length), ctx.saved);
  };
}

function gradients(name: string, result: readonly (Tensor | null)[] | Tensor | null, n: number): readonly (Tensor | null)[] {
  const list = result === null || result instanceof Tensor ? [result] : result;
  if (!Array.isArray(list) || list.length !== n) {
    throw new Error(`${name}: backward returned ${Array.isArray(list) ? list.length : typeof list} gradient(s) for ${n} input(s)`);
  }
  list.forEach((g, i) => {
    if (g !== null && !(g instanceof Tensor)) throw new TypeError(`${name}: backward's gradient ${i} must be a Tensor or null, got ${typeof g}`);
  });
  return list;
}
