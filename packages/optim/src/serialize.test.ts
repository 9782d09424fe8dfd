/**
 * @file Optimizer state on disk: pack/unpack, safetensors round trip, bad files.
 */
import { tensor, type Tensor } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { AdamW } from "./adam.js";
import { packStateDict, parseOptimizerState, serializeOptimizerState, unpackStateDict } from "./serialize.js";

function trained(): AdamW {
  const a = tensor([1, 2, 3], { requiresGrad: true }), b = tensor([[4, 5]], { requiresGrad: true });
  const opt = new AdamW([{ params: [a], name: "decay" }, { params: [b], weightDecay: 0 }], { lr: 0.1, betas: [0.9, 0.95] });
  a.grad = tensor([0.1, -1, 2]) as Tensor<"float32">;
  opt.step();
  return opt;
}

describe("optimizer state on disk", () => {
  it("packs buffers as state.<index>.<buffer> tensors and the rest as JSON", () => {
    const { tensors, meta } = packStateDict(trained().stateDict());
    expect(Object.keys(tensors)).toEqual(["state.0.expAvg", "state.0.expAvgSq"]);
    expect(meta.steps).toEqual({ 0: 1 });
    expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
    expect(meta.paramGroups[0]).toMatchObject({ name: "decay", betas: [0.9, 0.95] });
  });

  it("round-trips through safetensors bytes exactly", () => {
    const sd = trained().stateDict();
    const back = parseOptimizerState(serializeOptimizerState(sd));
    expect(back.paramGroups).toEqual(sd.paramGroups);
    expect(back.state[0]!.step).toBe(1);
    expect([...back.state[0]!.buffers.expAvgSq!.data]).toEqual([...sd.state[0]!.buffers.expAvgSq!.data]);
    const fresh = new AdamW([{ params: [tensor([0, 0, 0], { requiresGrad: true })] }, { params: [tensor([[0, 0]], { requiresGrad: true })] }]);
    fresh.loadStateDict(back);
    expect(fresh.stateDict()).toEqual(sd);
  });

  it("names the source and the problem for files that are not optimizer state", () => {
    const { tensors, meta } = packStateDict(trained().stateDict());
    expect(() => unpackStateDict(tensors, { ...meta, format: "other" as never }, "run/optimizer.json")).toThrow(
      'run/optimizer.json: not a kiln optimizer state: format is "other", expected "kiln.optimizer/1"',
    );
    expect(() => unpackStateDict({ ...tensors, "model.w": tensors["state.0.expAvg"]! }, meta)).toThrow('unexpected tensor "model.w"');
    expect(() => unpackStateDict(tensors, { ...meta, steps: {} })).toThrow("belongs to parameter 0, which has no step count");
  });
});
