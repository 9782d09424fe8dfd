/**
 * @file freeWithGraph: a forward's intermediates go back to the pool once a backward pass frees
 * its graph, outputs and gradients untouched; nothing changes under retainGraph until the graph is
 * freed, or under noGrad.
 */
import { describe, expect, it } from "vitest";
import { freeWithGraph, Generator, memoryStats, noGrad, randn, type Tensor } from "../index.js";

// Big enough for pooled blocks (small arrays come from slabs the pool does not recycle).
const N = 64;

function twoLayers(x: Tensor, w: Tensor): { out: Tensor; loss: Tensor } {
  const h = x.matmul(w).tanh(); // an intermediate only the graph reaches
  const out = h.matmul(w).mul(0.5);
  return { out, loss: out.square().sum() };
}

function run(scoped: boolean, retainFirst = false) {
  const g = new Generator(7);
  const x = randn([N, N], { generator: g });
  const w = randn([N, N], { generator: g }).mul(0.1).detach().requiresGrad_();
  const r = scoped ? freeWithGraph(() => twoLayers(x, w), (o) => [o.out, o.loss]) : twoLayers(x, w);
  const released0 = memoryStats().released;
  r.loss.backward(undefined, { retainGraph: retainFirst });
  const releasedFirst = memoryStats().released - released0;
  if (retainFirst) r.loss.backward();
  const releasedAll = memoryStats().released - released0;
  return { out: r.out.toArray(), loss: r.loss.item(), grad: w.grad!.toArray(), releasedFirst, releasedAll };
}

describe("freeWithGraph", () => {
  it("returns a forward's intermediates to the pool when backward frees the graph, leaving outputs and gradients as they were", () => {
    const plain = run(false);
    const scoped = run(true);
    expect(scoped.out).toEqual(plain.out);
    expect(scoped.loss).toBe(plain.loss);
    expect(scoped.grad).toEqual(plain.grad);
    expect(scoped.releasedAll).toBeGreaterThan(plain.releasedAll); // tanh's output, the first product, ...
  });

  it("keeps the activations while backward retains the graph and frees them with the last pass", () => {
    const plain = run(false, true);
    const scoped = run(true, true);
    expect(scoped.releasedFirst).toBe(plain.releasedFirst);
    expect(scoped.releasedAll).toBeGreaterThan(plain.releasedAll);
    expect(scoped.grad).toEqual(plain.grad); // twice the single-pass gradient in both
  });

  it("lets the next forward reuse the freed blocks: each step takes fresh memory only for the new gradient", () => {
    const x = randn([N, N]);
    const w = randn([N, N]).mul(0.1).detach().requiresGrad_();
    const freshOverFiveSteps = (scoped: boolean) => {
      const step = () => {
        (scoped ? freeWithGraph(() => twoLayers(x, w), (o) => [o.loss]) : twoLayers(x, w)).loss.backward();
        w.grad = null; // dropped, not released: only the garbage collector can take it back
      };
      step();
      step();
      const fresh = memoryStats().freshBytes;
      for (let i = 0; i < 5; i++) step();
      return memoryStats().freshBytes - fresh;
    };
    expect(freshOverFiveSteps(true)).toBe(5 * N * N * 4);
    expect(freshOverFiveSteps(false)).toBeGreaterThan(5 * N * N * 4);
  });

  it("changes nothing under noGrad or when the outputs have no graph", () => {
    const x = randn([N, N]);
    const w = randn([N, N]);
    const released = memoryStats().released;
    const a = noGrad(() => freeWithGraph(() => twoLayers(x, w), (o) => [o.out, o.loss]));
    const b = freeWithGraph(() => twoLayers(x, w), (o) => [o.out, o.loss]);
    expect(a.out.toArray()).toEqual(b.out.toArray());
    expect(b.loss.gradFn).toBeNull();
    expect(memoryStats().released).toBe(released);
  });
});
