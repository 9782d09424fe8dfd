/**
 * @file `kiln sample` and `kiln eval`: generation, and loss on any text
 * (eval/score.ts), from a checkpoint. `sample` also reads Hugging Face model directories and
 * llama2.c `.bin` files (with llama2.c's `tokenizer.bin`), or works on token
 * ids alone when there is no tokenizer.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Llama2cTokenizer, Tokenizer } from "@kiln/data";
import { generate, loadHf, loadLlama2c, type Llama } from "@kiln/nn";
import { Generator } from "@kiln/tensor";
import { loadCheckpoint, modelFromCheckpoint } from "../checkpoint/checkpoint.js";
import { scoreCheckpoint, scoreLines } from "../eval/score.js";
import type { Command } from "./main.js";

/** A model to sample from, its tokenizer (if any) and where generation stops by default. */
interface Sampling {
  model: Llama;
  tokenizer: Tokenizer | null;
  /** Default stop id: the config's EOS, or BOS (1) for llama2.c files, as run.c stops. */
  stopId: number | null;
}

/** Whether `dir` is (or claims to be) a kiln checkpoint: a `kiln` section in config.json, or trainer.json; unreadable ones go to `loadCheckpoint` for its errors. */
function isKilnCheckpoint(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as unknown;
    return existsSync(join(dir, "trainer.json")) || typeof config !== "object" || config === null || "kiln" in config;
  } catch {
    return true;
  }
}

/** Opens a kiln checkpoint directory, a Hugging Face model directory or a llama2.c `.bin` file. */
function openCheckpoint(path: string): Sampling {
  if (existsSync(path) && statSync(path).isFile()) return { model: loadLlama2c(path), tokenizer: null, stopId: 1 };
  if (!isKilnCheckpoint(path)) {
    const model = loadHf(path);
    return { model, tokenizer: null, stopId: model.config.eos_token_id };
  }
  const ckpt = loadCheckpoint(path);
  const model = modelFromCheckpoint(ckpt);
  return { model, tokenizer: ckpt.tokenizer, stopId: model.config.eos_token_id };
}

/** A tokenizer file: kiln's `tokenizer.json`, or llama2.c's `tokenizer.bin` (read with the model's vocab size, as run.c does). */
function openTokenizer(path: string, vocabSize: number): Tokenizer {
  let head: string;
  try {
    head = readFileSync(path).subarray(0, 64).toString("latin1").trimStart();
  } catch (e) {
    throw new Error(`--tokenizer: cannot read "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const tok = head.startsWith("{") ? Tokenizer.load(path) : Llama2cTokenizer.load(path, { vocabSize });
  if (tok.vocabSize > vocabSize) throw new Error(`--tokenizer: ${path} has ${tok.vocabSize} tokens but the model only ${vocabSize}`);
  return tok;
}

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
  usage: `usage: kiln sample --checkpoint PATH [--tokenizer FILE] [--prompt TEXT | --prompt-ids 1,2,3] [options]

  --checkpoint PATH     a kiln checkpoint directory (e.g. runs/sotu-tiny/checkpoint),
                        a Hugging Face model directory (config.json + model.safetensors)
                        or a llama2.c checkpoint file (model.bin, version 0 or 1)
  --tokenizer FILE      tokenizer to use instead of the checkpoint's: kiln's
                        tokenizer.json or llama2.c's tokenizer.bin
  --prompt TEXT         text to continue (needs a tokenizer; llama2.c tokenizers add BOS as run.c does)
  --prompt-ids LIST     token ids to continue, comma-separated (works without a tokenizer)
  --output text|ids     print decoded text (default when a tokenizer exists) or ids
  --max-new-tokens N    tokens to generate (default 200); past the model's context
                        each token sees the last max_position_embeddings tokens
  --temperature T       0 = greedy (default 0.8)
  --top-k K             sample from the K most likely tokens
  --top-p P             nucleus sampling threshold
  --eos-id ID|none      stop after this id (default: the config's eos_token_id; 1 = BOS
                        for llama2.c files, where run.c stops)
  --seed S              random seed (default 0)
  --num-samples N       independent samples (default 1)`,
  options: {
    checkpoint: { type: "string" },
    tokenizer: { type: "string" },
    prompt: { type: "string" },
    "prompt-ids": { type: "string" },
    output: { type: "string" },
    "max-new-tokens": { type: "string" },
    temperature: { type: "string" },
    "top-k": { type: "string" },
    "top-p": { type: "string" },
    "eos-id": { type: "string" },
    seed: { type: "string" },
    "num-samples": { type: "string" },
  },
  async run(values) {
    if (typeof values.checkpoint !== "string") throw new Error("--checkpoint PATH is required");
    const opened = openCheckpoint(values.checkpoint);
    const model = opened.model;
    const V = model.config.vocab_size;
    const tok = typeof values.tokenizer === "string" ? openTokenizer(values.tokenizer, V) : opened.tokenizer;
    const noTok = `${values.checkpoint} has no tokenizer (give --tokenizer FILE)`;
    const output = (values.output as string | undefined) ?? (tok ? "text" : "ids");
    if (output !== "text" && output !== "ids") throw new Error(`--output must be "text" or "ids", got ${JSON.stringify(output)}`);
    if (output === "text" && !tok) throw new Error(`${noTok}: use --prompt-ids and --output ids`);
    let prompt: number[];
    if (typeof values["prompt-ids"] === "string") {
      prompt = values["prompt-ids"].split(",").map((s) => {
        const id = Number(s.trim());
        if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`--prompt-ids: ${JSON.stringify(s)} is not a token id in [0, ${V})`);
        return id;
      });
    } else {
      if (!tok) throw new Error(`${noTok}: give --prompt-ids`);
      const text = typeof values.prompt === "string" ? values.prompt : "";
      prompt = [...(tok instanceof Llama2cTokenizer ? tok.encode(text, { bos: true }) : tok.encode(text))];
      if (prompt.length === 0) prompt = [tok.bosId];
    }
    const eos = values["eos-id"];
    const eosTokenId = eos === undefined ? opened.stopId : eos === "none" ? null : intOption(values, "eos-id", undefined)!;
    const maxNew = intOption(values, "max-new-tokens", 200)!;
    const context = model.config.max_position_embeddings;
    if (prompt.length > context) console.error(`kiln sample: the prompt has ${prompt.length} tokens; the model sees only the last ${context}`);
    const generator = new Generator(intOption(values, "seed", 0)!);
    const n = intOption(values, "num-samples", 1)!;
    for (let i = 0; i < n; i++) {
      const ids = generate(model, prompt, {
        maxNewTokens: maxNew,
        temperature: numOption(values, "temperature", 0.8)!,
        topK: intOption(values, "top-k", undefined),
        topP: numOption(values, "top-p", undefined),
        generator,
        eosTokenId,
      });
      if (n > 1) console.log(`--- sample ${i + 1} ---`);
      console.log(output === "ids" ? ids.join(",") : tok!.decode(ids, { skipSpecial: tok instanceof Llama2cTokenizer }));
    }
    return 0;
  },
};

export const evalCommand: Command = {
  usage: `usage: kiln eval --checkpoint DIR [--text PATH | --split val|train] [--sequences N|all]

  Loss (nats/token) and perplexity of a checkpoint, with its standard error over
  windows, beside unigram and bigram baselines fitted on the run's training split.
  --text PATH         score this text instead: a .txt file, a directory of .txt
                      files or a .jsonl corpus (field "text")
  --split val|train   which split of the run's corpus to score (default val)
  --sequences N|all   windows of the run's context length spread evenly over the
                      text, or all of it (default: for the validation split the
                      run's own evaluation sample, so the trainer's number; else all)`,
  options: { checkpoint: { type: "string" }, text: { type: "string" }, split: { type: "string" }, sequences: { type: "string" } },
  async run(values) {
    if (typeof values.checkpoint !== "string") throw new Error("--checkpoint DIR is required");
    const ckpt = loadCheckpoint(values.checkpoint);
    if (!ckpt.trainer) throw new Error(`${ckpt.dir} has no trainer.json, so its data config is unknown`);
    if (!ckpt.tokenizer) throw new Error(`${ckpt.dir} has no tokenizer.json to tokenize the text with`);
    const split = values.split ?? "val";
    if (split !== "val" && split !== "train") throw new Error(`--split must be "val" or "train", got ${JSON.stringify(split)}`);
    if (values.text !== undefined && values.split !== undefined) throw new Error("--text and --split exclude each other: --text scores the named text instead of a split");
    const sequences = values.sequences === "all" ? null : intOption(values, "sequences", undefined);
    if (sequences !== undefined && sequences !== null && sequences < 1) throw new Error(`--sequences must be a positive integer or "all", got ${JSON.stringify(values.sequences)}`);
    const score = scoreCheckpoint(modelFromCheckpoint(ckpt), ckpt.trainer.config, ckpt.tokenizer, { text: values.text as string | undefined, split, sequences });
    for (const line of scoreLines(score)) console.log(line);
    return 0;
  },
};
