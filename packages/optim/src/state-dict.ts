/**
 * @file The optimizer state dict (torch.optim.Optimizer.state_dict): its layout,
 * the snapshot taken by `stateDict()` and the checks `loadStateDict()` makes,
 * so a bad or mismatched checkpoint fails with a message naming the field.
 */
import { persistentFloat32, Tensor } from "@kiln/tensor";
import type { HyperValue, ParamGroup, ParamState } from "./optimizer.js";

/** One parameter's saved state: update count and float32 buffers shaped like the parameter. */
export interface SavedParamState {
  step: number;
  buffers: Record<string, Tensor>;
}

/** One saved group: parameter indices (into the flat `params` order) and every hyperparameter. */
export interface SavedParamGroup {
  params: number[];
  initialLr: number;
  name?: string;
  [hyper: string]: HyperValue | string | undefined;
}

/**
 * An optimizer's state: `state[i]` belongs to the i-th parameter counting group by
 * group (absent until that parameter's first update); `paramGroups[g]` holds group g's
 * hyperparameters. Buffers are float32 Tensors; everything else is JSON.
 */
export interface OptimizerStateDict {
  state: Record<number, SavedParamState>;
  paramGroups: SavedParamGroup[];
}

const copyValue = (v: HyperValue): HyperValue => (Array.isArray(v) ? [...(v as number[])] : v);

/** Copies groups' hyperparameters and every parameter's state into a `OptimizerStateDict`. */
export function snapshotState(groups: readonly ParamGroup[], params: readonly Tensor[], state: ReadonlyMap<Tensor, ParamState>, reserved: ReadonlySet<string>): OptimizerStateDict {
  let next = 0;
  const paramGroups = groups.map((g) => {
    const saved: SavedParamGroup = { params: g.params.map(() => next++), initialLr: g.initialLr };
    if (g.name !== undefined) saved.name = g.name;
    for (const [k, v] of Object.entries(g)) if (!reserved.has(k)) saved[k] = copyValue(v as HyperValue);
    return saved;
  });
  const out: Record<number, SavedParamState> = {};
  params.forEach((p, i) => {
    const st = state.get(p);
    if (st === undefined) return;
    const buffers: Record<string, Tensor> = {};
    for (const [k, buf] of Object.entries(st.buffers)) buffers[k] = Tensor.fromData("float32", buf.slice(), p.shape);
    out[i] = { step: st.step, buffers };
  });
  return { state: out, paramGroups };
}

const sameKind = (a: unknown, b: HyperValue): boolean =>
  Array.isArray(b) ? Array.isArray(a) && a.length === b.length && a.every((x) => typeof x === "number") : typeof a === typeof b;

/** Validates `sd` against the optimizer's groups; returns copies of its hyperparameters and state. */
export function loadState(
  name: string,
  sd: OptimizerStateDict,
  groups: readonly ParamGroup[],
  defaults: Readonly<Record<string, HyperValue>>,
  bufferNames: readonly string[],
): { groups: Record<string, unknown>[]; state: Map<number, ParamState> } {
  const fail = (why: string): never => {
    throw new Error(`${name}.loadStateDict: ${why}`);
  };
  if (sd === null || typeof sd !== "object" || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== "object") {
    fail("expected { state, paramGroups } as returned by stateDict()");
  }
  if (sd.paramGroups.length !== groups.length) fail(`the state has ${sd.paramGroups.length} parameter groups, this optimizer has ${groups.length}`);
  const params: Tensor[] = [];
  const hypers = sd.paramGroups.map((saved, gi) => {
    const group = groups[gi]!;
    const where = `paramGroups[${gi}]`;
    if (!Array.isArray(saved.params) || saved.params.length !== group.params.length) {
      fail(`${where} has ${Array.isArray(saved.params) ? saved.params.length : "no"} parameters, this optimizer's group ${gi} has ${group.params.length}`);
    }
    saved.params.forEach((idx, j) => {
      if (idx !== params.length + j) fail(`${where}.params[${j}] is ${idx}, expected ${params.length + j} (parameters are numbered group by group)`);
    });
    params.push(...group.params);
    const h: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(saved)) {
      if (k === "params") continue;
      if (k === "name") {
        if (v !== undefined && typeof v !== "string") fail(`${where}.name must be a string`);
        h.name = v;
      } else if (k === "initialLr") {
        if (typeof v !== "number" || !Number.isFinite(v)) fail(`${where}.initialLr must be a finite number, got ${JSON.stringify(v)}`);
        h.initialLr = v;
      } else if (!(k in defaults)) {
        fail(`${where} has unknown hyperparameter "${k}" (is this another optimizer's state? this is ${name}: ${Object.keys(defaults).join(", ")})`);
      } else if (!sameKind(v, defaults[k]!)) {
        fail(`${where}.${k} should be like ${JSON.stringify(defaults[k])}, got ${JSON.stringify(v)}`);
      } else {
        h[k] = copyValue(v as HyperValue);
      }
    }
    for (const k of [...Object.keys(defaults), "initialLr"]) if (!(k in h)) fail(`${where} is missing "${k}"`);
    return h;
  });
  const state = new Map<number, ParamState>();
  for (const [key, st] of Object.entries(sd.state)) {
    const i = Number(key);
    const where = `state[${key}]`;
    const p = params[i];
    if (!Number.isInteger(i) || p === undefined) fail(`${where}: no parameter ${key} (this optimizer has ${params.length})`);
    if (st === null || typeof st !== "object" || st.buffers === null || typeof st.buffers !== "object") fail(`${where} must be { step, buffers }`);
    if (!Number.isInteger(st.step) || st.step < 0) fail(`${where}.step must be a non-negative integer, got ${JSON.stringify(st.step)}`);
    const buffers: Record<string, Float32Array> = {};
    for (const [b, t] of Object.entries(st.buffers)) {
      if (!bufferNames.includes(b)) fail(`${where} has unknown buffer "${b}" (${name} keeps ${bufferNames.join(", ")})`);
      if (!(t instanceof Tensor) || t.dtype !== "float32") fail(`${where}.${b} must be a float32 Tensor`);
      if (t.shape.length !== p!.shape.length || t.shape.some((s, d) => s !== p!.shape[d])) {
        fail(`${where}.${b} has shape [${t.shape.join(", ")}], parameter ${i} has shape [${p!.shape.join(", ")}]`);
      }
      const copy = persistentFloat32(t.numel); // in the wasm heap, as a fresh optimizer's moments
      copy.set(t.contiguous().data as Float32Array);
      buffers[b] = copy;
    }
    state.set(i, { step: st.step, buffers });
  }
  return { groups: hypers, state };
}
