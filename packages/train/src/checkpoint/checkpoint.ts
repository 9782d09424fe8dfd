/**
 * @file Checkpoints: a directory holding `model.safetensors` (Hugging Face
 * `LlamaForCausalLM` names), `config.json` (HF LlamaConfig plus a `kiln`
 * section), `optimizer.safetensors`, `trainer.json` (step, tokens, sampler
 * and generator states, the full training config) and `tokenizer.json`.
 * Written once under a temporary name and renamed into place; loading
 * validates every file and names the bad one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Tokenizer } from "@kiln/data";
import { Llama, llamaConfig, toHfConfig, type LlamaConfig } from "@kiln/nn";
import { parseOptimizerState, serializeOptimizerState, type Optimizer, type OptimizerStateDict } from "@kiln/optim";
import { Generator, loadSafetensors, serializeSafetensors, type GeneratorState, type Tensor } from "@kiln/tensor";
import { parseTrainConfig, type TrainConfig } from "../config/train-config.js";
import { fsyncDir, writeFileDurable } from "../util/atomic.js";
import { faultPoint } from "../util/fault.js";
import { readJsonObject } from "../util/json.js";

/** The format tag in `trainer.json`. */
export const CHECKPOINT_FORMAT = "kiln.checkpoint/1";

/** Everything besides tensors needed to continue a run exactly. */
export interface TrainerState {
  format: typeof CHECKPOINT_FORMAT;
  /** Optimizer steps completed. */
  step: number;
  /** Training tokens consumed. */
  tokensSeen: number;
  /** Wall-clock seconds spent training so far (across resumes). */
  elapsed: number;
  /** The training batch sampler's state (`RandomBatches.getState()`). */
  sampler: unknown;
  /** Dropout's generator state, when the model uses dropout. */
  dropoutGenerator: GeneratorState | null;
  /** Last and best validation loss, or null before the first evaluation. */
  lastValLoss: number | null;
  bestValLoss: number | null;
  /** The complete training config of the run. */
  config: TrainConfig;
}

/** A loaded checkpoint. */
export interface Checkpoint {
  dir: string;
  modelConfig: LlamaConfig;
  weights: Record<string, Tensor>;
  /** Null for a weights-only directory (e.g. one exported for Hugging Face). */
  optimizer: OptimizerStateDict | null;
  trainer: TrainerState | null;
  tokenizer: Tokenizer | null;
}

/**
 * Writes a new checkpoint directory `dir` crash-safely: every file is written
 * and flushed inside a temporary sibling, the directory is flushed, then
 * renamed to `dir` once. `dir` must not exist: checkpoints are never replaced.
 */
export function saveCheckpoint(
  dir: string,
  parts: { model: Llama; optimizer?: Optimizer | null; tokenizer?: Tokenizer | null; trainer?: TrainerState | null },
): void {
  if (existsSync(dir)) throw new CheckpointError(`${dir}: already exists (checkpoints are written once, never replaced)`);
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  faultPoint("checkpoint:mkdir");
  try {
    const kiln = parts.trainer ? { format: CHECKPOINT_FORMAT, train: parts.trainer.config } : { format: CHECKPOINT_FORMAT };
    writeFileDurable(join(tmp, "model.safetensors"), serializeSafetensors(parts.model.stateDict(), { format: "pt" }));
    faultPoint("checkpoint:model.safetensors");
    writeFileDurable(join(tmp, "config.json"), `${JSON.stringify({ ...toHfConfig(parts.model.config), torch_dtype: "float32", kiln }, null, 2)}\n`);
    faultPoint("checkpoint:config.json");
    if (parts.optimizer) writeFileDurable(join(tmp, "optimizer.safetensors"), serializeOptimizerState(parts.optimizer.stateDict()));
    faultPoint("checkpoint:optimizer.safetensors");
    if (parts.trainer) writeFileDurable(join(tmp, "trainer.json"), `${JSON.stringify(parts.trainer, null, 2)}\n`);
    faultPoint("checkpoint:trainer.json");
    // tokenizer.json + tokenizer_config.json + special_tokens_map.json: AutoTokenizer then knows BOS/EOS
    if (parts.tokenizer) parts.tokenizer.saveHf(tmp, { modelMaxLength: parts.model.config.max_position_embeddings });
    faultPoint("checkpoint:tokenizer.json");
    fsyncDir(tmp);
    faultPoint("checkpoint:fsync");
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  fsyncDir(parent);
  faultPoint("checkpoint:renamed");
}

/** A checkpoint problem, naming the directory and file. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

function readJson(path: string, what: string): Record<string, unknown> {
  return readJsonObject(path, what, (m) => new CheckpointError(m), "is truncated or corrupt");
}

/** Loads and validates a checkpoint directory. */
export function loadCheckpoint(dir: string): Checkpoint {
  if (!existsSync(dir)) throw new CheckpointError(`${dir}: no such checkpoint directory`);
  for (const f of ["config.json", "model.safetensors"]) {
    if (!existsSync(join(dir, f))) throw new CheckpointError(`${dir}: not a checkpoint (no ${f})`);
  }
  const rawConfig = readJson(join(dir, "config.json"), "the model config");
  const { kiln: _kiln, ...hf } = rawConfig;
  let modelConfig: LlamaConfig;
  try {
    modelConfig = llamaConfig(hf);
  } catch (e) {
    throw new CheckpointError(`${join(dir, "config.json")}: ${(e as Error).message}`);
  }
  let weights: Record<string, Tensor>;
  const weightsPath = join(dir, "model.safetensors");
  try {
    const file = loadSafetensors(weightsPath);
    if (file.metadata !== undefined && "kiln.optimizer" in file.metadata) {
      throw new CheckpointError(`${weightsPath}: is a kiln optimizer state (AdamW moments of ${Object.keys(file.tensors).length / 2} parameters), not model weights`);
    }
    weights = file.tensors;
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  const optPath = join(dir, "optimizer.safetensors");
  let optimizer: OptimizerStateDict | null = null;
  if (existsSync(optPath)) {
    try {
      optimizer = parseOptimizerState(readFileSync(optPath), optPath);
    } catch (e) {
      throw new CheckpointError((e as Error).message);
    }
  }
  let trainer: TrainerState | null = null;
  const trainerPath = join(dir, "trainer.json");
  if (existsSync(trainerPath)) {
    const t = readJson(trainerPath, "the trainer state");
    if (t.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${trainerPath}: unknown format ${JSON.stringify(t.format)} (expected "${CHECKPOINT_FORMAT}")`);
    for (const k of ["step", "tokensSeen", "elapsed"]) {
      if (typeof t[k] !== "number" || !Number.isFinite(t[k])) throw new CheckpointError(`${trainerPath}: field "${k}" must be a finite number`);
    }
    try {
      t.config = parseTrainConfig(t.config, `${trainerPath} (config)`);
    } catch (e) {
      throw new CheckpointError((e as Error).message);
    }
    trainer = t as unknown as TrainerState;
  }
  let tokenizer: Tokenizer | null = null;
  try {
    tokenizer = Tokenizer.fromDir(dir); // BOS/EOS as tokenizer_config.json names them
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  return { dir, modelConfig, weights, optimizer, trainer, tokenizer };
}

/** A model built from a checkpoint's config with its weights loaded (strict: names, shapes, dtypes). */
export function modelFromCheckpoint(ckpt: Checkpoint): Llama {
  const model = new Llama(ckpt.modelConfig, { generator: new Generator(0) }); // weights are overwritten below
  const mismatch = weightsMismatch(model.stateDict(), ckpt.weights, ckpt.modelConfig.tie_word_embeddings);
  if (mismatch !== null) throw new CheckpointError(`${join(ckpt.dir, "model.safetensors")}: ${mismatch}`);
  try {
    model.loadStateDict(ckpt.weights, { strict: true });
  } catch (e) {
    throw new CheckpointError(`${join(ckpt.dir, "model.safetensors")}: ${(e as Error).message}`);
  }
  return model;
}

/**
 * How a file's tensors differ from what a config's model expects, or null
 * when names and shapes agree: one summary line (counts and the first few
 * names), then the full lists on later lines (shown under --verbose).
 */
export function weightsMismatch(expected: Record<string, Tensor>, got: Record<string, Tensor>, tied: boolean): string | null {
  const missing = Object.keys(expected).filter((k) => !(k in got) && !(tied && k === "lm_head.weight"));
  const extra = Object.keys(got).filter((k) => !(k in expected));
  const shapes = Object.keys(expected).filter((k) => k in got && got[k]!.shape.join() !== expected[k]!.shape.join())
    .map((k) => `${k} [${got[k]!.shape.join(", ")}] in the file, [${expected[k]!.shape.join(", ")}] by config.json`);
  if (missing.length + extra.length + shapes.length === 0) return null;
  const few = (list: string[]) => `${list.slice(0, 3).join(", ")}${list.length > 3 ? `, … ${list.length - 3} more` : ""}`;
  const parts = [
    missing.length ? `lacks ${missing.length} tensor${missing.length > 1 ? "s" : ""} the config needs (${few(missing)})` : "",
    extra.length ? `has ${extra.length} the config does not (${few(extra)})` : "",
    shapes.length ? `${shapes.length} with other shapes (${few(shapes)})` : "",
  ].filter((p) => p !== "");
  const full = [["missing", missing], ["unexpected", extra], ["shape", shapes]] as const;
  return `does not match config.json: it ${parts.join("; ")} (--verbose lists all)\n${full.filter(([, l]) => l.length > 0).map(([what, l]) => `${what}:\n  ${l.join("\n  ")}`).join("\n")}`;
}
