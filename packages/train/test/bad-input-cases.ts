/**
 * @file The bad-input table: command lines, configs, checkpoints and corpora
 * that kiln must refuse with exit code 1 (a bad file or value) or 2 (a
 * command-line mistake), one line naming the problem, and no stack trace.
 * `makeBadInputFixture` builds what the rows point at: a tiny finished run
 * and damaged copies of its files.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { latestCheckpoint } from "../src/checkpoint/store.js";
import { parseTrainConfig } from "../src/config/train-config.js";
import { Trainer } from "../src/trainer.js";
import { makeCorpusDir, quietIO, tempRunDir } from "./helpers.js";

/** One row: what is run, the exit code and the line expected on stderr. */
export interface BadInputCase {
  what: string;
  args: string[];
  code: 1 | 2;
  error: RegExp;
}

/** Paths of a tiny finished run, its config and damaged variants. */
export interface BadInputFixture {
  root: string;
  config: string;
  run: string;
  ckpt: string;
}

const RAW = (corpus: string, cache: string) => ({
  name: "bad-input",
  model: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, tie_word_embeddings: true },
  data: { corpus, tokenizer: "byte", contextLength: 16, cacheDir: cache },
  optim: { warmupSteps: 1 },
  train: { steps: 2, batchSize: 2, evalInterval: 2, evalBatches: 1, checkpointInterval: 0, logInterval: 1 },
  sample: { prompts: ["the"], maxNewTokens: 2 },
});

/** Trains the tiny run and writes every damaged file the table names. */
export async function makeBadInputFixture(): Promise<BadInputFixture> {
  const root = tempRunDir();
  const corpus = makeCorpusDir();
  const raw = RAW(corpus, join(root, "cache"));
  const config = join(root, "tiny.json");
  writeFileSync(config, JSON.stringify(raw));
  const run = join(root, "run");
  await Trainer.create(parseTrainConfig(raw), run, quietIO()).run();
  const ckpt = latestCheckpoint(run)!;
  const damaged = (name: string, edit: (dir: string) => void) => {
    const dir = join(root, name);
    cpSync(ckpt, dir, { recursive: true });
    edit(dir);
  };
  damaged("truncated", (d) => writeFileSync(join(d, "model.safetensors"), readFileSync(join(d, "model.safetensors")).subarray(0, 100)));
  damaged("swapped", (d) => copyFileSync(join(d, "optimizer.safetensors"), join(d, "model.safetensors")));
  damaged("other-config", (d) => {
    const c = JSON.parse(readFileSync(join(d, "config.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(d, "config.json"), JSON.stringify({ ...c, num_hidden_layers: 3 }));
  });
  damaged("binary-trainer", (d) => writeFileSync(join(d, "trainer.json"), Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a])));
  damaged("empty-config", (d) => writeFileSync(join(d, "config.json"), ""));
  writeFileSync(join(root, "binary.json"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
  writeFileSync(join(root, "cut.json"), JSON.stringify(raw).slice(0, 40));
  writeFileSync(join(root, "list.json"), "[1, 2]");
  mkdirSync(join(root, "empty-corpus"));
  writeFileSync(join(root, "binary-corpus.txt"), Buffer.from([0x00, 0x01, 0x02, 0xff]));
  writeFileSync(join(root, "short-corpus.txt"), "too short.");
  writeFileSync(join(root, "bad.jsonl"), '{"text": 3}\n');
  mkdirSync(join(root, "not-a-run"));
  return { root, config, run, ckpt };
}

/** The table. */
export function badInputCases(f: BadInputFixture): BadInputCase[] {
  const train = (...set: string[]) => ["train", "--config", f.config, "--out", join(f.root, "never"), ...set.flatMap((s) => ["--set", s])];
  const sample = (...a: string[]) => ["sample", "--checkpoint", f.run, "--prompt-ids", "1,2", ...a];
  const corpus = (c: string) => train(`data.corpus=${c}`);
  return [
    { what: "unknown config key", args: train("optim.lrr=1"), code: 1, error: /unknown config key "optim\.lrr" \(did you mean "optim\.lr"\?\)/ },
    { what: "negative step count", args: train("train.steps=-3"), code: 1, error: /train\.steps must be an integer ≥ 1, got -3/ },
    { what: "fractional step count", args: train("train.steps=2.5"), code: 1, error: /train\.steps must be an integer ≥ 1, got 2\.5/ },
    { what: "string for a number", args: train("optim.lr=fast"), code: 1, error: /optim\.lr must be a number > 0, got "fast"/ },
    { what: "unknown choice", args: train("data.tokenizer=wordpiece"), code: 1, error: /data\.tokenizer must be one of "bpe", "byte", got "wordpiece"/ },
    { what: "heads do not divide width", args: train("model.hidden_size=33"), code: 1, error: /hidden_size 33 is not divisible by num_attention_heads 2/ },
    { what: "absurd model size", args: train("model.hidden_size=1000000"), code: 1, error: /needs about [\d.]+ TiB .* more than this machine's/ },
    { what: "--set without =", args: train("train"), code: 1, error: /--set expects key=value, got "train"/ },
    { what: "config is a binary file", args: ["train", "--config", join(f.root, "binary.json")], code: 1, error: /binary\.json: config is not valid JSON \(a binary file, not JSON\)/ },
    { what: "config cut short", args: ["train", "--config", join(f.root, "cut.json")], code: 1, error: /cut\.json: config is not valid JSON \(/ },
    { what: "config is a list", args: ["train", "--config", join(f.root, "list.json")], code: 1, error: /list\.json: a config must be a JSON object/ },
    { what: "config missing", args: ["train", "--config", join(f.root, "missing.json")], code: 1, error: /missing\.json: cannot read config \(ENOENT\)/ },
    { what: "mistyped option", args: ["train", "--confg", f.config], code: 2, error: /unknown option --confg \(did you mean --config\?\)/ },
    { what: "mistyped command", args: ["trian"], code: 2, error: /unknown command "trian" \(did you mean "train"\?\)/ },
    { what: "two positional paths", args: ["train", f.config, f.config], code: 2, error: /unexpected argument/ },
    { what: "option without its value", args: ["train", "--config"], code: 2, error: /--config needs a value/ },
    { what: "value for a switch", args: ["train", "--overwrite=yes", "--config", f.config], code: 2, error: /--overwrite takes no value/ },
    { what: "train into an existing run", args: ["train", "--config", f.config, "--out", f.run], code: 2, error: /already holds a run .*--resume .*another --out.*--overwrite/ },
    { what: "resume changing the model", args: ["train", "--resume", f.run, "--set", "model.hidden_size=32"], code: 1, error: /--set model\.hidden_size cannot change on --resume/ },
    { what: "resume a finished run", args: ["train", "--resume", f.run], code: 1, error: /this run is finished \(2 of 2 steps\)/ },
    { what: "resume a directory without a run", args: ["train", "--resume", join(f.root, "not-a-run")], code: 1, error: /no checkpoint to resume from/ },
    { what: "--top-k negative", args: sample("--top-k", "-5"), code: 2, error: /--top-k must be an integer ≥ 1, got "-5"/ },
    { what: "--top-k fractional", args: sample("--top-k", "2.5"), code: 2, error: /--top-k must be an integer ≥ 1, got "2\.5"/ },
    { what: "--top-p out of range, greedy", args: sample("--top-p", "1.5", "--temperature", "0"), code: 2, error: /--top-p must be a number > 0 and ≤ 1, got "1\.5"/ },
    { what: "--temperature negative", args: sample("--temperature", "-1"), code: 2, error: /--temperature must be a number ≥ 0, got "-1"/ },
    { what: "--num-samples negative", args: sample("--num-samples", "-1"), code: 2, error: /--num-samples must be an integer ≥ 1, got "-1"/ },
    { what: "--max-new-tokens not a number", args: sample("--max-new-tokens", "many"), code: 2, error: /--max-new-tokens must be an integer ≥ 0, got "many"/ },
    { what: "--seed fractional", args: sample("--seed", "1.5"), code: 2, error: /--seed must be an integer ≥ 0, got "1\.5"/ },
    { what: "--prompt-ids empty", args: ["sample", "--checkpoint", f.run, "--prompt-ids", ""], code: 2, error: /--prompt-ids is empty/ },
    { what: "--prompt-ids empty item", args: ["sample", "--checkpoint", f.run, "--prompt-ids", "1,,2"], code: 2, error: /--prompt-ids: item 2 of "1,,2" is empty/ },
    { what: "token id out of range", args: ["sample", "--checkpoint", f.run, "--prompt-ids", "1,300"], code: 2, error: /--prompt-ids: "300" is not a token id in \[0, 257\)/ },
    { what: "--eos-id out of range", args: sample("--eos-id", "999"), code: 2, error: /--eos-id must be a token id in \[0, 257\), got 999/ },
    { what: "--sequences 0", args: ["eval", f.run, "--sequences", "0"], code: 2, error: /--sequences must be a positive integer or "all", got "0"/ },
    { what: "--sequences negative", args: ["eval", f.run, "--sequences", "-2"], code: 2, error: /--sequences must be a positive integer or "all", got "-2"/ },
    { what: "no such checkpoint", args: ["sample", "--checkpoint", join(f.root, "nope"), "--prompt-ids", "1"], code: 1, error: /nope: no such checkpoint directory/ },
    { what: "truncated weights", args: ["sample", "--checkpoint", join(f.root, "truncated"), "--prompt-ids", "1"], code: 1, error: /model\.safetensors.*truncated/ },
    { what: "optimizer file as weights", args: ["info", "--checkpoint", join(f.root, "swapped")], code: 1, error: /^kiln info: does not load: .*model\.safetensors: is a kiln optimizer state \(AdamW moments of \d+ parameters\), not model weights/ },
    { what: "config.json disagrees with the weights", args: ["eval", join(f.root, "other-config")], code: 1, error: /does not match config\.json: it lacks 18 tensors the config needs \(model\.layers\.1\.[^,]+, [^,]+, [^,]+, … 15 more\)/ },
    { what: "binary trainer.json", args: ["info", join(f.root, "binary-trainer")], code: 1, error: /trainer\.json: the trainer state is truncated or corrupt \(a binary file, not JSON\)/ },
    { what: "empty config.json", args: ["info", join(f.root, "empty-config")], code: 1, error: /config\.json: the model config is truncated or corrupt \(ends before the JSON is complete\)/ },
    { what: "corpus: empty directory", args: corpus(join(f.root, "empty-corpus")), code: 1, error: /no \.txt files in directory/ },
    { what: "corpus: binary file", args: corpus(join(f.root, "binary-corpus.txt")), code: 1, error: /looks binary \(NUL byte at offset 0\)/ },
    { what: "corpus: shorter than the context", args: corpus(join(f.root, "short-corpus.txt")), code: 1, error: /fewer than one context window|too few for contextLength/ },
    { what: "corpus: .jsonl without text", args: corpus(join(f.root, "bad.jsonl")), code: 1, error: /field "text" must be a string, got number/ },
  ];
}
