/**
 * @file The dtype table: promotion (runtime and type level must agree),
 * float results, allocation over SharedArrayBuffer, typed-array detection,
 * and the unknown-dtype error; plus the result types ops declare.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { BYTES_PER_ELEMENT, allocate, checkDType, dtypeOfArray, floatOf } from "./dtype.js";
import { DTYPES, isFloat, promoteTypes, tensor, type Arith, type DType, type FloatOf, type Promote, type Tensor } from "./index.js";

describe("DTYPES and isFloat", () => {
  it("lists every dtype in promotion order", () => {
    expect(DTYPES).toEqual(["bool", "int32", "float32", "float64"]);
  });
  it("only float32 and float64 are float", () => {
    expect(DTYPES.filter(isFloat)).toEqual(["float32", "float64"]);
  });
});

describe("promoteTypes", () => {
  const table: [DType, DType, DType][] = [
    ["bool", "bool", "bool"],
    ["bool", "int32", "int32"],
    ["bool", "float32", "float32"],
    ["bool", "float64", "float64"],
    ["int32", "int32", "int32"],
    ["int32", "float32", "float32"],
    ["int32", "float64", "float64"],
    ["float32", "float32", "float32"],
    ["float32", "float64", "float64"],
    ["float64", "float64", "float64"],
  ];
  it("follows bool < int32 < float32 < float64 and is symmetric", () => {
    for (const [a, b, r] of table) {
      expect(promoteTypes(a, b), `${a}, ${b}`).toBe(r);
      expect(promoteTypes(b, a), `${b}, ${a}`).toBe(r);
    }
  });
  it("matches what binary ops produce at runtime (arithmetic lifts bool to int32)", () => {
    for (const a of DTYPES) {
      for (const b of DTYPES) {
        const p = promoteTypes(a, b);
        expect(tensor([1], { dtype: a }).add(tensor([1], { dtype: b })).dtype).toBe(p === "bool" ? "int32" : p);
        expect(tensor([1], { dtype: a }).div(tensor([1], { dtype: b })).dtype).toBe(floatOf(p));
      }
    }
  });
  it("the Promote, FloatOf and Arith types agree with the runtime", () => {
    expectTypeOf<Promote<"bool", "bool">>().toEqualTypeOf<"bool">();
    expectTypeOf<Promote<"bool", "int32">>().toEqualTypeOf<"int32">();
    expectTypeOf<Promote<"int32", "float32">>().toEqualTypeOf<"float32">();
    expectTypeOf<Promote<"float32", "int32">>().toEqualTypeOf<"float32">();
    expectTypeOf<Promote<"float32", "float64">>().toEqualTypeOf<"float64">();
    expectTypeOf<Promote<"float64", "bool">>().toEqualTypeOf<"float64">();
    expectTypeOf<FloatOf<"int32">>().toEqualTypeOf<"float32">();
    expectTypeOf<FloatOf<"bool">>().toEqualTypeOf<"float32">();
    expectTypeOf<FloatOf<"float64">>().toEqualTypeOf<"float64">();
    expectTypeOf<Arith<"bool">>().toEqualTypeOf<"int32">();
    expectTypeOf<Arith<"float32">>().toEqualTypeOf<"float32">();
  });
  it("op signatures carry the dtype rules", () => {
    const i = tensor([1], { dtype: "int32" });
    const f = tensor([1]);
    const d = tensor([1], { dtype: "float64" });
    expectTypeOf(i.exp()).toEqualTypeOf<Tensor<"float32">>();
    expectTypeOf(d.exp()).toEqualTypeOf<Tensor<"float64">>();
    expectTypeOf(i.add(f)).toEqualTypeOf<Tensor<"float32">>();
    expectTypeOf(f.add(d)).toEqualTypeOf<Tensor<"float64">>();
    expectTypeOf(i.sum()).toEqualTypeOf<Tensor<"int32">>();
    expectTypeOf(i.mean()).toEqualTypeOf<Tensor<"float32">>();
    expectTypeOf(f.gt(0)).toEqualTypeOf<Tensor<"bool">>();
    expectTypeOf(f.argmax()).toEqualTypeOf<Tensor<"int32">>();
    expectTypeOf(f.to("float64")).toEqualTypeOf<Tensor<"float64">>();
    expectTypeOf(d.data).toEqualTypeOf<Float64Array>();
    expectTypeOf(i.data).toEqualTypeOf<Int32Array>();
    expect(i.exp().dtype).toBe("float32");
  });
});

describe("floatOf", () => {
  it("float64 stays, everything else becomes float32", () => {
    expect(DTYPES.map(floatOf)).toEqual(["float32", "float32", "float32", "float64"]);
  });
});

describe("allocate and BYTES_PER_ELEMENT", () => {
  it("gives zeroed typed arrays of the right kind over a SharedArrayBuffer", () => {
    const kinds = { bool: Uint8Array, int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;
    for (const dtype of DTYPES) {
      const a = allocate(dtype, 5);
      expect(a).toBeInstanceOf(kinds[dtype]);
      expect(a.length).toBe(5);
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(a)).toEqual([0, 0, 0, 0, 0]);
      expect(a.BYTES_PER_ELEMENT).toBe(BYTES_PER_ELEMENT[dtype]);
    }
  });
  it("size 0 works", () => {
    expect(allocate("float32", 0).length).toBe(0);
  });
});

describe("dtypeOfArray", () => {
  it("maps storage arrays to dtypes and rejects others", () => {
    expect(dtypeOfArray(new Float32Array(1))).toBe("float32");
    expect(dtypeOfArray(new Float64Array(1))).toBe("float64");
    expect(dtypeOfArray(new Int32Array(1))).toBe("int32");
    expect(dtypeOfArray(new Uint8Array(1))).toBe("bool");
    expect(dtypeOfArray(new Int16Array(1))).toBeUndefined();
    expect(dtypeOfArray([1, 2])).toBeUndefined();
  });
});

describe("checkDType", () => {
  it("passes kiln dtypes through", () => {
    for (const d of DTYPES) expect(checkDType(d, "op")).toBe(d);
  });
  it("names the caller, the bad value and the choices", () => {
    expect(() => checkDType("float16", "zeros")).toThrow('zeros: unknown dtype "float16" (expected one of bool, int32, float32, float64)');
    expect(() => checkDType(undefined, "to")).toThrow("to: unknown dtype undefined");
    expect(() => checkDType(32, "to")).toThrow("to: unknown dtype 32");
  });
});
