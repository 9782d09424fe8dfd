/**
 * @file `kiln info`: what a config will cost before it runs — parameters,
 * FLOPs per token, per step and per run, and the memory a training step
 * needs against the machine's — computed from the config alone; or, given a
 * checkpoint or run directory, whether it loads and what it holds.
 */
import { existsSync, statSync } from "node:fs";
import type { Llama } from "@kiln/nn";
import { CheckpointError, loadCheckpoint, modelFromCheckpoint, type Checkpoint } from "../checkpoint/checkpoint.js";
import { resolveCheckpointDir } from "../checkpoint/store.js";
import { availableMemory, countParameters, describeMemory, estimateMemory, flopsPerToken, formatBytes } from "../config/memory.js";
import { loadTrainConfig, modelConfigFor } from "../config/train-config.js";
import { formatCount } from "../util/progress.js";
import { UsageError } from "./args.js";
import type { Command } from "./command.js";

function configInfo(path: string, overrides: string[]): number {
  const config = loadTrainConfig(path, overrides);
  const vocab = config.data.tokenizer === "byte" ? 257 : config.data.vocabSize;
  const mc = modelConfigFor(config, vocab);
  const T = config.data.contextLength;
  const { total, nonEmbedding } = countParameters(mc);
  const fpt = flopsPerToken(mc, T);
  const tokensPerStep = config.train.batchSize * config.train.gradAccum * T;
  const mem = estimateMemory(config);
  const available = availableMemory();
  console.log(`${total.toLocaleString("en-US")} parameters (${nonEmbedding.toLocaleString("en-US")} non-embedding), ${formatCount(fpt)} training FLOPs/token at T = ${T}`);
  console.log(`tokens/step ${formatCount(tokensPerStep)}, ${formatCount(fpt * tokensPerStep)} FLOPs/step, ${formatCount(fpt * tokensPerStep * config.train.steps)} FLOPs for ${config.train.steps} steps`);
  console.log(`memory: about ${describeMemory(mem, config)}; this machine has ${formatBytes(available)}${mem.total > available ? " — too much: kiln train would refuse it" : ""}`);
  return 0;
}

function checkpointInfo(path: string): number {
  const dir = resolveCheckpointDir(path);
  let ckpt: Checkpoint;
  let model: Llama;
  try {
    ckpt = loadCheckpoint(dir);
    model = modelFromCheckpoint(ckpt);
  } catch (e) {
    throw new CheckpointError(`does not load: ${(e as Error).message}`);
  }
  const T = model.config.max_position_embeddings;
  console.log(`${dir}: loads (${model.summary(T)})`);
  if (ckpt.trainer) console.log(`step ${ckpt.trainer.step} of ${ckpt.trainer.config.train.steps}, ${formatCount(ckpt.trainer.tokensSeen)} tokens seen, last val loss ${ckpt.trainer.lastValLoss?.toFixed(4) ?? "—"}`);
  console.log(`optimizer state: ${ckpt.optimizer ? "yes (resumable)" : "no"}; tokenizer: ${ckpt.tokenizer ? `${ckpt.tokenizer.vocabSize} tokens` : "none"}`);
  return 0;
}

export const infoCommand: Command = {
  usage: `usage: kiln info --config FILE [--set key=value ...]
       kiln info --checkpoint PATH
       kiln info PATH                (a .json config, or a run / checkpoint directory)

  With a config: parameter counts, training FLOPs per token, per step and per
  run, and the memory a training step needs (weights, gradients, AdamW state,
  activations at the config's batch and context) beside this machine's — all
  from the config alone, without building the model. kiln train refuses a
  config whose estimate exceeds the machine's memory.

  With a checkpoint (or a run directory: its newest checkpoint): whether it
  loads, and its model, step, optimizer state and tokenizer; exits 1 with the
  reason when it does not load.

  --config FILE       training config (JSON)
  --set key=value     override a config field (as in kiln train)
  --checkpoint PATH   a checkpoint directory or a run directory`,
  options: { config: { type: "string" }, set: { type: "string", multiple: true }, checkpoint: { type: "string" } },
  positional: (arg) => (existsSync(arg) && statSync(arg).isDirectory() ? "checkpoint" : "config"),
  async run(values) {
    if (typeof values.checkpoint === "string") {
      if (values.config !== undefined || values.set !== undefined) throw new UsageError("give --config (with --set) or --checkpoint, not both");
      return checkpointInfo(values.checkpoint);
    }
    if (typeof values.config !== "string") throw new UsageError("--config FILE or --checkpoint PATH is required; see kiln info --help");
    return configInfo(values.config, (values.set as string[] | undefined) ?? []);
  },
};
