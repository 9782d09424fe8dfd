/**
 * @file Autograd engine behaviour: accumulation, fan-out, upstream
 * gradients, graph freeing, noGrad/detach, the version counter, deep graphs.
 */
import { describe, expect, it } from "vitest";
import { customOp, noGrad, ones, randn, tensor, zeros, type Tensor } from "../index.js";

describe("backward", () => {
  it("accumulates into .grad across calls and with fan-out", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward(); // d(x²) = 2x
    expect(x.grad?.toArray()).toEqual([2, 4, 6]);
    x.sum().backward();
    expect(x.grad?.toArray()).toEqual([3, 5, 7]);
    const z = tensor([1, 2, 3], { requiresGrad: true });
    z.add(z).add(z).sum().backward();
    expect(z.grad?.toArray()).toEqual([3, 3, 3]);
  });

  it("takes an upstream gradient for non-scalar outputs and rejects a missing or mis-shaped one", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow("backward: a gradient must be passed for a non-scalar output of shape [2, 2]");
    expect(() => y.backward(ones([3]))).toThrow("gradient shape [3] does not match output shape [2, 2]");
    y.backward(tensor([[1, 0], [0.5, 2]]));
    expect(x.grad?.toArray()).toEqual([[2, 0], [1, 4]]);
  });

  it("reduces broadcast gradients back to each input's shape", () => {
    const a = randn([4, 1, 3], { requiresGrad: true });
    const b = randn([2, 1], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad?.shape).toEqual([4, 1, 3]);
    expect(b.grad?.shape).toEqual([2, 1]);
    const expected = a.detach().sum().item() * 1;
    expect(b.grad?.toArray()).toEqual([[expect.closeTo(expected, 4)], [expect.closeTo(expected, 4)]]);
  });

  it("frees the graph unless retainGraph is set", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(() => y.backward()).toThrow(/already freed/);
  });

  it("records nothing under noGrad or through detach", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(3));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = x.detach().mul(3);
    expect(z.requiresGrad).toBe(false);
    expect(() => z.sum().backward()).toThrow(/does not require grad/);
  });

  it("keeps grads of non-leaves only when asked (retainGrad)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2).retainGrad();
    const k = x.mul(3);
    h.mul(k).sum().backward();
    expect(h.grad?.toArray()).toEqual([3, 6]);
    expect(k.grad).toBeNull();
  });

  it("walks 10⁵ chained ops without overflowing the stack", () => {
    const x = tensor(1, { dtype: "float64", requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1e-5);
    y.backward();
    expect(x.grad?.item()).toBe(1);
  });

  it("refuses gradients on integer tensors", () => {
    expect(() => tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow("requiresGrad: only float tensors can require gradients, this one is int32");
  });

  it("detects in-place modification of a tensor saved for backward", () => {
    const w = zeros([3]).add_(1);
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(w).sum();
    noGrad(() => w.mul_(2));
    expect(() => y.backward()).toThrow(/saved by mul was modified in place/);
  });

  it("refuses in-place updates of tensors that require grad outside noGrad", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    expect(() => p.add_(1)).toThrow(/add_: in-place update of a tensor that requires grad/);
    noGrad(() => p.add_(1));
    expect(p.toArray()).toEqual([2, 3]);
  });

  it("gives each leaf its own gradient buffer", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
  });

  it("gives a leaf a gradient only the pass could reach as it is, and copies one anything else holds", () => {
    let made: Tensor | null = null;
    // backward makes one fresh tensor and returns it for both inputs (and, for this test only, keeps it)
    const both = customOp({
      name: "sumTwice",
      forward: (_, a: Tensor, b: Tensor) => a.add(b),
      backward: (_, g) => {
        made = g.mul(2);
        return [made, made];
      },
    });
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    both(a, b).backward(tensor([1, 10]));
    expect(a.grad!.storage).toBe(made!.storage); // taken without a copy
    expect(b.grad!.storage).not.toBe(a.grad!.storage); // the second leaf's is a copy
    noGrad(() => a.grad!.mul_(0));
    expect(b.grad!.toArray()).toEqual([2, 20]);
    // the tensor the user passes as the upstream gradient is never taken
    const x = tensor([1, 2], { requiresGrad: true });
    const seed = tensor([5, 6]);
    x.backward(seed);
    expect(x.grad!.storage).not.toBe(seed.storage);
    noGrad(() => x.grad!.mul_(0));
    expect(seed.toArray()).toEqual([5, 6]);
  });
});
