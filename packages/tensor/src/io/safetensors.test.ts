/**
 * @file safetensors: round trips of every dtype and odd shapes (0-d,
 * empty, non-contiguous), metadata, the byte layout (8-byte aligned header,
 * sorted names, little-endian data), F16/BF16 reading from hand-built bytes,
 * an error naming the source for every kind of corrupt file, and atomic saves.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSafetensors, parseSafetensors, saveSafetensors, serializeSafetensors, tensor, zeros, type Tensor } from "../index.js";

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), "kiln-safetensors-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** safetensors bytes from a header object and raw data (header padded to 8 bytes unless `pad` is false). */
function build(header: Record<string, unknown>, data: Uint8Array = new Uint8Array(0), pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json += " ".repeat((8 - ((8 + json.length) % 8)) % 8);
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
const u16 = (...words: number[]) => {
  const b = new Uint8Array(words.length * 2);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint16(2 * i, w, true));
  return b;
};
const headerOf = (bytes: Uint8Array) => {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown> };
};
const same = (a: Tensor, b: Tensor) => {
  expect(b.dtype).toBe(a.dtype);
  expect(b.shape).toEqual(a.shape);
  expect(b.toArray()).toEqual(a.toArray());
};

describe("round trip", () => {
  it("every dtype and shapes including 0-d and empty", () => {
    const tensors: Record<string, Tensor> = {
      f32: tensor([[1.5, -2], [3.25, 1e-30]]),
      f64: tensor(0.1, { dtype: "float64" }),
      i32: tensor([-2147483648, 0, 2147483647], { dtype: "int32" }),
      bool: tensor([[true, false], [false, true]]),
      empty: zeros([0, 3]),
      scalar: tensor(7),
      high: tensor(Array.from({ length: 24 }, (_, i) => i - 12)).reshape([1, 2, 3, 4]),
    };
    const { tensors: back, metadata } = parseSafetensors(serializeSafetensors(tensors));
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) same(t, back[name]!);
    expect(metadata).toEqual({});
  });
  it("special float values survive bit-exactly", () => {
    const t = tensor([NaN, Infinity, -Infinity, -0, 3.4e38], { dtype: "float32" });
    const back = parseSafetensors(serializeSafetensors({ t })).tensors.t!;
    const a = back.toArray() as number[];
    expect(a[0]).toBeNaN();
    expect(a.slice(1, 3)).toEqual([Infinity, -Infinity]);
    expect(Object.is(a[3], -0)).toBe(true);
    expect(a[4]).toBe(Math.fround(3.4e38));
  });
  it("non-contiguous tensors are written in logical order", () => {
    const base = tensor([[1, 2, 3], [4, 5, 6]]);
    const { tensors } = parseSafetensors(serializeSafetensors({ t: base.t(), s: base.slice(1, 0, 3, 2), e: tensor([1, 2]).expand([2, 2]) }));
    expect(tensors.t!.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(tensors.s!.toArray()).toEqual([[1, 3], [4, 6]]);
    expect(tensors.e!.toArray()).toEqual([[1, 2], [1, 2]]);
  });
  it("loaded tensors are fresh contiguous tensors independent of the input bytes", () => {
    const bytes = serializeSafetensors({ a: tensor([1, 2]) });
    const t = parseSafetensors(bytes).tensors.a!;
    bytes.fill(0);
    expect(t.toArray()).toEqual([1, 2]);
    expect(t.isContiguous).toBe(true);
    expect(t.requiresGrad).toBe(false);
  });
  it("metadata round-trips", () => {
    const meta = { format: "pt", step: "1200", note: "ünïcödé ✓" };
    const { metadata, tensors } = parseSafetensors(serializeSafetensors({ w: tensor([1]) }, meta));
    expect(metadata).toEqual(meta);
    expect(Object.keys(tensors)).toEqual(["w"]);
  });
  it("no tensors at all", () => {
    const { tensors, metadata } = parseSafetensors(serializeSafetensors({}, { a: "b" }));
    expect(tensors).toEqual({});
    expect(metadata).toEqual({ a: "b" });
  });
  it("bytes that start at an odd offset inside a larger buffer", () => {
    const bytes = serializeSafetensors({ x: tensor([1.5, 2.5], { dtype: "float64" }) });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(parseSafetensors(big.subarray(3)).tensors.x!.toArray()).toEqual([1.5, 2.5]);
  });
});

describe("byte layout", () => {
  it("data starts 8-byte aligned, names sorted, offsets contiguous", () => {
    for (const name of ["a", "ab", "abc", "abcd", "abcdefg"]) {
      const bytes = serializeSafetensors({ [name]: tensor([1]), z: tensor([1, 2], { dtype: "int32" }), b: tensor([true]) });
      const { n, json } = headerOf(bytes);
      expect((8 + n) % 8).toBe(0);
      const names = Object.keys(json);
      expect(names).toEqual([...names].sort());
      expect(json.z).toEqual({ dtype: "I32", shape: [2], data_offsets: [5, 13] }); // after the 4-byte F32 and the 1-byte BOOL
    }
  });
  it("dtype codes and little-endian data", () => {
    const bytes = serializeSafetensors({ f: tensor([1]), d: tensor([1], { dtype: "float64" }), i: tensor([1], { dtype: "int32" }), b: tensor([true]) });
    const { n, json } = headerOf(bytes);
    expect(json).toEqual({
      b: { dtype: "BOOL", shape: [1], data_offsets: [0, 1] },
      d: { dtype: "F64", shape: [1], data_offsets: [1, 9] },
      f: { dtype: "F32", shape: [1], data_offsets: [9, 13] },
      i: { dtype: "I32", shape: [1], data_offsets: [13, 17] },
    });
    const data = bytes.subarray(8 + n);
    expect(Array.from(data.subarray(0, 1))).toEqual([1]);
    expect(Array.from(data.subarray(1, 9))).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(Array.from(data.subarray(9, 13))).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(data.subarray(13, 17))).toEqual([1, 0, 0, 0]);
    expect(bytes.length).toBe(8 + n + 17);
  });
  it("metadata is stored under __metadata__ and omitted when empty", () => {
    expect(headerOf(serializeSafetensors({ x: tensor([1]) }, { k: "v" })).json.__metadata__).toEqual({ k: "v" });
    expect("__metadata__" in headerOf(serializeSafetensors({ x: tensor([1]) })).json).toBe(false);
  });
  it("rejects non-tensor values", () => {
    expect(() => serializeSafetensors({ x: [1, 2] as unknown as Tensor })).toThrow('safetensors: "x" is not a Tensor');
  });
});

describe("half-precision input", () => {
  it("F16 (normal, subnormal, zero, inf, NaN) widens to float32", () => {
    // 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, 65504 = 0x7bff, 2⁻²⁴ = 0x0001, -0 = 0x8000, inf = 0x7c00, NaN = 0x7e00
    const data = u16(0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00);
    const bytes = build({ h: { dtype: "F16", shape: [2, 4], data_offsets: [0, 16] } }, data);
    const t = parseSafetensors(bytes).tensors.h!;
    expect(t.dtype).toBe("float32");
    expect(t.shape).toEqual([2, 4]);
    const v = t.toArray() as number[][];
    expect(v[0]).toEqual([1, -2, 0.5, 65504]);
    expect(v[1]![0]).toBe(2 ** -24);
    expect(Object.is(v[1]![1], -0)).toBe(true);
    expect(v[1]![2]).toBe(Infinity);
    expect(v[1]![3]).toBeNaN();
  });
  it("BF16 widens to float32", () => {
    // 1.0 = 0x3f80, -2.0 = 0xc000, 3.140625 = 0x4049, 1e-40-ish subnormal 0x0001 = 2⁻¹³³, -inf = 0xff80
    const data = u16(0x3f80, 0xc000, 0x4049, 0x0001, 0xff80);
    const bytes = build({ b: { dtype: "BF16", shape: [5], data_offsets: [0, 10] } }, data);
    const t = parseSafetensors(bytes).tensors.b!;
    expect(t.dtype).toBe("float32");
    const v = t.toArray() as number[];
    expect(v.slice(0, 3)).toEqual([1, -2, 3.140625]);
    expect(v[3]).toBe(2 ** -133);
    expect(v[4]).toBe(-Infinity);
  });
  it("an unpadded header and several tensors with gaps-free offsets", () => {
    const data = new Uint8Array([...u16(0x3c00), 1, 0, 0, 0]);
    const bytes = build({ a: { dtype: "F16", shape: [1], data_offsets: [0, 2] }, i: { dtype: "I32", shape: [], data_offsets: [2, 6] } }, data, false);
    const { tensors } = parseSafetensors(bytes);
    expect(tensors.a!.toArray()).toEqual([1]);
    expect(tensors.i!.shape).toEqual([]);
    expect(tensors.i!.item()).toBe(1);
  });
});

describe("bytes that are a window into a larger buffer (as a Node Buffer read from disk is)", () => {
  const f16 = u16(0x3c00, 0xc000, 0x3800);
  const bf16 = u16(0x3f80, 0xc000, 0x4049);
  const file = build({
    a: { dtype: "F16", shape: [3], data_offsets: [0, 6] },
    b: { dtype: "BF16", shape: [3], data_offsets: [6, 12] },
    c: { dtype: "F32", shape: [1], data_offsets: [12, 16] },
  }, new Uint8Array([...f16, ...bf16, ...new Uint8Array(new Float32Array([0.25]).buffer)]));
  const check = ({ tensors }: { tensors: Record<string, Tensor> }) => {
    expect(tensors.a!.toArray()).toEqual([1, -2, 0.5]);
    expect(tensors.b!.toArray()).toEqual([1, -2, 3.140625]);
    expect(tensors.c!.toArray()).toEqual([0.25]);
  };
  it("F16/BF16/F32 at an odd byte offset inside a bigger ArrayBuffer", () => {
    const big = new Uint8Array(file.length + 101).fill(0xff);
    big.set(file, 37);
    check(parseSafetensors(big.subarray(37, 37 + file.length)));
  });
  it("F16/BF16/F32 from a file on disk through loadSafetensors", () => {
    const path = join(freshDir(), "half.safetensors");
    writeFileSync(path, file);
    check(loadSafetensors(path));
    check(parseSafetensors(Buffer.concat([Buffer.alloc(3), readFileSync(path)]).subarray(3)));
  });
});

describe("corrupt input: every error names the source", () => {
  const src = "model.safetensors";
  const good = serializeSafetensors({ w: tensor([1, 2, 3]) });
  const expectBad = (bytes: Uint8Array, why: RegExp | string) => {
    let message = "";
    try {
      parseSafetensors(bytes, src);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.startsWith(`${src}: not a valid safetensors file: `), message || "did not throw").toBe(true);
    if (typeof why === "string") expect(message).toContain(why);
    else expect(message).toMatch(why);
  };
  it("truncated below the 8-byte length", () => {
    expectBad(new Uint8Array(4), "only 4 bytes, too short for the 8-byte header length (truncated?)");
    expectBad(new Uint8Array(0), "only 0 bytes");
  });
  it("header length beyond the file", () => {
    expectBad(good.subarray(0, 20), /header length \d+ exceeds the file size 20/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 62n, true);
    expectBad(huge, "exceeds the file size 16");
  });
  it("truncated data section", () => {
    expectBad(good.subarray(0, good.length - 4), 'tensor "w" ends at byte 12 but the data section has only 8 bytes (truncated?)');
  });
  it("bad JSON and non-object headers", () => {
    expectBad(build({}).fill(0x7b, 8), "header is not JSON");
    const arr = new TextEncoder().encode("[1,2]   ");
    const bytes = new Uint8Array(8 + arr.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(arr.length), true);
    bytes.set(arr, 8);
    expectBad(bytes, "header is not a JSON object");
  });
  it("unknown dtype", () => {
    expectBad(build({ x: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), 'tensor "x" has unsupported dtype "I64"');
    expectBad(build({ x: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), 'tensor "x" has unsupported dtype undefined');
  });
  it("invalid shape", () => {
    expectBad(build({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), 'tensor "x" has an invalid shape [-1]');
    expectBad(build({ x: { dtype: "F32", shape: "2", data_offsets: [0, 8] } }, new Uint8Array(8)), 'tensor "x" has an invalid shape "2"');
  });
  it("invalid data_offsets", () => {
    expectBad(build({ x: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)), 'tensor "x" has invalid data_offsets [4,0]');
    expectBad(build({ x: { dtype: "F32", shape: [1], data_offsets: [0] } }, new Uint8Array(4)), 'tensor "x" has invalid data_offsets [0]');
  });
  it("byte span that does not match dtype × shape", () => {
    expectBad(
      build({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      'tensor "x" of shape [3] needs 12 bytes but data_offsets span 8',
    );
  });
  it("data_offsets past the end of the data", () => {
    expectBad(
      build({ x: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, new Uint8Array(8)),
      'tensor "x" ends at byte 12 but the data section has only 8 bytes',
    );
  });
  it("trailing bytes not covered by any tensor", () => {
    expectBad(build({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), "tensors cover 4 bytes but the data section has 8");
  });
  it("overlapping tensors", () => {
    // two 4-byte tensors both at [0, 4] over 8 bytes: the lengths add up, the ranges do not
    const bytes = build(
      { a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [0, 4] } },
      new Uint8Array(8),
    );
    expect(() => parseSafetensors(bytes, src)).toThrow(/^model\.safetensors: not a valid safetensors file: /);
  });
  it("__metadata__ that is not a string → string object", () => {
    expectBad(build({ __metadata__: ["a"] }), "__metadata__ must be an object of string → string, got an array");
    expectBad(build({ __metadata__: "x" }), '__metadata__ must be an object of string → string, got "x"');
    expectBad(build({ __metadata__: { format: "pt", nested: { a: 1 } } }), '__metadata__["nested"] must be a string, got {"a":1}');
    expectBad(build({ __metadata__: { n: 3 } }), '__metadata__["n"] must be a string, got 3');
  });
  it("the default source name is used when none is given", () => {
    expect(() => parseSafetensors(new Uint8Array(3))).toThrow(/^safetensors data: not a valid safetensors file/);
  });
});

describe("files", () => {
  it("save then load round-trips, creating parent directories", () => {
    const dir = freshDir();
    const path = join(dir, "nested", "deeper", "ckpt.safetensors");
    const w = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    saveSafetensors(path, { w, step: tensor(5, { dtype: "int32" }) }, { epoch: "3" });
    const { tensors, metadata } = loadSafetensors(path);
    same(w, tensors.w!);
    expect(tensors.step!.item()).toBe(5);
    expect(metadata).toEqual({ epoch: "3" });
    expect(readFileSync(path)).toEqual(Buffer.from(serializeSafetensors({ w, step: tensor(5, { dtype: "int32" }) }, { epoch: "3" })));
  });
  it("save is atomic: no temporary file is left behind, and overwriting replaces the file", () => {
    const dir = freshDir();
    const path = join(dir, "model.safetensors");
    saveSafetensors(path, { a: tensor([1]) });
    saveSafetensors(path, { a: tensor([2, 3]) });
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
    expect(loadSafetensors(path).tensors.a!.toArray()).toEqual([2, 3]);
  });
  it("a failed save leaves the previous file intact and no temporary file", () => {
    const dir = freshDir();
    const path = join(dir, "model.safetensors");
    saveSafetensors(path, { a: tensor([1]) });
    expect(() => saveSafetensors(path, { a: "oops" as unknown as Tensor })).toThrow('safetensors: "a" is not a Tensor');
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
    expect(loadSafetensors(path).tensors.a!.toArray()).toEqual([1]);
  });
  it("load errors name the path", () => {
    const dir = freshDir();
    const missing = join(dir, "missing.safetensors");
    expect(() => loadSafetensors(missing)).toThrow(`${missing}: cannot read safetensors file (ENOENT)`);
    const truncated = join(dir, "truncated.safetensors");
    writeFileSync(truncated, serializeSafetensors({ w: tensor([1, 2, 3]) }).subarray(0, 30));
    expect(() => loadSafetensors(truncated)).toThrow(new RegExp(`^${truncated.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not a valid safetensors file`));
    const sub = join(dir, "adir");
    mkdirSync(sub);
    expect(() => loadSafetensors(sub)).toThrow(`${sub}: cannot read safetensors file (EISDIR)`);
  });
});
