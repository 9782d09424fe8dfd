/**
 * @file Optimizer base: group defaults and overrides, error messages, skipped
 * parameters, accumulated gradients, zeroGrad, and the exact stateDict round trip.
 */
import { Tensor, tensor, zeros } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { AdamW } from "./adam.js";
import { SGD } from "./sgd.js";

const param = (values: number[]) => tensor(values, { requiresGrad: true }) as Tensor<"float32">;
const grad = (values: number[]) => tensor(values) as Tensor<"float32">;

describe("Optimizer: parameter groups", () => {
  it("fills each group's hyperparameters from the defaults and keeps its overrides", () => {
    const a = param([1, 2]), b = param([3]);
    const opt = new AdamW([{ params: [a] }, { params: [b], lr: 0.5, betas: [0.8, 0.9], name: "b" }], { lr: 0.1, weightDecay: 0.2 });
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.2, initialLr: 0.1 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, betas: [0.8, 0.9], weightDecay: 0.2, name: "b", initialLr: 0.5 });
    expect(opt.params).toEqual([a, b]);
  });

  it("accepts a plain list of tensors as one group", () => {
    const opt = new SGD([param([1]), param([2])], { lr: 0.1 });
    expect(opt.paramGroups).toHaveLength(1);
    expect(opt.paramGroups[0]!.params).toHaveLength(2);
  });

  it("names unknown options, duplicates, dtypes and empty lists in its errors", () => {
    const a = param([1]);
    expect(() => new AdamW([{ params: [a], weight_decay: 0.1 } as never])).toThrow('AdamW: group 0 has unknown option "weight_decay"');
    expect(() => new AdamW([a], { weight_decay: 0.1 } as never)).toThrow('AdamW: options has unknown option "weight_decay"');
    expect(() => new AdamW([{ params: [a] }, { params: [a], name: "again" }])).toThrow('AdamW: group 1 ("again") parameter 0 appears more than once');
    expect(() => new AdamW([tensor([1, 2], { dtype: "float64" })])).toThrow("AdamW: group 0 parameter 0 has dtype float64");
    expect(() => new AdamW([a.mul(2)])).toThrow("is not a leaf tensor");
    expect(() => new AdamW([zeros([2, 3]).t()])).toThrow("non-contiguous view");
    expect(() => new AdamW([])).toThrow("AdamW: got an empty parameter list");
    expect(() => new AdamW([a], { betas: [0.9, 1] })).toThrow("AdamW: betas[1] must be in [0, 1), got 1 (options)");
    expect(() => new AdamW([{ params: [a], lr: -1 }])).toThrow("AdamW: lr must be a finite number ≥ 0, got -1 (group 0)");
    expect(() => new AdamW([a], { maxGradNorm: 0 })).toThrow("AdamW: maxGradNorm must be > 0");
  });

  it("ignores options given as undefined", () => {
    const opt = new AdamW([param([1])], { lr: undefined, weightDecay: 0 });
    expect(opt.defaults.lr).toBe(1e-3);
  });
});

describe("Optimizer.step", () => {
  it("skips parameters without a gradient and creates no state for them", () => {
    const a = param([1, 2]), b = param([3]);
    const opt = new SGD([a, b], { lr: 0.5 });
    a.grad = grad([1, -1]);
    opt.step();
    expect(a.toArray()).toEqual([0.5, 2.5]);
    expect(b.toArray()).toEqual([3]);
    expect(opt.stateOf(a)?.step).toBe(1);
    expect(opt.stateOf(b)).toBeUndefined();
  });

  it("bumps the parameter's version counter", () => {
    const a = param([1]);
    const opt = new SGD([a], { lr: 0.1 });
    a.grad = grad([1]);
    const before = a.storage.version;
    opt.step();
    expect(a.storage.version).toBe(before + 1);
  });

  it("reads non-contiguous gradients", () => {
    const a = Tensor.fromData("float32", Float32Array.from([1, 2, 3, 4]), [2, 2]).requiresGrad_();
    a.grad = Tensor.fromData("float32", Float32Array.from([1, 2, 3, 4]), [2, 2]).t();
    new SGD([a], { lr: 1 }).step();
    expect(a.toArray()).toEqual([[0, -1], [1, 0]]);
  });

  it("rejects a gradient of the wrong size", () => {
    const a = param([1, 2]);
    a.grad = grad([1, 2, 3]);
    expect(() => new SGD([a], { lr: 1 }).step()).toThrow("SGD.step: group 0 parameter 0 has a float32 grad of shape [3] for a float32 parameter of shape [2]");
  });

  it("uses accumulated gradients as they are: two backward passes sum", () => {
    const a = param([1, 2]);
    a.square().sum().backward();
    a.square().sum().backward(); // .grad = 2 · 2a
    new SGD([a], { lr: 0.125 }).step();
    expect(a.toArray()).toEqual([0.5, 1]);
  });
});

describe("Optimizer.zeroGrad", () => {
  it("sets gradients to null by default", () => {
    const a = param([1]);
    a.grad = grad([2]);
    new SGD([a], { lr: 1 }).zeroGrad();
    expect(a.grad).toBeNull();
  });

  it("zero-fills them in place with setToNull: false", () => {
    const a = param([1, 2]);
    const g = grad([2, 3]);
    a.grad = g;
    new SGD([a], { lr: 1 }).zeroGrad({ setToNull: false });
    expect(a.grad).toBe(g);
    expect(g.toArray()).toEqual([0, 0]);
  });
});

describe("Optimizer.stateDict / loadStateDict", () => {
  function trained(): { opt: AdamW; a: Tensor; b: Tensor } {
    const a = param([1, 2, 3]), b = param([4, 5]);
    const opt = new AdamW([{ params: [a], name: "decay" }, { params: [b], weightDecay: 0, lr: 0.05 }], { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      a.grad = grad([0.1 * i, -1, 2]);
      if (i !== 1) b.grad = grad([1, i]);
      opt.step();
    }
    return { opt, a, b };
  }

  it("records hyperparameters, per-parameter steps and buffers by parameter index", () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      { params: [0], initialLr: 0.1, name: "decay", lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 },
      { params: [1], initialLr: 0.05, lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
    ]);
    expect(sd.state[0]!.step).toBe(3);
    expect(sd.state[1]!.step).toBe(3);
    expect(Object.keys(sd.state[0]!.buffers)).toEqual(["expAvg", "expAvgSq"]);
    expect(sd.state[1]!.buffers.expAvg!.shape).toEqual([2]);
  });

  it("is a snapshot: later steps do not change it", () => {
    const { opt, a } = trained();
    const sd = opt.stateDict();
    const saved = [...sd.state[0]!.buffers.expAvg!.data];
    a.grad = grad([5, 5, 5]);
    opt.step();
    expect([...sd.state[0]!.buffers.expAvg!.data]).toEqual(saved);
    expect(sd.state[0]!.step).toBe(3);
  });

  it("round-trips exactly: load then save gives the same dict", () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    const fresh = new AdamW([{ params: [param([0, 0, 0])] }, { params: [param([0, 0])] }]);
    fresh.loadStateDict(sd);
    expect(fresh.stateDict()).toEqual(sd);
    expect(fresh.paramGroups[1]!.lr).toBe(0.05);
  });

  it("refuses a state that does not fit, naming the field", () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    expect(() => new AdamW([param([0, 0, 0]), param([0, 0])]).loadStateDict(sd)).toThrow("AdamW.loadStateDict: the state has 2 parameter groups, this optimizer has 1");
    expect(() => new AdamW([{ params: [param([0, 0, 0])] }, { params: [param([0, 0, 0])] }]).loadStateDict(sd)).toThrow(
      "AdamW.loadStateDict: state[1].expAvg has shape [2], parameter 1 has shape [3]",
    );
    expect(() => new SGD([{ params: [param([0, 0, 0])] }, { params: [param([0, 0])] }], { lr: 1 }).loadStateDict(sd)).toThrow(
      'SGD.loadStateDict: paramGroups[0] has unknown hyperparameter "betas"',
    );
    const broken = { ...sd, state: { 0: { ...sd.state[0]!, step: -1 } } };
    expect(() => opt.loadStateDict(broken)).toThrow("AdamW.loadStateDict: state[0].step must be a non-negative integer, got -1");
  });
});
