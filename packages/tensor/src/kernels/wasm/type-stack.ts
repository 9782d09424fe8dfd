/**
 * @file The operand stack the assembler checks every instruction against as it is emitted (the
 * validation algorithm of the WebAssembly core spec, appendix A.3, for kiln's subset): a mistake is a
 * one-line error naming the function and the instruction, e.g. `attnFwd: i32.add: expected i32, i32
 * on the stack, found f32, i32`, instead of a V8 CompileError at a byte offset.
 */

/** A WebAssembly value type. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";

const SHORT: Record<string, ValType> = { i: "i32", l: "i64", f: "f32", d: "f64", v: "v128" };

/** An instruction's operand and result types, bottom of the stack first. */
export interface Sig {
  readonly pops: readonly ValType[];
  readonly pushes: readonly ValType[];
}

const sigs = new Map<string, Sig>();

/**
 * Parses a signature shorthand: `"ii>i"` pops two i32 and pushes one (i i32, l i64, f f32, d f64, v v128).
 */
export function sig(s: string): Sig {
  let out = sigs.get(s);
  if (out === undefined) {
    const [pops, pushes] = s.split(">").map((t) => [...t].map((c) => SHORT[c]!));
    out = { pops: pops!, pushes: pushes! };
    sigs.set(s, out);
  }
  return out;
}

interface Frame {
  kind: "function" | "block" | "loop" | "if" | "else";
  results: readonly ValType[];
  /** Stack height when the frame was entered: its body may not pop below it. */
  height: number;
  /** After `br` or `return` the rest of the body is dead and its stack polymorphic (spec §3.3.8). */
  unreachable: boolean;
}

const list = (ts: readonly ValType[]) => (ts.length === 0 ? "nothing" : ts.join(", "));

/** The value types on the stack of one function being emitted, and its enclosing blocks. */
export class TypeStack {
  private readonly stack: ValType[] = [];
  private readonly frames: Frame[];

  constructor(readonly fn: string, results: readonly ValType[]) {
    this.frames = [{ kind: "function", results, height: 0, unreachable: false }];
  }

  /** Throws `fn: instr: message`. */
  fail(instr: string, message: string): never {
    throw new Error(`${this.fn}: ${instr}: ${message}`);
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  /** Values the innermost block has pushed and not yet popped. */
  get height(): number {
    return this.stack.length - this.frame.height;
  }

  /** The type `depth` values below the top (0 = top), if the innermost block pushed it. */
  peek(depth = 0): ValType | undefined {
    return depth < this.height ? this.stack[this.stack.length - 1 - depth] : undefined;
  }

  /** Pops `types` (the last one from the top), or fails naming what is there instead. */
  pop(instr: string, types: readonly ValType[]): void {
    const n = Math.min(types.length, this.height);
    let ok = n === types.length || this.frame.unreachable;
    for (let i = 1; ok && i <= n; i++) ok = this.stack[this.stack.length - i] === types[types.length - i];
    if (!ok) this.fail(instr, `expected ${list(types)} on the stack, found ${list(this.stack.slice(this.stack.length - n))}`);
    this.stack.length -= n;
  }

  push(types: readonly ValType[]): void {
    for (const t of types) this.stack.push(t);
  }

  /** Checks and applies one instruction. */
  op(instr: string, s: Sig): void {
    this.pop(instr, s.pops);
    this.push(s.pushes);
  }

  /** `drop`: pops one value of any type. */
  drop(): void {
    const t = this.peek();
    if (t === undefined && !this.frame.unreachable) this.fail("drop", "expected a value on the stack, found nothing");
    this.pop("drop", t === undefined ? [] : [t]);
  }

  /** `select`: pops two values of one type and an i32 condition, pushes one of them. */
  select(): void {
    this.pop("select", ["i32"]);
    const t = this.peek() ?? this.peek(1);
    if (t === undefined && this.frame.unreachable) return;
    this.op("select", { pops: [t ?? "i32", t ?? "i32"], pushes: [t ?? "i32"] });
  }

  /** `call`: the callee's parameters (named, when it names them) are on the stack; pushes its results. */
  call(callee: string, params: readonly ValType[], names: readonly string[], results: readonly ValType[]): void {
    const instr = `call ${callee}`;
    if (this.height < params.length && !this.frame.unreachable) {
      this.fail(instr, `expected ${params.length} arguments on the stack, found ${this.height}`);
    }
    params.forEach((p, i) => {
      const t = this.peek(params.length - 1 - i);
      if (t !== undefined && t !== p) this.fail(instr, `${argument(i, names)} is ${t}, expected ${p}`);
    });
    this.op(instr, { pops: params, pushes: results });
  }

  /** Enters a `block`, `loop` or `if` (whose i32 condition the caller has popped). */
  enter(kind: "block" | "loop" | "if", results: readonly ValType[]): void {
    this.frames.push({ kind, results, height: this.stack.length, unreachable: false });
  }

  /** `else`: the `then` branch must have left the `if`'s results. */
  else(): void {
    const f = this.frame;
    if (f.kind !== "if") this.fail("else", `no if to continue (innermost is ${f.kind})`);
    this.close("if");
    this.stack.length = f.height;
    f.kind = "else";
    f.unreachable = false;
  }

  /** `end`: the block must have left exactly its results, which it then pushes onto the outer stack. */
  end(): void {
    const f = this.frame;
    if (f.kind === "if" && f.results.length > 0) this.fail("end of if", `an if without else cannot produce ${list(f.results)}`);
    this.close(f.kind === "else" ? "if" : f.kind);
    if (this.frames.length > 1) this.frames.pop();
    this.push(f.results);
  }

  private close(kind: string): void {
    const f = this.frame;
    this.pop(`end of ${kind}`, f.results);
    if (this.height > 0) {
      const left = this.stack.slice(f.height);
      this.fail(`end of ${kind}`, `expected ${list(f.results)} on the stack, found ${list([...left, ...f.results])}`);
    }
  }

  /** `br depth`: pops the target's label types; the rest of the block is unreachable. */
  br(depth: number): void {
    this.pop(`br ${depth}`, this.label(`br ${depth}`, depth));
    this.unreachable();
  }

  /** `br_if depth`: pops the i32 condition and checks the label types, which stay on the stack. */
  brIf(depth: number): void {
    const instr = `br_if ${depth}`;
    this.pop(instr, ["i32"]);
    const types = this.label(instr, depth);
    this.op(instr, { pops: types, pushes: types });
  }

  /** `return`: pops the function's results; the rest of the block is unreachable. */
  return(): void {
    this.pop("return", this.frames[0]!.results);
    this.unreachable();
  }

  /** Checks the end of the function body: exactly its results are on the stack. */
  finish(): void {
    if (this.frames.length > 1) this.fail("end of function", `${this.frames.length - 1} block(s) still open`);
    this.close("function");
  }

  private label(instr: string, depth: number): readonly ValType[] {
    const f = this.frames[this.frames.length - 1 - depth];
    if (f === undefined || f.kind === "function") this.fail(instr, `no enclosing block at depth ${depth} (${this.frames.length - 1} open)`);
    return f.kind === "loop" ? [] : f.results;
  }

  private unreachable(): void {
    this.stack.length = this.frame.height;
    this.frame.unreachable = true;
  }
}

/** `argument 3 (n)`, or `argument 3` when the callee does not name its parameters. */
export function argument(i: number, names: readonly string[]): string {
  return names[i] === undefined ? `argument ${i}` : `argument ${i} (${names[i]})`;
}
