/**
 * @file Reverse-mode backward pass: an iterative topological sort of the
 * graph (no recursion, so 10⁵ chained ops cannot overflow the stack), then
 * each node's backward in reverse order, accumulating into leaves' `.grad`.
 * The graph is freed as it is walked unless `retainGraph` is set; a `Recycler`
 * (memory/recycler.ts) returns every gradient the pass made to the pool once nothing can reach it.
 */
import { add } from "../ops/binary.js";
import { copyOf } from "../ops/util.js";
import { fmtShape, sameShape } from "../shape.js";
import { Recycler } from "../memory/recycler.js";
import type { Storage } from "../storage.js";
import type { Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";
import type { Node } from "./node.js";

/** Options of {@link backward}. */
export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default false). */
  retainGraph?: boolean;
}

function topoOrder(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>([root]);
  const nodes: Node[] = [root];
  const next: number[] = [0];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top]!;
    const i = next[top]!;
    if (i < node.inputs.length) {
      next[top] = i + 1;
      const child = node.inputs[i]?.gradFn;
      if (child && !seen.has(child)) {
        seen.add(child);
        nodes.push(child);
        next.push(0);
      }
    } else {
      nodes.pop();
      next.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

function accumulateLeaf(leaf: Tensor, g: Tensor, r: Recycler): void {
  const old = leaf.grad;
  // NOTE: a backward rule may return its upstream gradient itself (or one tensor for two inputs):
  // a gradient anything else still holds is copied, so no two leaves share a buffer
  leaf.grad = old !== null ? add(old, g) : r.unshared(g) ? g : copyOf(g);
  r.hold(leaf.grad);
  if (old !== null) r.drop(old);
}

function checkSaved(node: Node): void {
  for (let i = 0; i < node.saved.length; i++) {
    const t = node.saved[i]!;
    const version = node.versions[i]!;
    if (t.storage.version !== version) {
      throw new Error(
        `backward: a tensor of shape ${fmtShape(t.shape)} saved by ${node.name} was modified in place after it was used ` +
          `(version ${version} → ${t.storage.version}); its gradient would be wrong. Clone it before the in-place update.`,
      );
    }
  }
}

function run(root: Tensor, seed: Tensor, retainGraph: boolean, r: Recycler): void {
  const rootNode = root.gradFn;
  if (rootNode === null) {
    accumulateLeaf(root, seed, r);
    return;
  }
  const grads = new Map<Node, Tensor>([[rootNode, seed]]);
  const activations = new Set<readonly Storage[]>();
  r.hold(seed);
  for (const node of topoOrder(rootNode)) {
    const g = grads.get(node);
    if (g === undefined) continue;
    grads.delete(node);
    if (node.backwardFn === null) {
      throw new Error(
        `backward: the graph through ${node.name} was already freed by an earlier backward; pass { retainGraph: true } to the first call`,
      );
    }
    checkSaved(node);
    if (node.retained !== null) {
      node.retained.grad = g;
      r.hold(g);
    }
    const results = node.backwardFn(g);
    const inputs = node.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      const res = results[i];
      if (!input || !res) continue;
      if (!sameShape(res.shape, input.shape)) {
        throw new Error(`backward: ${node.name} produced a gradient of shape ${fmtShape(res.shape)} for an input of shape ${fmtShape(input.shape)}`);
      }
      const gr = res.dtype === input.dtype ? res : res.to(input.dtype);
      const child = input.gradFn;
      if (child === null) accumulateLeaf(input, gr, r);
      else {
        const prev = grads.get(child);
        const next = prev === undefined ? gr : add(prev, gr);
        grads.set(child, next);
        r.hold(next);
        if (prev !== undefined) r.drop(prev);
      }
    }
    r.drop(g);
    if (!retainGraph) {
      if (node.activations !== null) activations.add(node.activations);
      node.release();
    }
    r.sweep();
  }
  // the whole graph has run: nothing reads a forward's activations any more
  for (const list of activations) r.releaseUnheld(list);
}

/** Computes gradients of `root` w.r.t. every leaf that requires grad (`Tensor.backward`). */
export function backward(root: Tensor, gradient?: Tensor, { retainGraph = false }: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad (no input had requiresGrad, or it was computed under noGrad)");
  }
  if (gradient === undefined && root.numel !== 1) {
    throw new Error(`backward: a gradient must be passed for a non-scalar output of shape ${fmtShape(root.shape)}`);
  }
  if (gradient !== undefined && !sameShape(gradient.shape, root.shape)) {
    throw new RangeError(`backward: gradient shape ${fmtShape(gradient.shape)} does not match output shape ${fmtShape(root.shape)}`);
  }
  const r = new Recycler();
  r.during(() =>
    noGrad(() => {
      let seed: Tensor;
      if (gradient === undefined) seed = copyOf(root).fill_(1);
      else seed = gradient.dtype === root.dtype ? gradient : gradient.to(root.dtype);
      run(root, seed, retainGraph, r);
    }),
  );
}
