/**
 * @file Shape arithmetic: element counts, row-major strides, NumPy
 * broadcasting (and its error naming every shape), broadcast strides, dim
 * normalisation, and reshape's -1 inference.
 */
import { describe, expect, it } from "vitest";
import { broadcastShapes, contiguousStrides, numelOf } from "./index.js";
import { broadcastStrides, checkShape, fmtShape, inferShape, normalizeDim, normalizeDims, sameShape } from "./shape.js";

describe("numelOf / contiguousStrides / fmtShape / sameShape", () => {
  it("numel", () => {
    expect(numelOf([])).toBe(1);
    expect(numelOf([2, 3, 4])).toBe(24);
    expect(numelOf([2, 0, 4])).toBe(0);
  });
  it("row-major strides", () => {
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([5])).toEqual([1]);
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([2, 1, 3, 1, 2])).toEqual([6, 6, 2, 2, 1]);
    expect(contiguousStrides([3, 0, 2])).toEqual([0, 2, 1]);
  });
  it("fmtShape and sameShape", () => {
    expect(fmtShape([2, 3])).toBe("[2, 3]");
    expect(fmtShape([])).toBe("[]");
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2], [2, 1])).toBe(false);
    expect(sameShape([], [])).toBe(true);
  });
  it("checkShape", () => {
    expect(checkShape([2, 0], "op")).toEqual([2, 0]);
    expect(() => checkShape([2, -1], "zeros")).toThrow("zeros: shape must be a list of non-negative integers, got [2,-1]");
    expect(() => checkShape("23", "zeros")).toThrow('zeros: shape must be a list of non-negative integers, got "23"');
  });
});

describe("broadcastShapes", () => {
  it("aligns trailing dims and stretches 1s", () => {
    expect(broadcastShapes("op", [2, 1], [3])).toEqual([2, 3]);
    expect(broadcastShapes("op", [4, 1, 3], [2, 1])).toEqual([4, 2, 3]);
    expect(broadcastShapes("op", [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes("op", [])).toEqual([]);
    expect(broadcastShapes("op", [1], [1, 1, 1])).toEqual([1, 1, 1]);
    expect(broadcastShapes("op", [5, 1, 1, 2], [1, 3, 1, 1], [4, 1])).toEqual([5, 3, 4, 2]);
  });
  it("0-size dims broadcast only with 1 or 0", () => {
    expect(broadcastShapes("op", [0], [1])).toEqual([0]);
    expect(broadcastShapes("op", [2, 0], [0])).toEqual([2, 0]);
    expect(() => broadcastShapes("op", [0], [3])).toThrow("op: shapes [0] and [3] cannot be broadcast together (dim -1: 0 vs 3)");
  });
  it("names the op, every shape and the failing dim", () => {
    expect(() => broadcastShapes("add", [2, 3], [4])).toThrow("add: shapes [2, 3] and [4] cannot be broadcast together (dim -1: 3 vs 4)");
    expect(() => broadcastShapes("where", [2], [2], [3])).toThrow("where: shapes [2] and [2] and [3] cannot be broadcast together (dim -1: 2 vs 3)");
    expect(() => broadcastShapes("mul", [2, 3, 4], [5, 1, 4])).toThrow("mul: shapes [2, 3, 4] and [5, 1, 4] cannot be broadcast together (dim -3: 2 vs 5)");
  });
});

describe("broadcastStrides", () => {
  it("gives broadcast dims stride 0 and prepends leading 0s", () => {
    expect(broadcastStrides([3], [1], [2, 3])).toEqual([0, 1]);
    expect(broadcastStrides([2, 1], [1, 1], [2, 3])).toEqual([1, 0]);
    expect(broadcastStrides([1, 3], [5, 2], [4, 3])).toEqual([0, 2]);
    expect(broadcastStrides([], [], [2, 2])).toEqual([0, 0]);
  });
});

describe("normalizeDim / normalizeDims", () => {
  it("resolves negative dims", () => {
    expect(normalizeDim(-1, 3, "op")).toBe(2);
    expect(normalizeDim(-3, 3, "op")).toBe(0);
    expect(normalizeDim(1, 3, "op")).toBe(1);
  });
  it("a 0-d tensor accepts dim 0 and -1 (as torch)", () => {
    expect(normalizeDim(0, 0, "op")).toBe(0);
    expect(normalizeDim(-1, 0, "op")).toBe(0);
  });
  it("errors name the op, dim, rank and the valid range", () => {
    expect(() => normalizeDim(3, 3, "sum")).toThrow("sum: dim 3 is out of range for a tensor of rank 3 (expected -3 to 2)");
    expect(() => normalizeDim(-4, 3, "sum")).toThrow("sum: dim -4 is out of range for a tensor of rank 3 (expected -3 to 2)");
    expect(() => normalizeDim(1, 0, "sum")).toThrow("sum: dim 1 is out of range for a tensor of rank 0 (expected -1 to 0)");
    expect(() => normalizeDim(0.5, 2, "sum")).toThrow("sum: dim 0.5 is out of range");
    expect(() => normalizeDim(NaN, 2, "sum")).toThrow("sum: dim NaN is out of range");
  });
  it("normalizeDims sorts, resolves, defaults to all, and rejects repeats", () => {
    expect(normalizeDims(undefined, 3, "op")).toEqual([0, 1, 2]);
    expect(normalizeDims(-1, 3, "op")).toEqual([2]);
    expect(normalizeDims([2, 0], 3, "op")).toEqual([0, 2]);
    expect(normalizeDims([], 3, "op")).toEqual([]);
    expect(() => normalizeDims([1, -2], 3, "sum")).toThrow("sum: dims [1,-2] repeat a dim");
  });
});

describe("inferShape", () => {
  it("fills one -1", () => {
    expect(inferShape("reshape", [2, 3, 4], [-1, 4])).toEqual([6, 4]);
    expect(inferShape("reshape", [2, 3], [3, -1])).toEqual([3, 2]);
    expect(inferShape("reshape", [6], [2, 3])).toEqual([2, 3]);
    expect(inferShape("reshape", [], [-1])).toEqual([1]);
    expect(inferShape("reshape", [1], [])).toEqual([]);
  });
  it("empty shapes", () => {
    expect(inferShape("reshape", [0, 3], [-1, 3])).toEqual([0, 3]);
    expect(inferShape("reshape", [0, 3], [3, 0])).toEqual([3, 0]);
  });
  it("errors name the op and both shapes", () => {
    expect(() => inferShape("reshape", [2, 3], [4, -1])).toThrow("reshape: cannot reshape [2, 3] (6 elements) into [4, -1]");
    expect(() => inferShape("view", [2, 3], [5])).toThrow("view: cannot reshape [2, 3] (6 elements) into [5]");
    expect(() => inferShape("reshape", [2, 3], [-1, -1])).toThrow("reshape: invalid target shape [-1, -1]");
    expect(() => inferShape("reshape", [2, 3], [2, 1.5])).toThrow("reshape: invalid target shape [2, 1.5]");
  });
});
