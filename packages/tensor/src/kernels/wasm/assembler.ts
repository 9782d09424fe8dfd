/**
 * @file A tiny typed WebAssembly assembler: just enough opcodes (i32 maths, loops, scalar and
 * SIMD128 loads/stores, f32x4/f64x2 arithmetic, lane shuffles and masks, i32x4 bit tricks, f32/f64
 * scalars) to emit kiln's kernels at run time from TypeScript, so no binary blob or toolchain is
 * needed. Encoding follows the WebAssembly core spec §5.
 */

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

/** A WebAssembly value type. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";

/** A typed handle to a parameter or local of one function. */
export interface Local<T extends ValType = ValType> {
  readonly index: number;
  readonly type: T;
}

/** A tuple of `N` elements of type `T` (so destructured locals need no `!`). */
export type Tuple<T, N extends number, R extends T[] = []> = R["length"] extends N ? R : Tuple<T, N, [T, ...R]>;

const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };
const SIMD = 0xfd;

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

/** Builds the body of one function; every instruction method returns `this` so code chains. */
export class Func {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  /** Declares a function `name(params) -> results`, exported under `name`. */
  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** The handle of parameter `i`. */
  param<T extends ValType = "i32">(i: number): Local<T> {
    const type = this.params[i];
    if (type === undefined) throw new Error(`assembler: ${this.name} has no parameter ${i}`);
    return { index: i, type: type as T };
  }

  /** The handles of the first `n` parameters, which must all be i32. */
  i32Params<N extends number>(n: N): Tuple<Local<"i32">, N> {
    const out = Array.from({ length: n }, (_, i) => this.param<"i32">(i));
    if (out.some((l) => l.type !== "i32")) throw new Error(`assembler: ${this.name} has non-i32 parameters`);
    return out as Tuple<Local<"i32">, N>;
  }

  /** Declares `n` new locals of type `type`. */
  locals<T extends ValType, N extends number>(type: T, n: N): Tuple<Local<T>, N> {
    return Array.from({ length: n }, () => this.local(type)) as Tuple<Local<T>, N>;
  }

  /** Declares a new local of type `type`. */
  local<T extends ValType>(type: T): Local<T> {
    this.localTypes.push(type);
    return { index: this.params.length + this.localTypes.length - 1, type };
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...imm: number[]): this {
    this.code.push(SIMD);
    uleb(this.code, opcode);
    this.code.push(...imm);
    return this;
  }

  private mem(opcode: number, align: number, offset: number, simd = false): this {
    if (simd) this.simd(opcode);
    else this.code.push(opcode);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  // --- variables and constants
  get(l: Local): this { this.code.push(0x20); uleb(this.code, l.index); return this; }
  set(l: Local): this { this.code.push(0x21); uleb(this.code, l.index); return this; }
  tee(l: Local): this { this.code.push(0x22); uleb(this.code, l.index); return this; }
  i32(n: number): this { this.code.push(0x41); sleb(this.code, n); return this; }
  f32(x: number): this {
    this.code.push(0x43, ...new Uint8Array(new Float32Array([x]).buffer));
    return this;
  }
  /** `v128.const 0`. */
  v128Zero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  /** `v128.const` of four f32 lanes (one value splats to all four). */
  f32x4Const(...lanes: number[]): this { return this.simd(0x0c, ...new Uint8Array(new Float32Array(lanes.length === 1 ? [lanes[0]!, lanes[0]!, lanes[0]!, lanes[0]!] : lanes).buffer)); }
  /** `v128.const` of four i32 lanes (one value splats to all four). */
  i32x4Const(...lanes: number[]): this { return this.simd(0x0c, ...new Uint8Array(new Int32Array(lanes.length === 1 ? [lanes[0]!, lanes[0]!, lanes[0]!, lanes[0]!] : lanes).buffer)); }
  drop(): this { return this.op(0x1a); }
  select(): this { return this.op(0x1b); }

  // --- i32 arithmetic and comparisons
  i32Eqz(): this { return this.op(0x45); }
  i32Eq(): this { return this.op(0x46); }
  i32Ne(): this { return this.op(0x47); }
  i32LtS(): this { return this.op(0x48); }
  i32LtU(): this { return this.op(0x49); }
  i32GtS(): this { return this.op(0x4a); }
  i32LeS(): this { return this.op(0x4c); }
  i32GeS(): this { return this.op(0x4e); }
  i32GeU(): this { return this.op(0x4f); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32And(): this { return this.op(0x71); }
  i32Or(): this { return this.op(0x72); }
  i32Shl(): this { return this.op(0x74); }
  i32ShrS(): this { return this.op(0x75); }
  i32ShrU(): this { return this.op(0x76); }
  i32DivU(): this { return this.op(0x6e); }
  i32RemU(): this { return this.op(0x70); }

  i32Load(offset = 0): this { return this.mem(0x28, 2, offset); }
  i32Store(offset = 0): this { return this.mem(0x36, 2, offset); }

  // --- scalar floats
  f32Load(offset = 0): this { return this.mem(0x2a, 2, offset); }
  f32Store(offset = 0): this { return this.mem(0x38, 2, offset); }
  f64Load(offset = 0): this { return this.mem(0x2b, 3, offset); }
  f64Store(offset = 0): this { return this.mem(0x39, 3, offset); }
  f32Add(): this { return this.op(0x92); }
  f32Sub(): this { return this.op(0x93); }
  f32Mul(): this { return this.op(0x94); }
  f32Div(): this { return this.op(0x95); }
  f32Max(): this { return this.op(0x97); }
  f32Ne(): this { return this.op(0x5c); }
  f32ReinterpretI32(): this { return this.op(0xbe); }
  f32DemoteF64(): this { return this.op(0xb6); }
  i32ReinterpretF32(): this { return this.op(0xbc); }
  f64(x: number): this {
    this.code.push(0x44, ...new Uint8Array(new Float64Array([x]).buffer));
    return this;
  }
  f64Add(): this { return this.op(0xa0); }
  f64Sub(): this { return this.op(0xa1); }
  f64Mul(): this { return this.op(0xa2); }
  f64Div(): this { return this.op(0xa3); }
  f64PromoteF32(): this { return this.op(0xbb); }
  f64Sqrt(): this { return this.op(0x9f); }
  f64ConvertI32S(): this { return this.op(0xb7); }

  // --- SIMD128 (alignment hints are 0: tensors give no 16-byte alignment guarantee)
  v128Load(offset = 0): this { return this.mem(0x00, 0, offset, true); }
  v128Store(offset = 0): this { return this.mem(0x0b, 0, offset, true); }
  v128Load32Splat(offset = 0): this { return this.mem(0x09, 0, offset, true); }
  v128Load64Splat(offset = 0): this { return this.mem(0x0a, 0, offset, true); }
  f32x4Splat(): this { return this.simd(0x13); }
  f64x2Splat(): this { return this.simd(0x14); }
  /** `i8x16.shuffle` of two vectors by f32 lanes: lane i of the result is lane `lanes[i]` of (a ‖ b). */
  f32x4Shuffle(...lanes: [number, number, number, number]): this {
    return this.simd(0x0d, ...lanes.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]));
  }
  i32x4Splat(): this { return this.simd(0x11); }
  f32x4ExtractLane(lane: number): this { return this.simd(0x1f, lane); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  f32x4Div(): this { return this.simd(0xe7); }
  /** Pseudo-minimum `b < a ? b : a`: one x86 `minps` (`f32x4.min`, with NaN and −0 rules, costs several). */
  f32x4Pmin(): this { return this.simd(0xea); }
  /** Pseudo-maximum `a < b ? b : a`. */
  f32x4Pmax(): this { return this.simd(0xeb); }
  i32x4Add(): this { return this.simd(0xae); }
  i32x4Shl(): this { return this.simd(0xab); }
  i32x4LtS(): this { return this.simd(0x39); }
  v128And(): this { return this.simd(0x4e); }
  v128Bitselect(): this { return this.simd(0x52); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Mul(): this { return this.simd(0xf2); }
  f64x2Div(): this { return this.simd(0xf3); }
  f64x2Sqrt(): this { return this.simd(0xef); }
  f64x2ExtractLane(lane: number): this { return this.simd(0x21, lane); }
  /** `f64x2.promote_low_f32x4`: f32 lanes 0 and 1 as two f64 lanes. */
  f64x2PromoteLow(): this { return this.simd(0x5f); }
  /** `f32x4.demote_f64x2_zero`: two f64 lanes rounded to f32 lanes 0 and 1 (lanes 2, 3 zero). */
  f32x4DemoteF64x2Zero(): this { return this.simd(0x5e); }

  // --- structured control flow; `br(0)` targets the innermost enclosing construct
  block(body: (f: this) => void): this { return this.nest(0x02, body); }
  loop(body: (f: this) => void): this { return this.nest(0x03, body); }
  /** `if cond { then } else { otherwise }`, the condition already on the stack. */
  if(then: (f: this) => void, otherwise?: (f: this) => void): this {
    this.code.push(0x04, 0x40);
    then(this);
    if (otherwise) {
      this.code.push(0x05);
      otherwise(this);
    }
    return this.op(0x0b);
  }
  br(depth: number): this { this.code.push(0x0c); uleb(this.code, depth); return this; }
  brIf(depth: number): this { this.code.push(0x0d); uleb(this.code, depth); return this; }
  return(): this { return this.op(0x0f); }
  call(index: number): this { this.code.push(0x10); uleb(this.code, index); return this; }

  private nest(opcode: number, body: (f: this) => void): this {
    this.code.push(opcode, 0x40);
    body(this);
    return this.op(0x0b);
  }

  /**
   * `for (i = start; i < end; i += step) body` (signed compare; `start` and `end` push one i32).
   * Inside `body`, `br(1)` breaks and `br(0)` would skip the increment.
   */
  for(i: Local<"i32">, start: (f: this) => void, end: (f: this) => void, step: number | Local<"i32">, body: (f: this) => void): this {
    start(this);
    this.set(i);
    return this.block((f) =>
      f.loop((g) => {
        g.get(i);
        end(g);
        g.i32GeS().brIf(1);
        body(g);
        g.get(i);
        if (typeof step === "number") g.i32(step);
        else g.get(step);
        g.i32Add().set(i).br(0);
      }),
    );
  }

  /** Encodes the locals and body as a code-section entry. */
  encode(): number[] {
    const body: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(TYPE_CODE[t]);
    }
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    uleb(out, body.length);
    out.push(...body);
    return out;
  }
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
