/**
 * @file `Tokenizer.load(path)` / `Tokenizer.fromJSON(json)`: read a Hugging Face
 * `tokenizer.json` (byte-level BPE, e.g. one saved by kiln or GPT-2's) into the
 * right kiln tokenizer: {@link ByteTokenizer} when it has no merges, else BPE.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BosEosOptions } from "./base.js";
import { BpeTokenizer } from "./bpe.js";
import { ByteTokenizer } from "./byte.js";
import { bosEosFromHfConfig } from "./hf-files.js";
import { fromHfJson } from "./hf-json.js";
import type { Tokenizer as TokenizerContract } from "./tokenizer.js";

/** A kiln tokenizer (see the `Tokenizer` interface in `tokenizer.ts`). */
export type Tokenizer = TokenizerContract;

function fromParsed(json: unknown, source: string, options: BosEosOptions): Tokenizer {
  const model = fromHfJson(json, source);
  const isPlainBytes =
    model.merges.length === 0 &&
    !model.postProcessor &&
    model.tokenBytes.length === 256 &&
    model.tokenBytes.every((b, id) => b?.length === 1 && b[0] === id) &&
    model.specials.every((s, i) => s.id === 256 + i);
  try {
    return isPlainBytes
      ? new ByteTokenizer({ ...options, specialTokens: model.specials.map((s) => s.content) })
      : new BpeTokenizer(model, options);
  } catch (err) {
    throw new Error(`Tokenizer.load: ${source}: ${(err as Error).message}`, { cause: err });
  }
}

/** Loading entry points for tokenizers saved as `tokenizer.json`. */
export const Tokenizer = {
  /**
   * Reads a tokenizer saved with `save(path)` (Hugging Face `tokenizer.json`).
   * BOS/EOS are not part of that format: pass them, or the convention of
   * `resolveBosEos` picks them from the special tokens.
   */
  load(path: string, options: BosEosOptions = {}): Tokenizer {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`Tokenizer.load: cannot read "${path}": ${(err as Error).message}`, { cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`Tokenizer.load: "${path}" is not valid JSON (${(err as Error).message})`, { cause: err });
    }
    return fromParsed(json, `"${path}"`, options);
  },

  /**
   * The tokenizer of a model directory (kiln checkpoint or Hugging Face):
   * `dir/tokenizer.json`, with BOS/EOS from `dir/tokenizer_config.json` when it
   * names them; null when the directory has no tokenizer.json.
   */
  fromDir(dir: string): Tokenizer | null {
    const path = join(dir, "tokenizer.json");
    if (!existsSync(path)) return null;
    const configPath = join(dir, "tokenizer_config.json");
    let config: unknown = null;
    if (existsSync(configPath)) {
      try {
        config = JSON.parse(readFileSync(configPath, "utf8"));
      } catch (err) {
        throw new Error(`Tokenizer.fromDir: "${configPath}" is not valid JSON (${(err as Error).message})`, { cause: err });
      }
    }
    return Tokenizer.load(path, bosEosFromHfConfig(config));
  },

  /** Builds a tokenizer from an already-parsed `tokenizer.json` document. */
  fromJSON(json: unknown, options: BosEosOptions = {}): Tokenizer {
    return fromParsed(json, "tokenizer JSON", options);
  },
};
