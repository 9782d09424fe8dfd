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
import { resolveCheckpointDir } from "../checkpoint/store.js";
import { scoreCheckpoint, scoreLines } from "../eval/score.js";
import { UsageError } from "./args.js";
import { intFlag, numFlag, tokenIdsFlag } from "./flags.js";
import type { Command } from "./command.js";

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
    return { model, tokenizer: Tokenizer.fromDir(path), stopId: model.config.eos_token_id }; // the directory's tokenizer.json, if any
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

export const sampleCommand: Command = {
  usage: `usage: kiln sample --checkpoint PATH [--tokenizer FILE] [--prompt TEXT | --prompt-ids 1,2,3] [options]

  --checkpoint PATH     a kiln run directory (its newest checkpoint, e.g. runs/sotu-tiny),
                        one of its checkpoints (runs/sotu-tiny/checkpoints/step-000600),
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
  --top-k K             sample from the K most likely tokens (an integer ≥ 1)
  --top-p P             nucleus sampling threshold (in (0, 1])
  --eos-id ID|none      stop after this id (default: the config's eos_token_id; 1 = BOS
                        for llama2.c files, where run.c stops)
  --seed S              random seed (default 0)
  --num-samples N       independent samples (default 1)

  Every flag is checked, even those --temperature 0 leaves unused.`,
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
  positional: () => "checkpoint",
  async run(values) {
    if (typeof values.checkpoint !== "string") throw new UsageError("--checkpoint PATH is required (a run directory, a checkpoint directory or a llama2.c .bin)");
    if (values.prompt !== undefined && values["prompt-ids"] !== undefined) throw new UsageError("give --prompt or --prompt-ids, not both");
    // every flag is checked before the model is loaded; token ids once its vocabulary is known
    const maxNew = intFlag(values, "max-new-tokens", 200, { min: 0 });
    const temperature = numFlag(values, "temperature", 0.8, { min: 0 });
    const topK = intFlag(values, "top-k", undefined, { min: 1 });
    const topP = numFlag(values, "top-p", undefined, { min: 0, max: 1, exclusiveMin: true });
    const seed = intFlag(values, "seed", 0, { min: 0 });
    const n = intFlag(values, "num-samples", 1, { min: 1 });
    const eos = values["eos-id"];
    const eosFlag = eos === undefined || eos === "none" ? undefined : intFlag(values, "eos-id", 0, { min: 0 });
    const output = (values.output as string | undefined);
    if (output !== undefined && output !== "text" && output !== "ids") throw new UsageError(`--output must be "text" or "ids", got ${JSON.stringify(output)}`);
    const opened = openCheckpoint(resolveCheckpointDir(values.checkpoint));
    const model = opened.model;
    const V = model.config.vocab_size;
    if (topK !== undefined && topK > V) throw new UsageError(`--top-k must be ≤ the vocabulary size ${V}, got ${topK}`);
    if (eosFlag !== undefined && eosFlag >= V) throw new UsageError(`--eos-id must be a token id in [0, ${V}), got ${eosFlag}`);
    const tok = typeof values.tokenizer === "string" ? openTokenizer(values.tokenizer, V) : opened.tokenizer;
    const noTok = `${values.checkpoint} has no tokenizer (give --tokenizer FILE)`;
    const mode = output ?? (tok ? "text" : "ids");
    if (mode === "text" && !tok) throw new Error(`${noTok}: use --prompt-ids and --output ids`);
    let prompt: number[];
    if (typeof values["prompt-ids"] === "string") {
      prompt = tokenIdsFlag("prompt-ids", values["prompt-ids"], V);
    } else {
      if (!tok) throw new Error(`${noTok}: give --prompt-ids`);
      const text = typeof values.prompt === "string" ? values.prompt : "";
      prompt = [...(tok instanceof Llama2cTokenizer ? tok.encode(text, { bos: true }) : tok.encode(text))];
      if (prompt.length === 0) prompt = [tok.bosId];
    }
    const eosTokenId = eos === undefined ? opened.stopId : eos === "none" ? null : eosFlag!;
    const context = model.config.max_position_embeddings;
    if (prompt.length > context) console.error(`kiln sample: the prompt has ${prompt.length} tokens; the model sees only the last ${context}`);
    const generator = new Generator(seed);
    for (let i = 0; i < n; i++) {
      const ids = generate(model, prompt, { maxNewTokens: maxNew, temperature, topK, topP, generator, eosTokenId });
      if (n > 1) console.log(`--- sample ${i + 1} ---`);
      console.log(mode === "ids" ? ids.join(",") : tok!.decode(ids, { skipSpecial: tok instanceof Llama2cTokenizer }));
    }
    return 0;
  },
};

/** `--sequences N|all`: a positive integer, "all" (null), or absent (undefined). */
function sequencesFlag(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new UsageError(`--sequences must be a positive integer or "all", got ${JSON.stringify(raw)}`);
  return n;
}

export const evalCommand: Command = {
  usage: `usage: kiln eval --checkpoint DIR [--text PATH | --split val|train] [--sequences N|all]

  DIR: a run directory (its newest checkpoint) or one of its checkpoints.

  Loss (nats/token) and perplexity of a checkpoint, with its standard error over
  windows, beside unigram and bigram baselines fitted on the run's training split.
  --text PATH         score this text instead: a .txt file, a directory of .txt
                      files or a .jsonl corpus (field "text")
  --split val|train   which split of the run's corpus to score (default val)
  --sequences N|all   windows of the run's context length spread evenly over the
                      text, or all of it (default: for the validation split the
                      run's own evaluation sample, so the trainer's number; else all)`,
  options: { checkpoint: { type: "string" }, text: { type: "string" }, split: { type: "string" }, sequences: { type: "string" } },
  positional: () => "checkpoint",
  async run(values) {
    if (typeof values.checkpoint !== "string") throw new UsageError("--checkpoint DIR is required (a run directory or one of its checkpoints)");
    const split = values.split ?? "val";
    if (split !== "val" && split !== "train") throw new UsageError(`--split must be "val" or "train", got ${JSON.stringify(split)}`);
    if (values.text !== undefined && values.split !== undefined) throw new UsageError("--text and --split exclude each other: --text scores the named text instead of a split");
    const sequences = values.sequences === "all" ? null : sequencesFlag(values.sequences);
    const ckpt = loadCheckpoint(resolveCheckpointDir(values.checkpoint));
    if (!ckpt.trainer) throw new Error(`${ckpt.dir} has no trainer.json, so its data config is unknown`);
    if (!ckpt.tokenizer) throw new Error(`${ckpt.dir} has no tokenizer.json to tokenize the text with`);
    const score = scoreCheckpoint(modelFromCheckpoint(ckpt), ckpt.trainer.config, ckpt.tokenizer, { text: values.text as string | undefined, split, sequences });
    for (const line of scoreLines(score)) console.log(line);
    return 0;
  },
};
