/**
 * @file `kiln sample` and `kiln eval`: generation and validation loss from
 * a checkpoint directory.
 */
import { generate } from "@kiln/nn";
import { Generator, noGrad } from "@kiln/tensor";
import { loadCheckpoint, modelFromCheckpoint } from "../checkpoint/checkpoint.js";
import { prepareData } from "../run-data.js";
import type { Command } from "./main.js";

function intOption(values: Record<string, unknown>, name: string, def: number | undefined): number | undefined {
  const v = values[name];
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

function numOption(values: Record<string, unknown>, name: string, def: number | undefined): number | undefined {
  const v = values[name];
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

export const sampleCommand: Command = {
  usage: `usage: kiln sample --checkpoint DIR [--prompt TEXT | --prompt-ids 1,2,3] [options]

  --checkpoint DIR      a checkpoint directory (e.g. runs/sotu-tiny/checkpoint)
  --prompt TEXT         text to continue (needs the checkpoint's tokenizer.json)
  --prompt-ids LIST     token ids to continue, comma-separated
  --output text|ids     print decoded text (default when a tokenizer exists) or ids
  --max-new-tokens N    tokens to generate (default 200)
  --temperature T       0 = greedy (default 0.8)
  --top-k K             sample from the K most likely tokens
  --top-p P             nucleus sampling threshold
  --seed S              random seed (default 0)
  --num-samples N       independent samples (default 1)`,
  options: {
    checkpoint: { type: "string" },
    prompt: { type: "string" },
    "prompt-ids": { type: "string" },
    output: { type: "string" },
    "max-new-tokens": { type: "string" },
    temperature: { type: "string" },
    "top-k": { type: "string" },
    "top-p": { type: "string" },
    seed: { type: "string" },
    "num-samples": { type: "string" },
  },
  async run(values) {
    if (typeof values.checkpoint !== "string") throw new Error("--checkpoint DIR is required");
    const ckpt = loadCheckpoint(values.checkpoint);
    const model = modelFromCheckpoint(ckpt);
    const tok = ckpt.tokenizer;
    const output = (values.output as string | undefined) ?? (tok ? "text" : "ids");
    if (output !== "text" && output !== "ids") throw new Error(`--output must be "text" or "ids", got ${JSON.stringify(output)}`);
    if (output === "text" && !tok) throw new Error(`${ckpt.dir} has no tokenizer.json: use --prompt-ids and --output ids`);
    let prompt: number[];
    if (typeof values["prompt-ids"] === "string") {
      prompt = values["prompt-ids"].split(",").map((s) => {
        const id = Number(s.trim());
        if (!Number.isInteger(id) || id < 0 || id >= model.config.vocab_size) throw new Error(`--prompt-ids: ${JSON.stringify(s)} is not a token id in [0, ${model.config.vocab_size})`);
        return id;
      });
    } else {
      if (!tok) throw new Error(`${ckpt.dir} has no tokenizer.json: give --prompt-ids`);
      prompt = [...tok.encode(typeof values.prompt === "string" ? values.prompt : "")];
      if (prompt.length === 0) prompt = [tok.bosId];
    }
    const maxNew = intOption(values, "max-new-tokens", 200)!;
    const room = model.config.max_position_embeddings - prompt.length;
    if (room <= 0) throw new Error(`the prompt has ${prompt.length} tokens; the model's context is ${model.config.max_position_embeddings}`);
    const generator = new Generator(intOption(values, "seed", 0)!);
    const n = intOption(values, "num-samples", 1)!;
    for (let i = 0; i < n; i++) {
      const ids = generate(model, prompt, {
        maxNewTokens: Math.min(maxNew, room),
        temperature: numOption(values, "temperature", 0.8)!,
        topK: intOption(values, "top-k", undefined),
        topP: numOption(values, "top-p", undefined),
        generator,
      });
      if (n > 1) console.log(`--- sample ${i + 1} ---`);
      console.log(output === "ids" ? ids.join(",") : tok!.decode(ids));
    }
    return 0;
  },
};

export const evalCommand: Command = {
  usage: `usage: kiln eval --checkpoint DIR [--batches N]

  Validation loss (nats/token) and perplexity on the run's validation split.
  --batches N   validation batches to average (default: the whole split)`,
  options: { checkpoint: { type: "string" }, batches: { type: "string" } },
  async run(values) {
    if (typeof values.checkpoint !== "string") throw new Error("--checkpoint DIR is required");
    const ckpt = loadCheckpoint(values.checkpoint);
    if (!ckpt.trainer) throw new Error(`${ckpt.dir} has no trainer.json, so its data config is unknown`);
    const config = ckpt.trainer.config;
    const model = modelFromCheckpoint(ckpt);
    const data = prepareData(config, () => {}, ckpt.tokenizer ?? undefined);
    const limit = intOption(values, "batches", Infinity)!;
    let total = 0;
    let count = 0;
    noGrad(() => {
      let i = 0;
      for (const { inputs, targets } of data.val.sequentialBatches({ batchSize: config.train.batchSize, contextLength: config.data.contextLength })) {
        if (i++ >= limit) break;
        total += model.forward(inputs, targets).loss!.item() * targets.numel;
        count += targets.numel;
      }
    });
    const loss = total / count;
    console.log(`val loss ${loss.toFixed(4)} nats/token, perplexity ${Math.exp(loss).toFixed(2)} over ${count.toLocaleString("en-US")} tokens (unigram baseline ${data.baseline.unigram.toFixed(4)})`);
    return 0;
  },
};
