/**
 * @file Optimizer state on disk: a state dict split into float32 tensors for
 * safetensors (`state.<index>.<buffer>`, e.g. `state.3.expAvg`) and a JSON
 * header (hyperparameters, step counts), or both in one safetensors file with
 * the JSON under the `kiln.optimizer` metadata key.
 */
import { parseSafetensors, serializeSafetensors, type Tensor } from "@kiln/tensor";
import type { OptimizerStateDict, SavedParamGroup, SavedParamState } from "./state-dict.js";

/** Format tag written into the JSON so a reader can refuse something else. */
export const OPTIMIZER_STATE_FORMAT = "kiln.optimizer/1";
const META_KEY = "kiln.optimizer";

/** The JSON half of a packed state dict. */
export interface OptimizerStateMeta {
  format: typeof OPTIMIZER_STATE_FORMAT;
  paramGroups: SavedParamGroup[];
  /** Update count per parameter index, for every parameter that has state. */
  steps: Record<string, number>;
}

/** Splits a state dict into named tensors (for safetensors) and a JSON-safe header. */
export function packStateDict(sd: OptimizerStateDict): { tensors: Record<string, Tensor>; meta: OptimizerStateMeta } {
  const tensors: Record<string, Tensor> = {};
  const steps: Record<string, number> = {};
  for (const [index, st] of Object.entries(sd.state)) {
    steps[index] = st.step;
    for (const [name, t] of Object.entries(st.buffers)) tensors[`state.${index}.${name}`] = t;
  }
  return { tensors, meta: { format: OPTIMIZER_STATE_FORMAT, paramGroups: sd.paramGroups, steps } };
}

/** Rebuilds a state dict from `packStateDict`'s output (e.g. read back from disk); `source` is named in errors. */
export function unpackStateDict(tensors: Record<string, Tensor>, meta: OptimizerStateMeta, source = "optimizer state"): OptimizerStateDict {
  const bad = (why: string): never => {
    throw new Error(`${source}: not a kiln optimizer state: ${why}`);
  };
  if (meta === null || typeof meta !== "object") bad("the JSON header is not an object");
  if (meta.format !== OPTIMIZER_STATE_FORMAT) bad(`format is ${JSON.stringify(meta.format)}, expected "${OPTIMIZER_STATE_FORMAT}"`);
  if (!Array.isArray(meta.paramGroups)) bad("paramGroups is missing");
  if (meta.steps === null || typeof meta.steps !== "object") bad("steps is missing");
  const state: Record<number, SavedParamState> = {};
  for (const [index, step] of Object.entries(meta.steps)) state[Number(index)] = { step, buffers: {} };
  for (const [key, t] of Object.entries(tensors)) {
    const m = /^state\.(\d+)\.(\w+)$/.exec(key);
    if (m === null) bad(`unexpected tensor "${key}" (expected state.<index>.<buffer>)`);
    const st = state[Number(m![1])];
    if (st === undefined) bad(`tensor "${key}" belongs to parameter ${m![1]}, which has no step count in the header`);
    st!.buffers[m![2]!] = t;
  }
  return { state, paramGroups: meta.paramGroups };
}

/** One safetensors file holding the buffers, with the JSON header under metadata key `kiln.optimizer`. */
export function serializeOptimizerState(sd: OptimizerStateDict): Uint8Array {
  const { tensors, meta } = packStateDict(sd);
  return serializeSafetensors(tensors, { [META_KEY]: JSON.stringify(meta) });
}

/** Reads `serializeOptimizerState` bytes back into a state dict; `source` (e.g. the path) is named in errors. */
export function parseOptimizerState(bytes: Uint8Array, source = "optimizer state"): OptimizerStateDict {
  const { tensors, metadata } = parseSafetensors(bytes, source);
  const json = metadata[META_KEY];
  if (json === undefined) throw new Error(`${source}: not a kiln optimizer state: no "${META_KEY}" metadata`);
  let meta: OptimizerStateMeta;
  try {
    meta = JSON.parse(json) as OptimizerStateMeta;
  } catch (e) {
    throw new Error(`${source}: not a kiln optimizer state: "${META_KEY}" metadata is not JSON (${(e as Error).message})`);
  }
  return unpackStateDict(tensors, meta, source);
}
