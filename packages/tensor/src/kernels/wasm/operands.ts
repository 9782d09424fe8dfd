/**
 * @file What the assembler's builders take and give: local handles, i32 operands (a local, a constant
 * or an emitter) and sums of products of them, named parameters, and callees with their signatures.
 */
import type { Func } from "./assembler.js";
import type { ValType } from "./type-stack.js";

/** A typed handle to a parameter or local of one function. */
export interface Local<T extends ValType = ValType> {
  readonly index: number;
  readonly type: T;
}

/** A tuple of `N` elements of type `T` (so destructured locals need no `!`). */
export type Tuple<T, N extends number, R extends T[] = []> = R["length"] extends N ? R : Tuple<T, N, [T, ...R]>;

/** Code that pushes values, given the function being built. */
export type Emit = (f: Func) => unknown;
/** Something that pushes one i32: a local, a constant, or an emitter. */
export type Operand = Local<"i32"> | number | Emit;
/** A product `a·b·c` of i32 operands (a lone operand is a product of one). */
export type Term = Operand | readonly Operand[];

/** Emits `base + Σ terms` later (an argument or operand): `addr(q, [b, qB], [h, qH])` is `q + b·qB + h·qH`. */
export const addr = (base: Term, ...terms: Term[]): Emit => (f) => f.addr(base, ...terms);
/** Emits the product `a·b·…` later. */
export const mul = (...xs: Operand[]): Emit => (f) => f.addr(xs);

/** Parameters declared by name, in order. */
export type Params = Record<string, ValType>;
/** The handles of named parameters. */
export type ParamLocals<P extends Params> = { readonly [K in keyof P]: Local<P[K]> };
/** A named call's argument for a parameter of type `T`: a local, an emitter pushing one `T`, or a constant. */
export type Arg<T extends ValType> = Local<T> | Emit | (T extends "i32" | "f32" | "f64" ? number : never);
/** Every argument of a named call, by parameter name. */
export type CallArgs<P extends Params> = { readonly [K in keyof P]: Arg<P[K]> };

/** A function as its callers see it: its index in the module and its signature. */
export interface Callee<P extends Params = Params> {
  readonly index: number;
  readonly func: Func<P>;
}
/** The named parameters of a `Func`. */
export type ParamsOf<F> = F extends Func<infer P> ? P : never;
/** The callee type of the function a kernel builder returns. */
export type CalleeOf<B extends (...args: never[]) => Func<Params>> = Callee<ParamsOf<ReturnType<B>>>;

/** Callees of `funcs`, which the module holds in this order from index `first`. */
export function link<H extends Record<string, Func<Params>>>(funcs: H, first = 0): { readonly [K in keyof H]: Callee<ParamsOf<H[K]>> } {
  const out: Record<string, Callee> = {};
  Object.entries(funcs).forEach(([k, func], i) => (out[k] = { index: first + i, func }));
  return out as { readonly [K in keyof H]: Callee<ParamsOf<H[K]>> };
}
