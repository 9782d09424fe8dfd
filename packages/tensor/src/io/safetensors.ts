/**
 * @file safetensors read/write (huggingface/safetensors format: an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw little-endian data). Reading validates
 * every field and names the file and tensor on error; writing is atomic.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.js";
import { BYTES_PER_ELEMENT, type DType } from "../dtype.js";
import { fmtShape, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";

const CODES: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
/** Storage formats we read but convert on load (half precision → float32). */
const WIDENED: Record<string, [DType, number]> = { F16: ["float32", 2], BF16: ["float32", 2] };
const MAX_HEADER = 100_000_000;

/** Tensors by name plus the optional string→string `__metadata__`. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Serialises named tensors (and string metadata) to safetensors bytes. */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name]!;
    if (!(t instanceof Tensor)) throw new TypeError(`safetensors: "${name}" is not a Tensor`);
    const bytes = t.numel * BYTES_PER_ELEMENT[t.dtype];
    header[name] = { dtype: CODES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // pad so data starts 8-byte aligned
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors[name]!.contiguous().data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

function halfToFloat(bits: number, bf16: boolean): number {
  if (bf16) {
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, bits << 16);
    return view.getFloat32(0);
  }
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** The `__metadata__` entry: absent, or a JSON object whose values are all strings (as the format and HF's reader require). */
function checkMetadata(value: unknown, bad: (why: string) => Error): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw bad(`__metadata__ must be an object of string → string, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw bad(`__metadata__["${key}"] must be a string, got ${JSON.stringify(v)?.slice(0, 60)}`);
  }
  return value as Record<string, string>;
}

/** Parses safetensors bytes; `source` (e.g. the file path) is named in errors. */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors data"): SafetensorsContents {
  const bad = (why: string) => new Error(`${source}: not a valid safetensors file: ${why}`);
  if (bytes.length < 8) throw bad(`only ${bytes.length} bytes, too short for the 8-byte header length (truncated?)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length) throw bad(`header length ${n} exceeds the file size ${bytes.length} (truncated or corrupt)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString("utf8")) as Record<string, unknown>;
  } catch (e) {
    throw bad(`header is not JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw bad("header is not a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata = checkMetadata(header.__metadata__, bad);
  const tensors: Record<string, Tensor> = {};
  const spans: [number, number, string][] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype: code, shape, data_offsets: offsets } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = (Object.keys(CODES) as DType[]).find((d) => CODES[d] === code);
    const widened = typeof code === "string" ? WIDENED[code] : undefined;
    if (dtype === undefined && widened === undefined) throw bad(`tensor "${name}" has unsupported dtype ${JSON.stringify(code)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const width = widened ? widened[1] : BYTES_PER_ELEMENT[dtype!];
    const count = numelOf(shape);
    if (end - begin !== count * width) {
      throw bad(`tensor "${name}" of shape ${fmtShape(shape)} needs ${count * width} bytes but data_offsets span ${end - begin}`);
    }
    if (end > dataLength) throw bad(`tensor "${name}" ends at byte ${end} but the data section has only ${dataLength} bytes (truncated?)`);
    spans.push([begin, end, name]);
    // NOTE: a view, not a copy (Buffer#slice shares memory): a Node Buffer is a window into a larger pool or the
    // whole file, so every typed view of it must carry its byteOffset.
    const raw = bytes.subarray(dataStart + begin, dataStart + end);
    const t = Tensor.empty(widened ? widened[0] : dtype!, shape);
    if (widened) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let i = 0; i < count; i++) t.storage.data[i] = halfToFloat(view.getUint16(2 * i, true), code === "BF16");
    } else {
      new Uint8Array(t.storage.data.buffer, t.storage.data.byteOffset, raw.length).set(raw);
    }
    tensors[name] = t;
  }
  // byte ranges must tile the data section exactly: no overlap, no gap (as the reference library requires)
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== at) throw bad(`tensor "${name}" starts at byte ${begin}, expected ${at} (ranges overlap or leave a gap)`);
    at = end;
  }
  if (at !== dataLength) throw bad(`tensors cover ${at} bytes but the data section has ${dataLength}`);
  return { tensors, metadata };
}

/** Writes named tensors to `path` atomically (a temporary file, then rename). */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/** Reads a safetensors file; errors name the file and the offending tensor. */
export function loadSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSafetensors(bytes, path);
}
