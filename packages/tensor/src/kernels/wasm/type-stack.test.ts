/**
 * @file Tests of the assembler's emit-time type checking: each class of mistake is a one-line error
 * naming the function and instruction when the instruction is emitted; named calls and the
 * addressing helper emit code that runs.
 */
import { describe, expect, it } from "vitest";
import { assemble, Func, link, type Local, wasmApi } from "./assembler.js";

const packT = () => new Func("packT", { dst: "i32", src: "i32", rs: "i32", n: "i32", hs: "i32", scale: "f32" });
const lib = link({ packT: packT() });

/** Instantiates `funcs` over a fresh one-page memory; returns the exports. */
function run(funcs: Func[]): Record<string, (...a: number[]) => number> | undefined {
  if (wasmApi === undefined) return undefined;
  const memory = new wasmApi.Memory({ initial: 1, maximum: 1, shared: true });
  const bytes = assemble({ initial: 1, maximum: 1, shared: true }, funcs);
  return new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
}

describe("type stack", () => {
  it("rejects an operand of the wrong type, listing what is on the stack", () => {
    const f = new Func("attnFwd", []).f32(1).i32(2);
    expect(() => f.i32Add()).toThrow(/^attnFwd: i32\.add: expected i32, i32 on the stack, found f32, i32$/);
    expect(() => new Func("k", []).i32(1).f32x4Add()).toThrow("k: f32x4.add: expected v128, v128 on the stack, found i32");
    expect(() => new Func("k", []).i32(0).f32(1).f32Store().i32(0).f32(1).i32Store()).toThrow("k: i32.store: expected i32, i32 on the stack, found i32, f32");
  });

  it("checks locals against their declared types", () => {
    const f = new Func("k", ["f32"]);
    const i = f.local("i32");
    expect(() => f.f32(1).set(i)).toThrow("k: local.set: expected i32 on the stack, found f32");
    const foreign: Local<"i32"> = { index: 0, type: "i32" };
    expect(() => f.get(foreign)).toThrow("k: local.get: local 0 is f32 here, the handle says i32 (a local of another function?)");
  });

  it("checks call arguments against the callee's signature", () => {
    const f = new Func("attnFwd", []).i32(0).i32(0).i32(0).f32(2).i32(0).f32(1);
    expect(() => f.call(lib.packT)).toThrow(/^attnFwd: call packT: argument 3 \(n\) is f32, expected i32$/);
    const g = new Func("attnFwd", []).i32(0).i32(0).i32(0).i32(0).f32(1);
    expect(() => g.call(lib.packT)).toThrow("attnFwd: call packT: expected 6 arguments on the stack, found 5");
    const untyped = link({ packT: packT() as Func });
    expect(() => new Func("k", []).call(untyped.packT, { dst: 0, src: 0, rs: 0, n: 0, hs: 0 })).toThrow("k: call packT: missing argument 5 (scale)");
    expect(() => new Func("k", []).call(untyped.packT, { dst: 0, src: 0, rs: 0, n: 0, hs: 0, scale: 1, ds: 0 })).toThrow("k: call packT: packT has no parameter ds");
  });

  it("checks each named argument pushes exactly one value of its type", () => {
    const f = new Func("k", []);
    const args = { dst: 0, src: 0, rs: 0, n: 0, hs: 0, scale: 1 };
    expect(() => f.call(lib.packT, { ...args, n: (g) => g.f32(4) })).toThrow("k: call packT: argument 3 (n) is f32, expected i32");
    expect(() => new Func("k", []).call(lib.packT, { ...args, hs: (g) => g.i32(1).i32(2) })).toThrow("k: call packT: argument 4 (hs) pushed 2 values, expected one i32");
    const h = new Func("k", ["f32"]);
    const wrong = h.param<"f32">(0) as unknown as Local<"i32">; // what a cast or an untyped callee would let through
    expect(() => h.call(lib.packT, { ...args, rs: wrong })).toThrow("k: call packT: argument 2 (rs) is f32, expected i32");
  });

  it("checks the stack height and result type at the end of each block", () => {
    expect(() => new Func("k", []).block((g) => g.i32(1))).toThrow("k: end of block: expected nothing on the stack, found i32");
    expect(() => new Func("k", []).loop((g) => g.f32(1), "i32")).toThrow("k: end of loop: expected i32 on the stack, found f32");
    expect(() => new Func("k", []).i32(1).if((g) => g.i32(2), (g) => g.i32(3).i32(4), "i32")).toThrow("k: end of if: expected i32 on the stack, found i32, i32");
    expect(() => new Func("k", []).i32(1).if((g) => g.i32(2), undefined, "i32")).toThrow("k: end of if: an if without else cannot produce i32");
    // a block sees only what it pushed itself
    expect(() => new Func("k", []).i32(1).block((g) => g.i32Eqz().drop())).toThrow("k: i32.eqz: expected i32 on the stack, found nothing");
  });

  it("checks the function's results when it is encoded", () => {
    expect(() => new Func("k", [], ["i32"]).f32(1).encode()).toThrow("k: end of function: expected i32 on the stack, found f32");
    expect(() => new Func("k", []).i32(1).encode()).toThrow("k: end of function: expected nothing on the stack, found i32");
  });

  it("checks branch targets and labels; code after br is unreachable", () => {
    expect(() => new Func("k", []).block((g) => g.br(1))).toThrow("k: br 1: no enclosing block at depth 1 (1 open)");
    expect(() => new Func("k", []).block((g) => g.f32(1).brIf(0))).toThrow("k: br_if 0: expected i32 on the stack, found f32");
    expect(() => new Func("k", []).block((g) => g.f32(1).br(0), "i32")).toThrow("k: br 0: expected i32 on the stack, found f32");
    // after br the stack is polymorphic: i32.add needs no operands and the block's i32 result is satisfied
    expect(() => new Func("k", [], ["i32"]).block((g) => g.i32(7).br(0).i32Add(), "i32").encode()).not.toThrow();
    expect(() => new Func("k", []).f32(1).i32(1).i32(0).select()).toThrow("k: select: expected i32, i32 on the stack, found f32, i32");
  });
});

describe("named calls and addresses", () => {
  it("passes named arguments in the callee's parameter order", () => {
    const sub = new Func("sub", { a: "i32", b: "i32" }, ["i32"]);
    sub.get(sub.args.a).get(sub.args.b).i32Sub();
    const callees = link({ sub });
    const f = new Func("caller", ["i32"], ["i32"]);
    f.call(callees.sub, { b: 3, a: f.param(0) });
    expect(run([sub, f])?.["caller"]!(10)).toBe(7);
  });

  it("addr computes base + Σ products of locals, constants and emitters", () => {
    const f = new Func("addr", { base: "i32", i: "i32", j: "i32", s: "i32" }, ["i32"]);
    const { base, i, j, s } = f.args;
    f.addr(base, [i, s, 4], [(g) => g.get(j).i32(1).i32Add(), 12], j);
    const hand = new Func("addr", { base: "i32", i: "i32", j: "i32", s: "i32" }, ["i32"]);
    hand.get(base).get(i).get(s).i32Mul().i32(4).i32Mul().i32Add().get(j).i32(1).i32Add().i32(12).i32Mul().i32Add().get(j).i32Add();
    expect(f.code).toEqual(hand.code);
    const fn = run([f])?.["addr"];
    if (fn === undefined) return;
    for (const [b, x, y, st] of [[0, 0, 0, 0], [1000, 3, 5, 7], [64, 31, 2, 128]] as const) {
      expect(fn(b, x, y, st)).toBe(b + x * st * 4 + (y + 1) * 12 + y);
    }
  });

  it("checks each operand of addr and for pushes one i32", () => {
    const f = new Func("k", { base: "i32" });
    expect(() => f.addr(f.args.base, [(g) => g.f32(2), 4])).toThrow("k: i32 operand: pushed f32, expected one i32");
    expect(() => new Func("k", []).addr(0, (g) => g.i32(1).i32(2))).toThrow("k: i32 operand: pushed 2 values, expected one i32");
  });

  it("for takes locals and constants as bounds", () => {
    const f = new Func("sum", { n: "i32" }, ["i32"]);
    const [k, acc] = f.locals("i32", 2);
    f.for(k, 0, f.args.n, 2, (g) => g.get(acc).get(k).i32Add().set(acc));
    f.get(acc);
    expect(run([f])?.["sum"]!(9)).toBe(0 + 2 + 4 + 6 + 8);
  });
});
