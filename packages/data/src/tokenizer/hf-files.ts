/**
 * @file The files beside `tokenizer.json` that make a directory a tokenizer to
 * transformers: `tokenizer_config.json` (class, BOS/EOS, no clean-up of
 * spaces, so decoding is exact) and `special_tokens_map.json` (read by 4.x).
 * With them `AutoTokenizer.from_pretrained(dir)` needs no extra arguments.
 */
import type { SpecialToken } from "./tokenizer.js";

/** Options of {@link hfTokenizerFiles} and `saveHf`. */
export interface HfTokenizerFilesOptions {
  /** The model's context (`model_max_length`); omitted when not given. */
  readonly modelMaxLength?: number;
}

/** What the files are made from: the special tokens and which serve as BOS and EOS. */
interface Specials {
  readonly specialTokens: readonly SpecialToken[];
  readonly bosId: number;
  readonly eosId: number;
}

/** The contents of `tokenizer_config.json` and `special_tokens_map.json` for a tokenizer, by file name. */
export function hfTokenizerFiles(tok: Specials, options: HfTokenizerFilesOptions = {}): Record<string, string> {
  const content = (id: number) => tok.specialTokens.find((s) => s.id === id)!.content;
  const map = { bos_token: content(tok.bosId), eos_token: content(tok.eosId) };
  const config = {
    tokenizer_class: "PreTrainedTokenizerFast",
    ...map,
    clean_up_tokenization_spaces: false,
    ...(options.modelMaxLength === undefined ? {} : { model_max_length: options.modelMaxLength }),
  };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return { "tokenizer_config.json": json(config), "special_tokens_map.json": json(map) };
}

/** BOS/EOS named by a `tokenizer_config.json` document (a string, or `{ content }` as transformers also writes). */
export function bosEosFromHfConfig(config: unknown): { bos?: string; eos?: string } {
  if (typeof config !== "object" || config === null) return {};
  const name = (v: unknown): string | undefined =>
    typeof v === "string" ? v : typeof v === "object" && v !== null && typeof (v as { content?: unknown }).content === "string" ? (v as { content: string }).content : undefined;
  const c = config as Record<string, unknown>;
  const out: { bos?: string; eos?: string } = {};
  const bos = name(c.bos_token);
  const eos = name(c.eos_token);
  if (bos !== undefined) out.bos = bos;
  if (eos !== undefined) out.eos = eos;
  return out;
}
