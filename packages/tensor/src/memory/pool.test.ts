/**
 * @file The memory pool: exact-length zeroed arrays over shared memory, reuse by size class,
 * autograd returning dead gradients (and never anything a user can still reach), and the
 * finalization safety net for dropped tensors.
 */
import { describe, expect, it } from "vitest";
import { Generator, memoryStats, noGrad, randn, setPoolBudget, tensor, type Tensor } from "../index.js";
import { acquire, collect, release, SMALL_BYTES } from "./pool.js";
import { isInHeap, sizeClass } from "../runtime/wasm.js";

const big = 4096; // elements: 16 KiB of float32, well above SMALL_BYTES
const gen = () => new Generator(7);

/** Allocates and scribbles over many arrays of `n` floats, so any recycled block would change. */
function churn(n: number): void {
  for (let i = 0; i < 64; i++) acquire("float32", n, false).fill(1e9);
}

describe("memory pool", () => {
  it("gives zeroed arrays of the exact length over shared memory; float32 lives in the wasm heap", () => {
    for (const dtype of ["float32", "float64", "int32", "bool"] as const) {
      const a = acquire(dtype, 1000);
      expect(a.length).toBe(1000);
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(a.every((v) => v === 0)).toBe(true);
    }
    expect(isInHeap(acquire("float32", big))).toBe(true);
    expect(acquire("float32", 0).length).toBe(0);
  });

  it("reuses a released block of the same size class, zeroing it when asked", () => {
    const a = acquire("float64", big);
    a.fill(5);
    const before = memoryStats();
    expect(release(a)).toBe(true);
    expect(release(a)).toBe(false); // a second release is a no-op
    const b = acquire("float64", big - 1);
    expect(sizeClass((big - 1) * 8)).toBe(sizeClass(big * 8));
    expect(memoryStats().reusedBytes).toBeGreaterThan(before.reusedBytes);
    expect(b.every((v) => v === 0)).toBe(true);
  });

  it("a budget of 0 sends every new array outside the pool; the old budget comes back", () => {
    const before = memoryStats();
    const previous = setPoolBudget(0);
    try {
      const n = 100_003; // a size class no other test has freed, so nothing can be reused
      const a = acquire("float64", n);
      expect(a.length).toBe(n);
      expect(memoryStats().unpooledBytes - before.unpooledBytes).toBe(n * 8);
      expect(memoryStats().freshBytes).toBe(before.freshBytes);
      expect(release(a)).toBe(false); // not the pool's to take back
    } finally {
      expect(setPoolBudget(previous)).toBe(0);
    }
    expect(() => setPoolBudget(-1)).toThrow("setPoolBudget: expected a non-negative byte count, got -1");
  });

  it("carves small arrays from slabs and leaves them to the garbage collector", () => {
    const s = acquire("float32", SMALL_BYTES / 4);
    expect(release(s)).toBe(false);
  });
});

describe("autograd and the pool", () => {
  it("returns intermediate gradients to the pool during backward, and the results stay right", () => {
    const x = randn([64, 64], { requiresGrad: true, generator: gen() });
    const w = randn([64, 64], { requiresGrad: true, generator: gen() });
    const loss = () => x.matmul(w).silu().mul(x).add(x).square().sum();
    loss().backward();
    const [gx, gw] = [x.grad!.toArray(), w.grad!.toArray()];
    x.grad = null;
    w.grad = null;
    const released = memoryStats().released;
    loss().backward();
    expect(memoryStats().released).toBeGreaterThan(released);
    churn(64 * 64);
    expect(x.grad!.toArray()).toEqual(gx);
    expect(w.grad!.toArray()).toEqual(gw);
  });

  it("never recycles what a user can reach: held activations, retained grads, leaf grads", () => {
    const x = randn([big], { requiresGrad: true, generator: gen() });
    const h = x.mul(2).exp();
    const mid = h.mul(3).retainGrad();
    mid.sin().sum().backward();
    const [hv, midGrad, xGrad] = [h.toArray(), mid.grad!.toArray(), x.grad!.toArray()];
    churn(big);
    expect(h.toArray()).toEqual(hv);
    expect(mid.grad!.toArray()).toEqual(midGrad);
    expect(x.grad!.toArray()).toEqual(xGrad);
  });

  it("still catches an in-place change to a saved tensor", () => {
    const x = randn([big], { requiresGrad: true, generator: gen() });
    const c = randn([big], { generator: gen() });
    const y = x.mul(c).sum(); // mul saves c
    c.add_(1);
    expect(() => y.backward()).toThrow(/modified in place/);
  });
});

describe("finalization", () => {
  const dropped = (): number => {
    let t: Tensor | null = randn([big], { generator: gen() });
    noGrad(() => t!.add_(1));
    t = null;
    return 0;
  };

  it("returns the blocks of dropped tensors once the collector has run", () => {
    if (!collect()) return; // no collector in this engine: blocks come back when the event loop turns
    const finalized = memoryStats().finalized;
    for (let i = 0; i < 8; i++) dropped();
    collect();
    expect(memoryStats().finalized).toBeGreaterThan(finalized);
  });

  it("keeps a storage alive while a part of its data (from .data) is held", () => {
    const part = (() => {
      const t = tensor(Array.from({ length: 2 * big }, (_, i) => i));
      return t.reshape([2, big]).select(0, 1).data;
    })();
    const expected = Array.from({ length: big }, (_, i) => big + i);
    collect();
    churn(2 * big);
    expect(Array.from(part)).toEqual(expected);
  });
});
