/**
 * @file A tiny typed WebAssembly assembler: just enough opcodes (i32 maths, loops, scalar and
 * SIMD128 loads/stores, f32x4/f64x2 arithmetic, lane shuffles and masks, i32x4 bit tricks, f32/f64
 * scalars) to emit kiln's kernels at run time from TypeScript, so no binary blob or toolchain is
 * needed. Every instruction is type-checked as it is emitted (`type-stack.ts`); calls can pass
 * arguments by the callee's parameter names. Encoding follows the WebAssembly core spec §5.
 */
import { sleb, TYPE_CODE, uleb } from "./binary.js";
import { argument, sig, type Sig, TypeStack, type ValType } from "./type-stack.js";
import type { Arg, Callee, CallArgs, Emit, Local, Operand, ParamLocals, Params, Term, Tuple } from "./operands.js";

export { assemble, sleb, uleb, wasmApi, type MemoryImport, type WasmApi, type WasmMemory, type WasmModule } from "./binary.js";
export * from "./operands.js";
export type { ValType };

const SIMD = 0xfd;
const SHORT: Record<ValType, string> = { i32: "i", i64: "l", f32: "f", f64: "d", v128: "v" };
const byType = (f: (t: string) => string) => Object.fromEntries(Object.entries(SHORT).map(([t, c]) => [t, sig(f(c))])) as Record<ValType, Sig>;
const GET = byType((t) => `>${t}`);
const SET = byType((t) => `${t}>`);
const TEE = byType((t) => `${t}>${t}`);

/**
 * Builds the body of one function; every instruction method returns `this` so code chains, and is
 * checked against the operand stack as it is emitted (see `type-stack.ts`).
 */
export class Func<P extends Params = Params> {
  readonly code: number[] = [];
  readonly params: readonly ValType[];
  /** Parameter names (empty when declared by position). */
  readonly paramNames: readonly string[];
  /** The named parameters' handles. */
  readonly args: ParamLocals<P>;
  private readonly localTypes: ValType[] = [];
  private readonly types: TypeStack;
  private finished = false;

  /** Declares a function `name(params) -> results`, exported under `name`; `params` by position or by name. */
  constructor(
    readonly name: string,
    params: readonly ValType[] | P,
    readonly results: readonly ValType[] = [],
  ) {
    const named = !Array.isArray(params);
    this.params = named ? Object.values(params) : (params as readonly ValType[]);
    this.paramNames = named ? Object.keys(params) : [];
    this.args = Object.fromEntries(this.paramNames.map((n, index) => [n, { index, type: this.params[index] }])) as ParamLocals<P>;
    this.types = new TypeStack(name, results);
  }

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

  /** Declares one new local of type `type` per name, in order. */
  named<T extends ValType, K extends string>(type: T, names: readonly K[]): Record<K, Local<T>> {
    return Object.fromEntries(names.map((n) => [n, this.local(type)])) as Record<K, Local<T>>;
  }

  /** Declares a new local of type `type`. */
  local<T extends ValType>(type: T): Local<T> {
    this.localTypes.push(type);
    return { index: this.params.length + this.localTypes.length - 1, type };
  }

  private op(instr: string, s: string, ...bytes: number[]): this {
    this.types.op(instr, sig(s));
    this.code.push(...bytes);
    return this;
  }

  private simd(instr: string, s: string, opcode: number, ...imm: number[]): this {
    this.types.op(instr, sig(s));
    this.code.push(SIMD);
    uleb(this.code, opcode);
    this.code.push(...imm);
    return this;
  }

  private mem(instr: string, s: string, opcode: number, align: number, offset: number, simd = false): this {
    this.types.op(instr, sig(s));
    if (simd) this.code.push(SIMD);
    uleb(this.code, opcode);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  private lane(instr: string, s: string, opcode: number, lane: number, lanes: number): this {
    if (!(lane >= 0 && lane < lanes)) this.types.fail(instr, `lane ${lane} is not in [0, ${lanes})`);
    return this.simd(instr, s, opcode, lane);
  }

  private localType(instr: string, l: Local): ValType {
    const t = l.index < this.params.length ? this.params[l.index] : this.localTypes[l.index - this.params.length];
    if (t !== l.type) this.types.fail(instr, `local ${l.index} is ${t ?? "undeclared"} here, the handle says ${l.type} (a local of another function?)`);
    return t;
  }

  // --- variables and constants
  get(l: Local): this { this.types.op("local.get", GET[this.localType("local.get", l)]); this.code.push(0x20); uleb(this.code, l.index); return this; }
  set(l: Local): this { this.types.op("local.set", SET[this.localType("local.set", l)]); this.code.push(0x21); uleb(this.code, l.index); return this; }
  tee(l: Local): this { this.types.op("local.tee", TEE[this.localType("local.tee", l)]); this.code.push(0x22); uleb(this.code, l.index); return this; }
  i32(n: number): this { this.op("i32.const", ">i", 0x41); sleb(this.code, n); return this; }
  f32(x: number): this { return this.op("f32.const", ">f", 0x43, ...new Uint8Array(new Float32Array([x]).buffer)); }
  f64(x: number): this { return this.op("f64.const", ">d", 0x44, ...new Uint8Array(new Float64Array([x]).buffer)); }
  /** `v128.const 0`. */
  v128Zero(): this { return this.simd("v128.const", ">v", 0x0c, ...new Array<number>(16).fill(0)); }
  /** `v128.const` of four f32 lanes (one value splats to all four). */
  f32x4Const(...lanes: number[]): this { return this.simd("v128.const", ">v", 0x0c, ...new Uint8Array(new Float32Array(splat4(lanes)).buffer)); }
  /** `v128.const` of four i32 lanes (one value splats to all four). */
  i32x4Const(...lanes: number[]): this { return this.simd("v128.const", ">v", 0x0c, ...new Uint8Array(new Int32Array(splat4(lanes)).buffer)); }
  drop(): this { this.types.drop(); this.code.push(0x1a); return this; }
  select(): this { this.types.select(); this.code.push(0x1b); return this; }

  /** Pushes an i32 operand: a local's value, a constant, or what an emitter pushes. */
  push(x: Operand): this {
    if (typeof x === "number") return this.i32(x);
    if (typeof x !== "function") return this.get(x);
    const height = this.types.height;
    x(this);
    const pushed = this.types.height - height;
    if (pushed !== 1 || this.types.peek() !== "i32") this.types.fail("i32 operand", `pushed ${pushed === 1 ? this.types.peek() : `${pushed} values`}, expected one i32`);
    return this;
  }

  /** Pushes the i32 `base + Σ terms`, each term a product: `addr(q, [b, qB], [h, qH])` is `q + b·qB + h·qH`. */
  addr(base: Term, ...terms: Term[]): this {
    this.product(base);
    for (const t of terms) this.product(t).i32Add();
    return this;
  }

  private product(t: Term): this {
    if (!Array.isArray(t)) return this.push(t as Operand);
    this.push(t[0] as Operand);
    for (const x of t.slice(1)) this.push(x as Operand).i32Mul();
    return this;
  }

  // --- i32 arithmetic and comparisons
  i32Eqz(): this { return this.op("i32.eqz", "i>i", 0x45); }
  i32Eq(): this { return this.op("i32.eq", "ii>i", 0x46); }
  i32Ne(): this { return this.op("i32.ne", "ii>i", 0x47); }
  i32LtS(): this { return this.op("i32.lt_s", "ii>i", 0x48); }
  i32LtU(): this { return this.op("i32.lt_u", "ii>i", 0x49); }
  i32GtS(): this { return this.op("i32.gt_s", "ii>i", 0x4a); }
  i32LeS(): this { return this.op("i32.le_s", "ii>i", 0x4c); }
  i32GeS(): this { return this.op("i32.ge_s", "ii>i", 0x4e); }
  i32GeU(): this { return this.op("i32.ge_u", "ii>i", 0x4f); }
  i32Add(): this { return this.op("i32.add", "ii>i", 0x6a); }
  i32Sub(): this { return this.op("i32.sub", "ii>i", 0x6b); }
  i32Mul(): this { return this.op("i32.mul", "ii>i", 0x6c); }
  i32And(): this { return this.op("i32.and", "ii>i", 0x71); }
  i32Or(): this { return this.op("i32.or", "ii>i", 0x72); }
  i32Shl(): this { return this.op("i32.shl", "ii>i", 0x74); }
  i32ShrS(): this { return this.op("i32.shr_s", "ii>i", 0x75); }
  i32ShrU(): this { return this.op("i32.shr_u", "ii>i", 0x76); }
  i32DivU(): this { return this.op("i32.div_u", "ii>i", 0x6e); }
  i32RemU(): this { return this.op("i32.rem_u", "ii>i", 0x70); }

  i32Load(offset = 0): this { return this.mem("i32.load", "i>i", 0x28, 2, offset); }
  i32Store(offset = 0): this { return this.mem("i32.store", "ii>", 0x36, 2, offset); }

  // --- scalar floats
  f32Load(offset = 0): this { return this.mem("f32.load", "i>f", 0x2a, 2, offset); }
  f32Store(offset = 0): this { return this.mem("f32.store", "if>", 0x38, 2, offset); }
  f64Load(offset = 0): this { return this.mem("f64.load", "i>d", 0x2b, 3, offset); }
  f64Store(offset = 0): this { return this.mem("f64.store", "id>", 0x39, 3, offset); }
  f32Add(): this { return this.op("f32.add", "ff>f", 0x92); }
  f32Sub(): this { return this.op("f32.sub", "ff>f", 0x93); }
  f32Mul(): this { return this.op("f32.mul", "ff>f", 0x94); }
  f32Div(): this { return this.op("f32.div", "ff>f", 0x95); }
  f32Max(): this { return this.op("f32.max", "ff>f", 0x97); }
  f32Ne(): this { return this.op("f32.ne", "ff>i", 0x5c); }
  f32ReinterpretI32(): this { return this.op("f32.reinterpret_i32", "i>f", 0xbe); }
  f32DemoteF64(): this { return this.op("f32.demote_f64", "d>f", 0xb6); }
  i32ReinterpretF32(): this { return this.op("i32.reinterpret_f32", "f>i", 0xbc); }
  f64Add(): this { return this.op("f64.add", "dd>d", 0xa0); }
  f64Sub(): this { return this.op("f64.sub", "dd>d", 0xa1); }
  f64Mul(): this { return this.op("f64.mul", "dd>d", 0xa2); }
  f64Div(): this { return this.op("f64.div", "dd>d", 0xa3); }
  f64PromoteF32(): this { return this.op("f64.promote_f32", "f>d", 0xbb); }
  f64Sqrt(): this { return this.op("f64.sqrt", "d>d", 0x9f); }
  f64ConvertI32S(): this { return this.op("f64.convert_i32_s", "i>d", 0xb7); }

  // --- SIMD128 (alignment hints are 0: tensors give no 16-byte alignment guarantee)
  v128Load(offset = 0): this { return this.mem("v128.load", "i>v", 0x00, 0, offset, true); }
  v128Store(offset = 0): this { return this.mem("v128.store", "iv>", 0x0b, 0, offset, true); }
  v128Load32Splat(offset = 0): this { return this.mem("v128.load32_splat", "i>v", 0x09, 0, offset, true); }
  v128Load64Splat(offset = 0): this { return this.mem("v128.load64_splat", "i>v", 0x0a, 0, offset, true); }
  f32x4Splat(): this { return this.simd("f32x4.splat", "f>v", 0x13); }
  f64x2Splat(): this { return this.simd("f64x2.splat", "d>v", 0x14); }
  /** `i8x16.shuffle` of two vectors by f32 lanes: lane i of the result is lane `lanes[i]` of (a ‖ b). */
  f32x4Shuffle(...lanes: [number, number, number, number]): this {
    if (lanes.some((l) => !(l >= 0 && l < 8))) this.types.fail("i8x16.shuffle", `lanes ${lanes.join(", ")} are not all in [0, 8)`);
    return this.simd("i8x16.shuffle", "vv>v", 0x0d, ...lanes.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]));
  }
  i32x4Splat(): this { return this.simd("i32x4.splat", "i>v", 0x11); }
  f32x4ExtractLane(lane: number): this { return this.lane("f32x4.extract_lane", "v>f", 0x1f, lane, 4); }
  f32x4Add(): this { return this.simd("f32x4.add", "vv>v", 0xe4); }
  f32x4Sub(): this { return this.simd("f32x4.sub", "vv>v", 0xe5); }
  f32x4Mul(): this { return this.simd("f32x4.mul", "vv>v", 0xe6); }
  f32x4Div(): this { return this.simd("f32x4.div", "vv>v", 0xe7); }
  /** Pseudo-minimum `b < a ? b : a`: one x86 `minps` (`f32x4.min`, with NaN and −0 rules, costs several). */
  f32x4Pmin(): this { return this.simd("f32x4.pmin", "vv>v", 0xea); }
  /** Pseudo-maximum `a < b ? b : a`. */
  f32x4Pmax(): this { return this.simd("f32x4.pmax", "vv>v", 0xeb); }
  i32x4Add(): this { return this.simd("i32x4.add", "vv>v", 0xae); }
  i32x4Shl(): this { return this.simd("i32x4.shl", "vi>v", 0xab); }
  i32x4LtS(): this { return this.simd("i32x4.lt_s", "vv>v", 0x39); }
  v128And(): this { return this.simd("v128.and", "vv>v", 0x4e); }
  v128Bitselect(): this { return this.simd("v128.bitselect", "vvv>v", 0x52); }
  f64x2Add(): this { return this.simd("f64x2.add", "vv>v", 0xf0); }
  f64x2Mul(): this { return this.simd("f64x2.mul", "vv>v", 0xf2); }
  f64x2Div(): this { return this.simd("f64x2.div", "vv>v", 0xf3); }
  f64x2Sqrt(): this { return this.simd("f64x2.sqrt", "v>v", 0xef); }
  f64x2ExtractLane(lane: number): this { return this.lane("f64x2.extract_lane", "v>d", 0x21, lane, 2); }
  /** `f64x2.promote_low_f32x4`: f32 lanes 0 and 1 as two f64 lanes. */
  f64x2PromoteLow(): this { return this.simd("f64x2.promote_low_f32x4", "v>v", 0x5f); }
  /** `f32x4.demote_f64x2_zero`: two f64 lanes rounded to f32 lanes 0 and 1 (lanes 2, 3 zero). */
  f32x4DemoteF64x2Zero(): this { return this.simd("f32x4.demote_f64x2_zero", "v>v", 0x5e); }

  // --- structured control flow; `br(0)` targets the innermost enclosing construct
  /** `block` whose body leaves `result` (or nothing). */
  block(body: (f: this) => void, result?: ValType): this { return this.nest("block", 0x02, body, result); }
  /** `loop` whose body leaves `result` (or nothing); `br` to it jumps back to its start. */
  loop(body: (f: this) => void, result?: ValType): this { return this.nest("loop", 0x03, body, result); }
  /** `if cond { then } else { otherwise }`, the condition already on the stack; both branches leave `result`. */
  if(then: (f: this) => void, otherwise?: (f: this) => void, result?: ValType): this {
    this.types.pop("if", ["i32"]);
    this.types.enter("if", result ? [result] : []);
    this.code.push(0x04, result ? TYPE_CODE[result] : 0x40);
    then(this);
    if (otherwise) {
      this.types.else();
      this.code.push(0x05);
      otherwise(this);
    }
    this.types.end();
    this.code.push(0x0b);
    return this;
  }
  br(depth: number): this { this.types.br(depth); this.code.push(0x0c); uleb(this.code, depth); return this; }
  brIf(depth: number): this { this.types.brIf(depth); this.code.push(0x0d); uleb(this.code, depth); return this; }
  return(): this { this.types.return(); this.code.push(0x0f); return this; }

  /**
   * `call callee`: with `args`, pushes each argument by parameter name in the callee's order (a local,
   * a constant of the parameter's type, or an emitter pushing one value); without, the arguments are
   * already on the stack. Either way their types are checked against the callee's.
   */
  call<Q extends Params>(callee: Callee<Q>, args?: CallArgs<Q>): this {
    const { func } = callee;
    if (args !== undefined) this.pushArgs(func, args as Record<string, Arg<ValType> | undefined>);
    this.types.call(func.name, func.params, func.paramNames, func.results);
    this.code.push(0x10);
    uleb(this.code, callee.index);
    return this;
  }

  private pushArgs(func: Func<Params>, args: Record<string, Arg<ValType> | undefined>): void {
    const instr = `call ${func.name}`;
    const names = func.paramNames;
    if (names.length === 0) this.types.fail(instr, `${func.name} declares its parameters by position; pass its arguments on the stack`);
    for (const k of Object.keys(args)) if (!names.includes(k)) this.types.fail(instr, `${func.name} has no parameter ${k}`);
    names.forEach((n, i) => {
      const a = args[n];
      const want = func.params[i]!;
      if (a === undefined) this.types.fail(instr, `missing ${argument(i, names)}`);
      const height = this.types.height;
      if (typeof a === "number") this.constant(instr, want, a);
      else if (typeof a === "function") a(this);
      else this.get(a);
      const pushed = this.types.height - height;
      if (pushed !== 1) this.types.fail(instr, `${argument(i, names)} pushed ${pushed} values, expected one ${want}`);
      if (this.types.peek() !== want) this.types.fail(instr, `${argument(i, names)} is ${this.types.peek()}, expected ${want}`);
    });
  }

  private constant(instr: string, type: ValType, x: number): void {
    if (type === "i32") this.i32(x);
    else if (type === "f32") this.f32(x);
    else if (type === "f64") this.f64(x);
    else this.types.fail(instr, `a number cannot be passed as ${type}`);
  }

  private nest(instr: "block" | "loop", opcode: number, body: (f: this) => void, result?: ValType): this {
    this.types.enter(instr, result ? [result] : []);
    this.code.push(opcode, result ? TYPE_CODE[result] : 0x40);
    body(this);
    this.types.end();
    this.code.push(0x0b);
    return this;
  }

  /**
   * `for (i = start; i < end; i += step) body` (signed compare; `start`, `end` and `step` are i32
   * operands). Inside `body`, `br(1)` breaks and `br(0)` would skip the increment.
   */
  for(i: Local<"i32">, start: Operand, end: Operand, step: Operand, body: (f: this) => void): this {
    this.push(start).set(i);
    return this.block((f) =>
      f.loop((g) => {
        g.get(i).push(end).i32GeS().brIf(1);
        body(g);
        g.get(i).push(step).i32Add().set(i).br(0);
      }),
    );
  }

  /** Encodes the locals and body as a code-section entry (checking the body leaves the results). */
  encode(): number[] {
    if (!this.finished) this.types.finish();
    this.finished = true;
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

function splat4(lanes: number[]): number[] {
  if (lanes.length !== 1 && lanes.length !== 4) throw new Error(`assembler: v128.const takes 1 or 4 lanes, not ${lanes.length}`);
  return lanes.length === 1 ? [lanes[0]!, lanes[0]!, lanes[0]!, lanes[0]!] : lanes;
}
