/**
 * @file Freeing a forward pass's activations with its graph: PyTorch frees the tensors a graph
 * saved as soon as backward has used them (reference counting); in JavaScript they wait for the
 * garbage collector, which here means a forced full collection every few training steps. A forward
 * whose intermediates nobody else can reach (a model's, returning only its outputs) hands them to
 * its graph instead, and the backward pass that frees the graph returns them to the pool.
 */
import { storagesMadeBy } from "../memory/recycler.js";
import type { Tensor } from "../tensor.js";
import { isGradEnabled } from "./grad-mode.js";

/**
 * Runs `forward` and ties the storage it creates to the graph of its result: once a backward pass
 * (without `retainGraph`) has run through that graph, the storage goes back to the memory pool —
 * except the storage of the tensors `outputs(result)` lists (which the caller gets) and whatever the
 * pass made a leaf's `.grad`. Without grad mode, or when no output has a graph, nothing changes.
 *
 * Only for forwards whose intermediate tensors nothing outside can reach (not kept in a module, a
 * cache or a closure that outlives the step): reading one after the backward reads recycled memory.
 */
export function freeWithGraph<T>(forward: () => T, outputs: (result: T) => readonly (Tensor | null | undefined)[]): T {
  if (!isGradEnabled()) return forward();
  const [result, made] = storagesMadeBy(forward);
  const outs = outputs(result).filter((t): t is Tensor => t != null);
  const nodes = outs.map((t) => t.gradFn).filter((n) => n !== null);
  if (nodes.length === 0) return result;
  const kept = new Set(outs.map((t) => t.storage));
  const activations = made.filter((s) => !kept.has(s));
  for (const node of nodes) node.activations = node.activations === null ? activations : [...node.activations, ...activations];
  return result;
}
