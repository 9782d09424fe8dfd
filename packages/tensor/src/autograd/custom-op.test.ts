/**
 * @file customOp: a user-defined forward/backward records into the graph next
 * to built-in ops, passes gradcheck, accumulates with fan-out, respects noGrad
 * and the version counter of saved tensors, and every misuse names the op.
 */
import { describe, expect, it } from "vitest";
import { Generator, customOp, gradcheck, noGrad, randn, tensor, type Tensor } from "../index.js";

const r = (shape: number[], seed: number) => randn(shape, { dtype: "float64", generator: new Generator(seed), requiresGrad: true });

/** `x³` with its derivative `3x²` written by hand. */
const cube = customOp({
  name: "cube",
  forward(ctx, x: Tensor) {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g) {
    const [x] = ctx.saved as [Tensor];
    return g.mul(x.square().mul(3));
  },
});

/** `a·b + a`, returning a gradient only for the inputs that need one. */
const fused = customOp({
  name: "mulAdd",
  forward(ctx, a: Tensor, b: Tensor) {
    ctx.saveForBackward(a, b);
    return a.mul(b).add(a);
  },
  backward(ctx, g) {
    const [a, b] = ctx.saved as [Tensor, Tensor];
    return [ctx.needsInputGrad[0] ? g.mul(b.add(1)) : null, ctx.needsInputGrad[1] ? g.mul(a) : null];
  },
});

describe("customOp", () => {
  it("passes gradcheck alone and inside a graph of built-in ops", () => {
    expect(gradcheck(cube, [r([2, 3], 1)])).toBe(true);
    expect(gradcheck((x, y) => fused(x.sin(), cube(y)).sum(1), [r([2, 3], 2), r([2, 3], 3)])).toBe(true);
  });
  it("records a node under its own name", () => {
    const y = cube(tensor([2], { requiresGrad: true }));
    expect(y.gradFn?.name).toBe("cube");
    expect(String(y)).toContain("grad_fn=<CubeBackward>");
  });
  it("accumulates gradients when an input is used twice", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    cube(x).add(cube(x)).sum().backward();
    expect(x.grad!.toArray()).toEqual([6, 24]);
    cube(x).sum().backward(); // a second backward adds to .grad
    expect(x.grad!.toArray()).toEqual([9, 36]);
  });
  it("skips inputs that need no gradient", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    fused(a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([4, 5]);
    expect(b.grad).toBeNull();
  });
  it("records nothing under noGrad or without inputs that require grad", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => cube(x));
    expect([y.requiresGrad, y.gradFn, y.item()]).toEqual([false, null, 1]);
    expect(cube(tensor([2])).requiresGrad).toBe(false);
  });
  it("a straight-through estimator: round forward, identity backward", () => {
    const ste = customOp({ name: "roundSte", forward: (_, x: Tensor) => x.round(), backward: (_, g) => g });
    const x = tensor([0.4, 1.6], { requiresGrad: true });
    const y = ste(x);
    y.backward(tensor([2, 3]));
    expect([y.toArray(), x.grad!.toArray()]).toEqual([[0, 2], [2, 3]]);
    // the estimator is not the true (zero) gradient, and gradcheck says so
    expect(gradcheck(ste, [tensor([0.3], { dtype: "float64", requiresGrad: true })], { raiseException: false })).toBe(false);
  });
  it("never attaches a node to an input the forward returns", () => {
    const identity = customOp({ name: "identity", forward: (_, x: Tensor) => x, backward: (_, g) => g });
    const x = tensor([1], { requiresGrad: true });
    const y = identity(x);
    expect([x.isLeaf, y.isLeaf, y.storage === x.storage]).toEqual([true, false, true]);
  });
  it("refuses a backward after a saved tensor changed in place", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = cube(x);
    noGrad(() => x.add_(1));
    expect(() => y.sum().backward()).toThrow(/^backward: a tensor of shape \[2\] saved by cube was modified in place/);
  });
  it("names the op when it is misused", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const wrongCount = customOp({ name: "bad", forward: (_, a: Tensor) => a.mul(2), backward: (_, g) => [g, g] });
    expect(() => wrongCount(x).sum().backward()).toThrow("bad: backward returned 2 gradient(s) for 1 input(s)");
    const wrongShape = customOp({ name: "bad", forward: (_, a: Tensor) => a.sum(), backward: (_, g) => g });
    expect(() => wrongShape(x).backward()).toThrow("backward: bad produced a gradient of shape [] for an input of shape [2]");
    const notTensor = customOp({ name: "bad", forward: (_, a: Tensor) => a.numel as unknown as Tensor, backward: (_, g) => g });
    expect(() => notTensor(x)).toThrow("bad: forward must return a Tensor, got number");
    expect(() => cube(2 as unknown as Tensor)).toThrow("cube: input 0 must be a Tensor, got number");
    expect(() => customOp({ name: "", forward: (_, a: Tensor) => a, backward: (_, g) => g })).toThrow("customOp: the definition needs a non-empty name");
  });
});
