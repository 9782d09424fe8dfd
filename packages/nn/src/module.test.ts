/**
 * @file Module: discovery of parameters/submodules from fields (arrays,
 * ties), train/eval, counting, state dicts with their errors, printing,
 * `apply`, dtype conversion, and persistent / non-persistent buffers.
 */
import { Tensor, ones, randn, tensor, zeros } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { Embedding, Linear, Module, Parameter, RMSNorm } from "./index.js";

class Inner extends Module {
  proj = new Linear(3, 2, { bias: true });
  scale = new Parameter(ones([2]));
}

class Outer extends Module {
  emb = new Embedding(5, 3);
  blocks = [new Inner(), new Inner()];
  norm = new RMSNorm(2);
  buffer = zeros([4]); // a plain tensor: a buffer, not a parameter
  note = "not a tensor";
  head = new Linear(3, 5, { bias: false });
  constructor(tie = false) {
    super();
    if (tie) this.head.weight = this.emb.weight;
  }
}

describe("Module", () => {
  it("finds parameters in fields, arrays and submodules, with dotted names", () => {
    const m = new Outer();
    // each module's own parameters first, then its children's (as torch's named_parameters)
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      "emb.weight", "blocks.0.scale", "blocks.0.proj.weight", "blocks.0.proj.bias",
      "blocks.1.scale", "blocks.1.proj.weight", "blocks.1.proj.bias", "norm.weight", "head.weight",
    ]);
    expect(m.namedChildren().map(([n]) => n)).toEqual(["emb", "blocks.0", "blocks.1", "norm", "head"]);
    expect(m.parameters().every((p) => p instanceof Parameter && p.requiresGrad)).toBe(true);
  });

  it("lists a tied parameter once and counts it once; excludeEmbeddings drops embedding tables", () => {
    const untied = new Outer();
    const tied = new Outer(true);
    expect(tied.parameters().length).toBe(untied.parameters().length - 1);
    expect(tied.namedParameters().some(([n]) => n === "head.weight")).toBe(false);
    const inner = 2 * (3 * 2 + 2 + 2);
    expect(untied.numParameters()).toBe(15 + inner + 2 + 15);
    expect(untied.numParameters({ excludeEmbeddings: true })).toBe(inner + 2 + 15);
    expect(tied.numParameters({ excludeEmbeddings: true })).toBe(inner + 2);
  });

  it("train() and eval() reach every submodule; apply visits children before parents", () => {
    const m = new Outer().eval();
    expect(m.namedModules().every(([, s]) => !s.training)).toBe(true);
    m.train();
    expect(m.blocks[1]!.proj.training).toBe(true);
    const seen: string[] = [];
    m.apply((s) => seen.push(s.constructor.name));
    expect(seen).toEqual(["Embedding", "Linear", "Inner", "Linear", "Inner", "RMSNorm", "Linear", "Outer"]);
  });

  it("stateDict round-trips through loadStateDict into a fresh module", () => {
    const a = new Outer();
    const b = new Outer();
    const sd = a.stateDict();
    expect(Object.keys(sd)).toEqual(a.namedParameters().map(([n]) => n));
    expect(sd["buffer"]).toBeUndefined();
    expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.head.weight.toArray()).toEqual(a.head.weight.toArray());
  });

  it("names missing, unexpected and mis-shaped keys, and writes nothing when it fails", () => {
    const m = new Outer();
    const before = m.norm.weight.toArray();
    const sd: Record<string, Tensor> = { ...m.stateDict(), extra: zeros([1]), "norm.weight": zeros([3]) };
    delete sd["head.weight"];
    sd["emb.weight"] = zeros([5, 3]);
    expect(() => m.loadStateDict(sd)).toThrow(
      'loadStateDict: cannot load into Outer:\n  unexpected key(s): "extra"\n  missing key(s): "head.weight"\n' +
        '  size mismatch for "norm.weight": checkpoint has [3], the model has [2]',
    );
    expect(m.emb.weight.data.some((v) => v !== 0)).toBe(true); // nothing was half-written
    expect(m.norm.weight.toArray()).toEqual(before);
    expect(() => m.loadStateDict({ ...sd, "norm.weight": ones([2]) }, { strict: false })).not.toThrow();
    expect(m.loadStateDict({ "norm.weight": tensor([2, 3]) }, { strict: false }).missingKeys).toContain("head.weight");
    expect(m.norm.weight.toArray()).toEqual([2, 3]);
  });

  it("prints the tree like PyTorch, collapsing identical blocks", () => {
    expect(new Outer().toString()).toBe(
      [
        "Outer(",
        "  (emb): Embedding(5, 3)",
        "  (blocks): ModuleList(",
        "    (0-1): 2 x Inner(",
        "      (proj): Linear(in_features=3, out_features=2, bias=true)",
        "    )",
        "  )",
        "  (norm): RMSNorm((2,), eps=0.000001)",
        "  (head): Linear(in_features=3, out_features=5, bias=false)",
        ")",
      ].join("\n"),
    );
  });

  it("to(float64) converts parameters and buffers, keeping ties", () => {
    const m = new Outer(true).to("float64");
    expect(m.parameters().every((p) => p.dtype === "float64" && p instanceof Parameter)).toBe(true);
    expect(m.head.weight).toBe(m.emb.weight);
    expect(m.buffer.dtype).toBe("float64");
    const y = m.head.forward(randn([2, 3], { dtype: "float64" }));
    expect(y.shape).toEqual([2, 5]);
  });

  it("registerBuffer: persistent buffers join the state dict and to(dtype), never parameters", () => {
    class Counter extends Module {
      lin = new Linear(2, 2);
      table = zeros([3]); // a plain tensor field: a non-persistent buffer (as RoPE's cos/sin)
      constructor() {
        super();
        this.registerBuffer("runningMean", zeros([2]));
        this.registerBuffer("steps", tensor([0], { dtype: "int32" }));
        this.registerBuffer("scratch", ones([2]), { persistent: false });
      }
    }
    const m = new Counter();
    expect(m.namedBuffers().map(([n, , p]) => [n, p])).toEqual([["table", false], ["runningMean", true], ["steps", true], ["scratch", false]]);
    expect(m.parameters().length).toBe(2);
    expect(Object.keys(m.stateDict())).toEqual(["lin.weight", "lin.bias", "runningMean", "steps"]);
    const src = new Counter();
    (src as unknown as { runningMean: Tensor }).runningMean.fill_(4);
    (src as unknown as { steps: Tensor }).steps.fill_(7);
    m.loadStateDict(src.stateDict());
    expect(m.stateDict()["runningMean"]!.toArray()).toEqual([4, 4]);
    expect(m.stateDict()["steps"]!.toArray()).toEqual([7]);
    expect(() => m.loadStateDict({ ...src.stateDict(), runningMean: zeros([3]) })).toThrow('size mismatch for "runningMean": checkpoint has [3], the model has [2]');
    m.to("float64");
    expect(m.buffers().map((b) => b.dtype)).toEqual(["float64", "float64", "int32", "float64"]);
    expect(m.stateDict()["runningMean"]!.dtype).toBe("float64");
    expect(() => m.registerBuffer("lin", zeros([1]))).toThrow('registerBuffer: Counter already has a field "lin" that is not a buffer');
    expect(() => m.registerBuffer("w", m.lin.weight)).toThrow('registerBuffer: "w" must be a plain Tensor (parameters are fields holding a Parameter)');
  });

  it("Parameter wraps a tensor as a leaf, sharing contiguous storage", () => {
    const t = randn([2, 3]);
    const p = new Parameter(t);
    expect(p.storage).toBe(t.storage);
    expect(p.isLeaf && p.requiresGrad).toBe(true);
    expect(new Parameter(t.t()).isContiguous).toBe(true);
    expect(new Parameter(t, false).requiresGrad).toBe(false);
    expect(p).toBeInstanceOf(Tensor);
  });
});
