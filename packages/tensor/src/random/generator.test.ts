/**
 * @file The seeded generator: determinism, ranges of each draw, normal
 * statistics, exact save/restore (including a pending Box–Muller spare),
 * clone independence, and validation of seeds, bounds and states.
 */
import { describe, expect, it } from "vitest";
import { Generator, defaultGenerator, manualSeed, type GeneratorState } from "../index.js";

const draw = (g: Generator, n: number, f: (g: Generator) => number) => Array.from({ length: n }, () => f(g));

describe("seeding", () => {
  it("the same seed gives the same stream", () => {
    expect(draw(new Generator(42), 20, (g) => g.nextUint32())).toEqual(draw(new Generator(42), 20, (g) => g.nextUint32()));
    expect(draw(new Generator(42), 20, (g) => g.normal())).toEqual(draw(new Generator(42), 20, (g) => g.normal()));
  });
  it("nearby and large seeds give different streams", () => {
    const seeds = [-2, -1, 0, 1, 2, 3, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER];
    const firstSeedOf = new Map<string, number>();
    const collisions: string[] = [];
    for (const s of seeds) {
      const stream = draw(new Generator(s), 4, (g) => g.nextUint32()).join(",");
      const prev = firstSeedOf.get(stream);
      if (prev === undefined) firstSeedOf.set(stream, s);
      else collisions.push(`seed ${s} repeats seed ${prev}`);
    }
    expect(collisions).toEqual([]);
  });
  it("manualSeed restarts the stream and drops a pending spare normal", () => {
    const g = new Generator(5);
    const first = draw(g, 3, (x) => x.normal()); // leaves a spare
    g.manualSeed(5);
    expect(draw(g, 3, (x) => x.normal())).toEqual(first);
    expect(g.manualSeed(6)).toBe(g);
  });
  it("the default seed is 0", () => {
    expect(draw(new Generator(), 5, (g) => g.nextUint32())).toEqual(draw(new Generator(0), 5, (g) => g.nextUint32()));
  });
  it("module-level manualSeed seeds the default generator and returns it", () => {
    expect(manualSeed(11)).toBe(defaultGenerator);
    const a = draw(defaultGenerator, 5, (g) => g.random());
    manualSeed(11);
    expect(draw(defaultGenerator, 5, (g) => g.random())).toEqual(a);
    expect(a).toEqual(draw(new Generator(11), 5, (g) => g.random()));
  });
  it("rejects seeds that are not safe integers", () => {
    expect(() => new Generator(1.5)).toThrow("Generator.manualSeed: seed must be a safe integer, got 1.5");
    expect(() => new Generator(2 ** 60)).toThrow("Generator.manualSeed: seed must be a safe integer");
    expect(() => new Generator(NaN)).toThrow("seed must be a safe integer, got NaN");
  });
});

describe("draws", () => {
  it("nextUint32 covers [0, 2³²) as unsigned integers", () => {
    const v = draw(new Generator(1), 5000, (g) => g.nextUint32());
    for (const x of v) {
      expect(Number.isInteger(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(2 ** 32);
    }
    expect(v.some((x) => x >= 2 ** 31)).toBe(true); // the top bit is used
    expect(new Set(v).size).toBeGreaterThan(4990);
  });
  it("random is in [0, 1) with mean ≈ ½ and uses more than 32 bits", () => {
    const v = draw(new Generator(2), 10_000, (g) => g.random());
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThan(1);
    expect(Math.abs(v.reduce((a, b) => a + b, 0) / v.length - 0.5)).toBeLessThan(0.015);
    expect(v.some((x) => !Number.isInteger(x * 2 ** 32))).toBe(true);
  });
  it("randint stays in [low, high) and hits every value", () => {
    const g = new Generator(3);
    const v = draw(g, 3000, (x) => x.randint(-5, 5));
    expect(Math.min(...v)).toBe(-5);
    expect(Math.max(...v)).toBe(4);
    expect(new Set(v).size).toBe(10);
    expect(draw(g, 10, (x) => x.randint(7, 8))).toEqual(new Array<number>(10).fill(7));
    const big = draw(g, 1000, (x) => x.randint(0, 2 ** 40));
    for (const x of big) expect(x >= 0 && x < 2 ** 40 && Number.isInteger(x)).toBe(true);
    expect(big.some((x) => x >= 2 ** 32)).toBe(true);
  });
  it("randint rejects empty or fractional ranges", () => {
    const g = new Generator(0);
    expect(() => g.randint(3, 3)).toThrow("Generator.randint: need integers low < high, got [3, 3)");
    expect(() => g.randint(5, 1)).toThrow("Generator.randint: need integers low < high, got [5, 1)");
    expect(() => g.randint(0, 1.5)).toThrow("Generator.randint: need integers low < high, got [0, 1.5)");
  });
  it("normal: mean ≈ 0, std ≈ 1, symmetric, finite", () => {
    const v = draw(new Generator(4), 10_000, (g) => g.normal());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.04);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    expect(v.every(Number.isFinite)).toBe(true);
    const neg = v.filter((x) => x < 0).length / v.length;
    expect(Math.abs(neg - 0.5)).toBeLessThan(0.02);
  });
});

describe("getState / setState", () => {
  it("round trip continues identically", () => {
    const g = new Generator(9);
    draw(g, 7, (x) => x.random());
    const state = g.getState();
    const expected = [...draw(g, 5, (x) => x.nextUint32()), ...draw(g, 5, (x) => x.normal()), g.randint(0, 100)];
    const h = new Generator(12345).setState(state);
    expect([...draw(h, 5, (x) => x.nextUint32()), ...draw(h, 5, (x) => x.normal()), h.randint(0, 100)]).toEqual(expected);
  });
  it("a pending Box–Muller spare is saved and restored", () => {
    const g = new Generator(10);
    g.normal(); // draws a pair, keeps the second
    const state = g.getState();
    expect(state.spareNormal).not.toBeNull();
    const next = draw(g, 5, (x) => x.normal());
    expect(next[0]).toBe(state.spareNormal);
    const h = new Generator(0).setState(state);
    expect(draw(h, 5, (x) => x.normal())).toEqual(next);
  });
  it("a state without a spare restores without one", () => {
    const g = new Generator(10);
    g.normal();
    g.normal(); // spare consumed
    const state = g.getState();
    expect(state.spareNormal).toBeNull();
    const h = new Generator(0).setState({ ...state, spareNormal: 0.123 });
    const k = new Generator(0).setState(state);
    expect(h.normal()).toBe(0.123);
    expect(k.normal()).toBe(g.normal());
  });
  it("the state is JSON-serialisable", () => {
    const g = new Generator(77);
    g.normal();
    const json = JSON.stringify(g.getState());
    const h = new Generator().setState(JSON.parse(json) as GeneratorState);
    expect(draw(h, 6, (x) => x.normal())).toEqual(draw(g, 6, (x) => x.normal()));
    expect(JSON.parse(json).algorithm).toBe("xoshiro128**");
  });
  it("getState returns a copy", () => {
    const g = new Generator(1);
    const s = g.getState();
    s.s[0] = 0;
    s.s[1] = 0;
    expect(g.getState().s).not.toEqual(s.s);
    const h = new Generator(1);
    expect(g.nextUint32()).toBe(h.nextUint32());
  });
  it("accepts signed 32-bit words (as produced by `| 0` arithmetic)", () => {
    const g = new Generator(3);
    const s = g.getState();
    const signed: GeneratorState = { ...s, s: s.s.map((w) => w | 0) as GeneratorState["s"] };
    expect(new Generator().setState(signed).nextUint32()).toBe(g.nextUint32());
  });
  it("rejects invalid states", () => {
    const g = new Generator(0);
    expect(() => g.setState({ algorithm: "mt19937", s: [1, 2, 3, 4], spareNormal: null } as unknown as GeneratorState)).toThrow(
      "Generator.setState: not a xoshiro128** state:",
    );
    expect(() => g.setState({ algorithm: "xoshiro128**", s: [1, 2, 3], spareNormal: null } as unknown as GeneratorState)).toThrow(
      'Generator.setState: not a xoshiro128** state: {"algorithm":"xoshiro128**","s":[1,2,3],"spareNormal":null}',
    );
    expect(() => g.setState({ algorithm: "xoshiro128**", s: [1, 2, 3, 0.5], spareNormal: null })).toThrow("not a xoshiro128** state");
    expect(() => g.setState(null as unknown as GeneratorState)).toThrow("Generator.setState: not a xoshiro128** state: null");
    expect(() => g.setState({ algorithm: "xoshiro128**", s: [0, 0, 0, 0], spareNormal: null })).toThrow(
      "Generator.setState: the all-zero state is invalid",
    );
    expect(() => g.setState({ algorithm: "xoshiro128**", s: [0, 2 ** 32, 0, 0], spareNormal: null })).toThrow("the all-zero state is invalid");
  });
  it("a rejected state leaves the generator unchanged", () => {
    const g = new Generator(8);
    const h = new Generator(8);
    expect(() => g.setState({ algorithm: "xoshiro128**", s: [0, 0, 0, 0], spareNormal: null })).toThrow();
    expect(g.nextUint32()).toBe(h.nextUint32());
  });
});

describe("clone", () => {
  it("starts from the same state, including a pending spare", () => {
    const g = new Generator(21);
    g.normal();
    const c = g.clone();
    expect(draw(c, 5, (x) => x.normal())).toEqual(draw(g, 5, (x) => x.normal()));
  });
  it("is independent of the original", () => {
    const g = new Generator(22);
    const c = g.clone();
    const ref = new Generator(22);
    draw(c, 100, (x) => x.random()); // advancing the clone ...
    expect(draw(g, 5, (x) => x.random())).toEqual(draw(ref, 5, (x) => x.random())); // ... does not move the original
    g.manualSeed(1);
    expect(c.getState()).not.toEqual(g.getState());
  });
});
