/**
 * @file The WebAssembly binary format as kiln's assembler needs it (core spec §5): LEB128 integers,
 * value type codes, and a module of functions importing one linear memory; plus the slice of the
 * engine's JS API that compiles and runs it.
 */
import type { Func } from "./assembler.js";
import type { ValType } from "./type-stack.js";

/** A compiled module (opaque; it can be posted to workers). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A WebAssembly linear memory; shared memories expose a SharedArrayBuffer. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** The slice of the WebAssembly JS API kiln uses (typed here: the tsconfig has no "dom" lib). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The engine's WebAssembly API, or undefined when the engine has none (e.g. `--jitless`). */
export const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The binary code of each value type. */
export const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Appends the unsigned LEB128 encoding of `n` to `out`. */
export function uleb(out: number[], n: number): void {
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Appends the signed LEB128 encoding of the 32-bit integer `n` to `out`. */
export function sleb(out: number[], n: number): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function name(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
}

/** Options for the imported linear memory `env.memory`. */
export interface MemoryImport {
  initial: number;
  maximum: number;
  shared: boolean;
}

function section(out: number[], id: number, payload: number[]): void {
  out.push(id);
  uleb(out, payload.length);
  out.push(...payload);
}

/** Assembles a module importing `env.memory` and exporting every function in `funcs` by name. */
export function assemble(memory: MemoryImport, funcs: readonly Func[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, funcs.length);
  for (const f of funcs) {
    types.push(0x60);
    uleb(types, f.params.length);
    for (const p of f.params) types.push(TYPE_CODE[p]);
    uleb(types, f.results.length);
    for (const r of f.results) types.push(TYPE_CODE[r]);
  }
  section(out, 1, types);
  const imports: number[] = [1];
  name(imports, "env");
  name(imports, "memory");
  imports.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(imports, memory.initial);
  uleb(imports, memory.maximum);
  section(out, 2, imports);
  const fns: number[] = [];
  uleb(fns, funcs.length);
  funcs.forEach((_, i) => uleb(fns, i));
  section(out, 3, fns);
  const exports: number[] = [];
  uleb(exports, funcs.length);
  funcs.forEach((f, i) => {
    name(exports, f.name);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, funcs.length);
  for (const f of funcs) code.push(...f.encode());
  section(out, 10, code);
  return new Uint8Array(out);
}
