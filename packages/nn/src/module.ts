/**
 * @file Module: the base class of every layer (PyTorch's `nn.Module`).
 * Parameters, buffers and submodules are discovered from the object's own
 * fields — a `Parameter`, a `Module`, a plain `Tensor` (a buffer), or an array
 * of them — so subclasses just assign fields in the constructor. A buffer is
 * left out of the state dict unless `registerBuffer` made it persistent.
 */
import { inspect } from "node:util";
import { Tensor, isFloat, noGrad, type FloatDType, type Generator } from "@kiln/tensor";
import { Parameter } from "./parameter.js";

/** Options every layer constructor takes. */
export interface ModuleOptions {
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
  /** Source of the initial weights (default: the global generator). */
  generator?: Generator;
}

/** Options of {@link Module.numParameters}. */
export interface NumParametersOptions {
  /** Leave out the parameters of embedding tables (token and learned position embeddings). */
  excludeEmbeddings?: boolean;
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Fail on missing or unexpected keys (default true). Shape mismatches always fail. */
  strict?: boolean;
}

/** Options of {@link Module.registerBuffer}. */
export interface BufferOptions {
  /** Save it in `stateDict()` and load it in `loadStateDict()` (default true, as PyTorch). */
  persistent?: boolean;
}

/** What {@link Module.loadStateDict} did not match. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const fmt = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** Base class of layers and models: finds parameters and submodules in its own fields. */
export abstract class Module {
  /** Training mode (dropout active); set by `train()` / `eval()`. */
  training = true;
  /** Names of this module's buffers that the state dict holds. */
  private readonly persistentBuffers = new Set<string>();

  /** Own fields as `[name, value]`, arrays expanded to `name.i`. */
  private fields(): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (Array.isArray(value)) value.forEach((v, i) => out.push([`${key}.${i}`, v]));
      else out.push([key, value]);
    }
    return out;
  }

  /** Direct submodules with their field names (`layers.0`, `norm`). */
  namedChildren(): [string, Module][] {
    return this.fields().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Direct submodules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every submodule, depth first, with dotted names (this one is `""`); each module once. */
  namedModules(prefix = "", seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name, seen));
    return out;
  }

  /** Every parameter with its dotted name (`layers.0.attention.wq.weight`); a shared (tied) parameter appears once, under its first name. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, value] of m.fields()) {
        if (!(value instanceof Parameter) || seen.has(value)) continue;
        seen.add(value);
        out.push([prefix ? `${prefix}.${name}` : name, value]);
      }
    }
    return out;
  }

  /** Every parameter, each once. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Makes `tensor` the buffer `name` (a field of this module): state that is not
   * a parameter — no gradient, not in `parameters()` — but is converted by
   * `to(dtype)`, and saved in the state dict unless `persistent: false`
   * (PyTorch's `register_buffer`). A plain tensor field is a non-persistent buffer.
   */
  registerBuffer(name: string, tensor: Tensor, { persistent = true }: BufferOptions = {}): void {
    if (!(tensor instanceof Tensor) || tensor instanceof Parameter) {
      throw new TypeError(`registerBuffer: "${name}" must be a plain Tensor (parameters are fields holding a Parameter)`);
    }
    const self = this as unknown as Record<string, unknown>;
    const old = self[name];
    if (old !== undefined && old !== null && (!(old instanceof Tensor) || old instanceof Parameter)) {
      throw new Error(`registerBuffer: ${this.constructor.name} already has a field "${name}" that is not a buffer`);
    }
    self[name] = tensor;
    if (persistent) this.persistentBuffers.add(name);
    else this.persistentBuffers.delete(name);
  }

  /** Every buffer (plain tensor field) with its dotted name, and whether the state dict holds it. */
  namedBuffers(): [string, Tensor, boolean][] {
    const out: [string, Tensor, boolean][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, value] of m.fields()) {
        if (value instanceof Tensor && !(value instanceof Parameter)) out.push([prefix ? `${prefix}.${name}` : name, value, m.persistentBuffers.has(name)]);
      }
    }
    return out;
  }

  /** Every buffer, persistent or not. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Whether this module is an embedding table (excluded by `numParameters({ excludeEmbeddings })`). */
  get isEmbedding(): boolean {
    return false;
  }

  /** Number of parameter elements; `excludeEmbeddings` leaves out embedding tables (Kaplan et al. 2020's non-embedding N). */
  numParameters({ excludeEmbeddings = false }: NumParametersOptions = {}): number {
    const skip = new Set<Parameter>();
    if (excludeEmbeddings) for (const [, m] of this.namedModules()) if (m.isEmbedding) for (const p of m.parameters()) skip.add(p);
    return this.parameters().reduce((n, p) => (skip.has(p) ? n : n + p.numel), 0);
  }

  /** Sets training mode on this module and every submodule. */
  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }

  /** Sets evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Calls `fn` on every submodule (children first, recursively), then on this one (`nn.Module.apply`). */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Clears every parameter's `grad`. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Converts parameters and float buffers to `dtype` in place (tied parameters stay tied); grads are dropped. */
  to(dtype: FloatDType): this {
    const memo = new Map<Tensor, Tensor>();
    const convert = (v: unknown): unknown => {
      if (!(v instanceof Tensor) || !isFloat(v.dtype) || v.dtype === dtype) return v;
      let out = memo.get(v);
      if (out === undefined) {
        const data = noGrad(() => v.detach().to(dtype));
        out = v instanceof Parameter ? new Parameter(data, v.requiresGrad) : data;
        memo.set(v, out);
      }
      return out;
    };
    for (const [, m] of this.namedModules()) {
      const self = m as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(m)) self[key] = Array.isArray(value) ? value.map(convert) : convert(value);
    }
    return this;
  }

  /** The name a parameter has in state dicts; models override it to map onto a checkpoint format. */
  protected stateDictKey(name: string): string {
    return name;
  }

  /** Parameters, then persistent buffers, by state-dict key. */
  private stateEntries(): [string, Tensor][] {
    const buffers = this.namedBuffers().filter(([, , persistent]) => persistent);
    return [...this.namedParameters(), ...buffers.map(([n, b]): [string, Tensor] => [n, b])].map(([n, t]) => [this.stateDictKey(n), t]);
  }

  /** Parameters and persistent buffers by state-dict key, detached views sharing storage. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.stateEntries().map(([k, t]) => [k, t.detach()]));
  }

  /**
   * Copies `sd` into the parameters and persistent buffers (converting dtype).
   * Every key is checked before anything is written: mis-shaped keys always
   * fail, missing or unexpected keys fail when `strict` (default), naming each key.
   */
  loadStateDict(sd: Record<string, Tensor>, { strict = true }: LoadStateDictOptions = {}): LoadStateDictResult {
    const own = new Map(this.stateEntries());
    const missingKeys = [...own.keys()].filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !own.has(k));
    const problems: string[] = [];
    for (const [k, p] of own) {
      const t = sd[k];
      if (t === undefined) continue;
      if (!(t instanceof Tensor) || (isFloat(p.dtype) && !isFloat(t.dtype))) problems.push(`"${k}" is not a ${isFloat(p.dtype) ? "float " : ""}tensor`);
      else if (fmt(t.shape) !== fmt(p.shape)) problems.push(`size mismatch for "${k}": checkpoint has ${fmt(t.shape)}, the model has ${fmt(p.shape)}`);
    }
    if (strict && missingKeys.length > 0) problems.unshift(`missing key(s): ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
    if (strict && unexpectedKeys.length > 0) problems.unshift(`unexpected key(s): ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}`);
    if (problems.length > 0) throw new Error(`loadStateDict: cannot load into ${this.constructor.name}:\n  ${problems.join("\n  ")}`);
    noGrad(() => {
      for (const [k, p] of own) if (sd[k] !== undefined) p.copy_(sd[k]);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The part inside this module's parentheses in `toString()` (`in_features=16, ...`). */
  protected extraRepr(): string {
    return "";
  }

  /** The module tree, printed like PyTorch (repeated identical blocks collapsed to `(0-3): 4 x Block(...)`). */
  toString(): string {
    const lines: string[] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) lines.push(`(${key}): ${value.toString()}`);
      else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Module)) {
        lines.push(`(${key}): ModuleList(\n  ${indent(collapse(value.map((v: Module) => v.toString())))}\n)`);
      }
    }
    const extra = this.extraRepr();
    if (lines.length === 0) return `${this.constructor.name}(${extra})`;
    if (extra !== "") lines.unshift(extra);
    return `${this.constructor.name}(\n  ${lines.map(indent).join("\n  ")}\n)`;
  }

  /** `console.log(model)` prints the tree. */
  [inspect.custom](): string {
    return this.toString();
  }
}

const indent = (s: string) => s.split("\n").join("\n  ");

/** `(i): repr` lines, with runs of identical reprs merged into `(a-b): n x repr`. */
function collapse(reprs: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < reprs.length; ) {
    let j = i;
    while (j + 1 < reprs.length && reprs[j + 1] === reprs[i]) j++;
    out.push(j === i ? `(${i}): ${reprs[i]}` : `(${i}-${j}): ${j - i + 1} x ${reprs[i]}`);
    i = j + 1;
  }
  return out.join("\n");
}
