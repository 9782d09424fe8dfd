/**
 * @file In-place updates: values, broadcasting of the value, writes through
 * non-contiguous views, the storage version counter, the requiresGrad guard
 * and the "modified in place" error autograd raises for saved tensors.
 */
import { describe, expect, it } from "vitest";
import { noGrad, ones, tensor, zeros } from "../index.js";

describe("in-place ops: values", () => {
  it("add_ (with alpha), sub_, mul_, div_", () => {
    const x = tensor([1, 2, 3]);
    expect(x.add_(tensor([1, 1, 1])).toArray()).toEqual([2, 3, 4]);
    expect(x.add_(tensor([1, 2, 3]), -2).toArray()).toEqual([0, -1, -2]);
    expect(x.sub_(1).toArray()).toEqual([-1, -2, -3]);
    expect(x.mul_(tensor([2, -1, 0.5])).toArray()).toEqual([-2, 2, -1.5]);
    expect(x.div_(2).toArray()).toEqual([-1, 1, -0.75]);
  });
  it("copy_, fill_, zero_, clamp_", () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(x.copy_(tensor([[5, 6], [7, 8]])).toArray()).toEqual([[5, 6], [7, 8]]);
    expect(x.fill_(1.5).toArray()).toEqual([[1.5, 1.5], [1.5, 1.5]]);
    expect(x.zero_().toArray()).toEqual([[0, 0], [0, 0]]);
    const y = tensor([-3, 0, 3, NaN]);
    const c = y.clamp_(-1, 1).toArray() as number[];
    expect(c.slice(0, 3)).toEqual([-1, 0, 1]);
    expect(c[3]).toBeNaN();
    expect(tensor([-3, 3]).clamp_(0).toArray()).toEqual([0, 3]);
    expect(tensor([-3, 3]).clamp_(undefined, 0).toArray()).toEqual([-3, 0]);
  });
  it("returns the same tensor (chainable)", () => {
    const x = zeros([2]);
    expect(x.add_(1)).toBe(x);
    expect(x.mul_(2).sub_(1).fill_(0)).toBe(x);
  });
  it("broadcasts the value to the target's shape", () => {
    const x = zeros([2, 3]);
    x.add_(tensor([1, 2, 3]));
    x.mul_(tensor([[1], [10]]));
    expect(x.toArray()).toEqual([[1, 2, 3], [10, 20, 30]]);
    x.copy_(tensor(7));
    expect(x.toArray()).toEqual([[7, 7, 7], [7, 7, 7]]);
  });
  it("rejects a value that would grow the target", () => {
    expect(() => zeros([3]).add_(zeros([2, 3]))).toThrow("add_: value of shape [2, 3] cannot be broadcast to the target's shape [3]");
    expect(() => zeros([3]).copy_(zeros([4]))).toThrow("copy_: shapes [3] and [4] cannot be broadcast together (dim -1: 3 vs 4)");
  });
  it("works on 0-d and 4-D targets", () => {
    const s = tensor(2);
    s.mul_(3);
    expect(s.item()).toBe(6);
    const x = ones([2, 1, 2, 3]);
    x.add_(tensor([1, 2, 3]));
    expect(x.sum().item()).toBe(4 * 9);
  });
  it("a value of another dtype is converted to the target's", () => {
    const d = tensor([0.1], { dtype: "float64" });
    d.add_(tensor([0.2], { dtype: "float64" }));
    expect(d.item()).toBe(0.1 + 0.2);
    const f = zeros([1]);
    f.copy_(tensor([0.1], { dtype: "float64" }));
    expect(f.item()).toBe(Math.fround(0.1));
    expect(f.dtype).toBe("float32");
    const i = zeros([2], { dtype: "int32" });
    i.copy_(tensor([1.7, -1.7]));
    expect(i.toArray()).toEqual([1, -1]); // truncates toward zero, like to("int32")
  });
  it("bool targets stay 0/1: fill_", () => {
    const b = tensor([true, false]);
    b.fill_(2);
    expect(b.toArray()).toEqual([1, 1]);
  });
  it("bool targets stay 0/1: copy_ from floats", () => {
    const c = tensor([false, false]);
    c.copy_(tensor([0.5, 0]));
    expect(c.toArray()).toEqual([1, 0]); // x ≠ 0, like to("bool")
  });
});

describe("in-place ops: views", () => {
  it("writing through a slice changes the base", () => {
    const x = zeros([3, 4]);
    x.slice(0, 1, 2).fill_(5);
    x.select(1, 0).add_(1);
    expect(x.toArray()).toEqual([[1, 0, 0, 0], [6, 5, 5, 5], [1, 0, 0, 0]]);
  });
  it("writing through a transpose hits the right elements", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    x.t().mul_(tensor([1, 10])); // column j of xᵀ = row j of x
    expect(x.toArray()).toEqual([[1, 2, 3], [40, 50, 60]]);
    x.t().copy_(tensor([[0, 1], [2, 3], [4, 5]]));
    expect(x.toArray()).toEqual([[0, 2, 4], [1, 3, 5]]);
  });
  it("a strided view only touches its elements", () => {
    const x = zeros([6]);
    x.slice(0, 1, 6, 2).fill_(1);
    expect(x.toArray()).toEqual([0, 1, 0, 1, 0, 1]);
  });
  it("a non-contiguous value is read in logical order", () => {
    const x = zeros([3, 2]);
    x.copy_(tensor([[1, 2, 3], [4, 5, 6]]).t());
    expect(x.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });
});

describe("in-place ops: version counter", () => {
  it("each in-place op bumps the storage version once", () => {
    const x = zeros([3]);
    expect(x.storage.version).toBe(0);
    x.add_(1);
    expect(x.storage.version).toBe(1);
    x.sub_(1);
    x.mul_(2);
    x.div_(2);
    x.copy_(tensor([1, 2, 3]));
    x.fill_(0);
    x.zero_();
    x.clamp_(0, 1);
    expect(x.storage.version).toBe(8);
  });
  it("views share the version (it lives on the storage)", () => {
    const x = zeros([2, 2]);
    const v = x.t();
    v.add_(1);
    expect(x.storage.version).toBe(1);
    x.slice(0, 1).fill_(3);
    expect(v.storage.version).toBe(2);
  });
  it("out-of-place ops do not bump it", () => {
    const x = zeros([2]);
    x.add(1);
    x.t();
    x.reshape([2, 1]);
    expect(x.storage.version).toBe(0);
  });
  it("the value's storage is untouched", () => {
    const x = zeros([2]);
    const v = tensor([1, 2]);
    x.add_(v);
    expect(v.storage.version).toBe(0);
  });
});

describe("in-place ops and autograd", () => {
  it("in-place on a tensor that requires grad throws outside noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(
      "add_: in-place update of a tensor that requires grad (or from one) is not recorded by autograd; " +
        "wrap it in noGrad(() => ...) (as optimizers do) or use the out-of-place op",
    );
    expect(() => w.zero_()).toThrow("zero_: in-place update of a tensor that requires grad");
    expect(() => w.mul_(2)).toThrow("mul_: in-place update");
    expect(w.storage.version).toBe(0);
    expect(w.toArray()).toEqual([1, 2]);
  });
  it("in-place from a value that requires grad throws too", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    expect(() => zeros([2]).copy_(p)).toThrow("copy_: in-place update of a tensor that requires grad (or from one)");
  });
  it("inside noGrad the update is allowed (optimizer step)", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    noGrad(() => w.sub_(tensor([0.5, 0.5]).mul(2)));
    expect(w.toArray()).toEqual([0, 1]);
    expect(w.requiresGrad).toBe(true);
    expect(w.isLeaf).toBe(true);
  });
  it("modifying a tensor saved for backward, then calling backward, throws", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const c = tensor([4, 5, 6]); // does not require grad, so add_ is allowed
    const y = x.mul(c).sum(); // mul saves c
    c.add_(1);
    expect(() => y.backward()).toThrow(/modified in place/);
  });
  it("modifying a saved output under noGrad is caught as well", () => {
    const x = tensor([0, 1], { requiresGrad: true });
    const e = x.exp(); // exp saves its output
    const loss = e.sum();
    noGrad(() => e.mul_(2));
    expect(() => loss.backward()).toThrow(/modified in place/);
  });
  it("modifying a view of a saved tensor is caught (shared storage)", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const c = tensor([4, 5, 6]);
    const y = x.mul(c).sum();
    c.slice(0, 0, 1).fill_(0);
    expect(() => y.backward()).toThrow(/modified in place/);
  });
  it("modifying a tensor that backward does not need is fine", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const c = tensor([4, 5, 6]);
    const y = x.add(c).sum(); // add saves nothing
    c.add_(1);
    y.backward();
    expect(x.grad?.toArray()).toEqual([1, 1, 1]);
  });
  it("the error is raised before any gradient is accumulated", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([3, 4]);
    const y = x.mul(c).sum();
    c.zero_();
    expect(() => y.backward()).toThrow(/modified in place/);
    expect(x.grad).toBeNull();
  });
});
