/**
 * @file SGD: plain steps, momentum with dampening, nesterov with weight decay, validation.
 */
import { tensor, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { SGD } from "./sgd.js";

const param = (values: number[]) => tensor(values, { requiresGrad: true }) as Tensor<"float32">;
const grad = (values: number[]) => tensor(values) as Tensor<"float32">;
const f = Math.fround;

describe("SGD", () => {
  it("plain SGD steps p ← p − lr·g", () => {
    const p = param([1, -2]);
    p.grad = grad([0.5, 4]);
    new SGD([p], { lr: 0.25 }).step();
    expect(p.toArray()).toEqual([0.875, -3]);
  });

  it("momentum: the buffer starts as the first gradient, then b ← μb + (1 − τ)g", () => {
    const p = param([0]);
    const opt = new SGD([p], { lr: 1, momentum: 0.5, dampening: 0.5 });
    p.grad = grad([1]);
    opt.step(); // b = 1
    expect(p.toArray()).toEqual([-1]);
    opt.step(); // b = 0.5 + 0.5 = 1
    expect(p.toArray()).toEqual([-2]);
    p.grad = grad([3]);
    opt.step(); // b = 0.5 + 1.5 = 2
    expect(p.toArray()).toEqual([-4]);
    expect([...opt.stateOf(p)!.buffers.momentumBuffer!]).toEqual([2]);
  });

  it("nesterov steps along g + μb; weight decay adds λp to g", () => {
    const p = param([2]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.5 });
    p.grad = grad([1]);
    opt.step(); // d = 1 + 0.5·2 = 2, b = 2, step along 2 + 0.9·2 = 3.8
    expect(p.toArray()).toEqual([f(2 - f(0.1) * 3.8)]);
  });

  it("keeps no buffer without momentum", () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = grad([1]);
    opt.step();
    expect(opt.stateOf(p)!.buffers).toEqual({});
  });

  it("validates its hyperparameters", () => {
    const p = param([1]);
    expect(() => new SGD([p], { lr: 0.1, nesterov: true })).toThrow("SGD: nesterov needs momentum > 0 and dampening 0");
    expect(() => new SGD([p], {} as never)).toThrow("SGD: lr must be a finite number ≥ 0, got undefined");
    expect(() => new SGD([p], { lr: 0.1, dampening: 2 })).toThrow("SGD: dampening must be in [0, 1], got 2 (options)");
  });
});
