/**
 * @file `kiln info`: what a config will cost before it runs — parameters,
 * FLOPs per token and per run, and a rough memory estimate.
 */
import { Llama } from "@kiln/nn";
import { Generator } from "@kiln/tensor";
import { loadTrainConfig, modelConfigFor } from "../config/train-config.js";
import { formatCount } from "../util/progress.js";
import type { Command } from "./main.js";

const MiB = 1024 * 1024;

export const infoCommand: Command = {
  usage: `usage: kiln info --config FILE [--set key=value ...]`,
  options: { config: { type: "string" }, set: { type: "string", multiple: true } },
  async run(values) {
    if (typeof values.config !== "string") throw new Error("--config FILE is required");
    const config = loadTrainConfig(values.config, (values.set as string[] | undefined) ?? []);
    const vocab = config.data.tokenizer === "byte" ? 257 : config.data.vocabSize;
    const mc = modelConfigFor(config, vocab);
    const model = new Llama(mc, { generator: new Generator(0) });
    const T = config.data.contextLength;
    const B = config.train.batchSize;
    const n = model.numParameters();
    const tokensPerStep = B * config.train.gradAccum * T;
    const fpt = model.flopsPerToken(T);
    // saved activations per layer ≈ B·T·(8d + 3·ffn) floats, plus the B·H·T·T attention probabilities
    const d = mc.hidden_size;
    const acts = mc.num_hidden_layers * B * T * (8 * d + 3 * mc.intermediate_size + mc.num_attention_heads * T) + 3 * B * T * vocab;
    console.log(model.summary(T));
    console.log(`tokens/step ${formatCount(tokensPerStep)}, FLOPs/step ${formatCount(fpt * tokensPerStep)}, run total ${formatCount(fpt * tokensPerStep * config.train.steps)} FLOPs`);
    console.log(`memory (rough): weights+grads+AdamW ${((n * 16) / MiB).toFixed(1)} MiB, activations ≈ ${((acts * 4) / MiB).toFixed(1)} MiB per micro-batch of ${B}`);
    return 0;
  },
};
