/**
 * @file Reverse-mode backward pass: an iterative topological sort of the
 * graph (no recursion, so 10⁵ chained ops cannot overflow the stack), then
 * each node's backward in reverse order, accumulating into leaves' `.grad`.
 * The graph is freed as it is walked unless `retainGraph` is set.
 */
import { add } from "../ops/binary.js";
import { copyOf } from "../ops/util.js";
import { fmtShape, sameShape } from "../shape.js";
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
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1] = i + 1;
      const child = node.inputs[i]?.gradFn;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  // NOTE: a backward rule may return its upstream gradient itself; copy so no two leaves share a buffer
  leaf.grad = leaf.grad === null ? copyOf(g) : add(leaf.grad, g);
}

/** Computes gradients of `root` w.r.t. every leaf that requires grad (`Tensor.backward`). */
export function backward(root: Tensor, gradient?: Tensor, { retainGraph = false }: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad (no input had requiresGrad, or it was computed under noGrad)");
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.numel !== 1) {
      throw new Error(`backward: a gradient must be passed for a non-scalar output of shape ${fmtShape(root.shape)}`);
    }
    seed = copyOf(root).fill_(1);
  } else {
    if (!sameShape(gradient.shape, root.shape)) {
      throw new RangeError(`backward: gradient shape ${fmtShape(gradient.shape)} does not match output shape ${fmtShape(root.shape)}`);
    }
    seed = gradient.dtype === root.dtype ? gradient : gradient.to(root.dtype);
  }
  noGrad(() => {
    const rootNode = root.gradFn;
    if (rootNode === null) {
      accumulateLeaf(root, seed);
      return;
    }
    const grads = new Map<Node, Tensor>([[rootNode, seed]]);
    for (const node of topoOrder(rootNode)) {
      const g = grads.get(node);
      grads.delete(node);
      if (g === undefined) continue;
      if (node.backwardFn === null) {
        throw new Error(
          `backward: the graph through ${node.name} was already freed by an earlier backward; pass { retainGraph: true } to the first call`,
        );
      }
      for (const [t, version] of node.savedVersions) {
        if (t.storage.version !== version) {
          throw new Error(
            `backward: a tensor of shape ${fmtShape(t.shape)} saved by ${node.name} was modified in place after it was used ` +
              `(version ${version} → ${t.storage.version}); its gradient would be wrong. Clone it before the in-place update.`,
          );
        }
      }
      if (node.retained !== null) node.retained.grad = g;
      const results = node.backwardFn(g);
      node.inputs.forEach((input, i) => {
        const r = results[i];
        if (!input || !r) return;
        if (!sameShape(r.shape, input.shape)) {
          throw new Error(`backward: ${node.name} produced a gradient of shape ${fmtShape(r.shape)} for an input of shape ${fmtShape(input.shape)}`);
        }
        const gr = r.dtype === input.dtype ? r : r.to(input.dtype);
        const child = input.gradFn;
        if (child === null) accumulateLeaf(input, gr);
        else {
          const prev = grads.get(child);
          grads.set(child, prev === undefined ? gr : add(prev, gr));
        }
      });
      if (!retainGraph) node.release();
    }
  });
}
