/**
 * @file `kiln sample` on foreign checkpoints: a llama2.c `.bin` with its
 * `tokenizer.bin`, token ids without any tokenizer, and a Hugging Face model
 * directory; plus the one-line errors when a tokenizer is missing or wrong.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ByteTokenizer, Llama2cTokenizer } from "@kiln/data";
import { Llama, generate, saveHf, saveLlama2c } from "@kiln/nn";
import { Generator, noGrad } from "@kiln/tensor";
import { describe, expect, it } from "vitest";
import { captureConsole } from "./console.js";
import { main } from "../src/cli/main.js";

const dir = mkdtempSync(join(tmpdir(), "kiln-sample-interop-"));
const bytePieces = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
const pieces = ["<unk>", "\n<s>\n", "\n</s>\n", ...bytePieces, " ", "a", "b", " a", " b", "ab", " ab"];
const tok = Llama2cTokenizer.fromPieces(pieces, pieces.map((_, i) => (i < 259 ? 0 : -i)));
const model = new Llama(
  { vocab_size: pieces.length, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 24, max_position_embeddings: 32, rms_norm_eps: 1e-5, tie_word_embeddings: true, initializer_range: 0.5 },
  { generator: new Generator(3) },
);
const binPath = join(dir, "model.bin");
const tokPath = join(dir, "tokenizer.bin");
saveLlama2c(model, binPath);
tok.save(tokPath);
const hfDir = join(dir, "hf");
saveHf(model, hfDir);

const { out, err } = captureConsole();

const greedy = (prompt: number[], n: number, eosTokenId: number | null) => noGrad(() => generate(model, prompt, { maxNewTokens: n, temperature: 0, eosTokenId }));

describe("kiln sample on llama2.c and Hugging Face files", () => {
  it("samples ids from a .bin without a tokenizer, stopping at BOS as run.c does", async () => {
    expect(await main(["sample", "--checkpoint", binPath, "--prompt-ids", "1,260", "--output", "ids", "--max-new-tokens", "8", "--temperature", "0"])).toBe(0);
    expect(out.join("")).toBe(greedy([1, 260], 8, 1).join(","));
    out.length = 0;
    expect(await main(["sample", "--checkpoint", binPath, "--prompt-ids", "1,260", "--max-new-tokens", "8", "--temperature", "0", "--eos-id", "none"])).toBe(0);
    expect(out.join("")).toBe(greedy([1, 260], 8, null).join(","));
  });

  it("encodes the prompt with BOS and decodes with tokenizer.bin", async () => {
    expect(await main(["sample", "--checkpoint", binPath, "--tokenizer", tokPath, "--prompt", "ab a", "--max-new-tokens", "6", "--temperature", "0", "--eos-id", "none"])).toBe(0);
    const ids = greedy([...tok.encode("ab a", { bos: true })], 6, null);
    expect(ids.slice(0, 3)).toEqual([1, pieces.indexOf(" ab"), pieces.indexOf(" a")]);
    expect(out.join("")).toBe(tok.decode(ids, { skipSpecial: true }));
    expect(out.join("")).toMatch(/^ab a/);
  });

  it("reads a Hugging Face directory (ids only: it has no kiln tokenizer)", async () => {
    expect(await main(["sample", "--checkpoint", hfDir, "--prompt-ids", "1,260", "--max-new-tokens", "5", "--temperature", "0"])).toBe(0);
    expect(out.join("")).toBe(greedy([1, 260], 5, null).join(","));
    expect(await main(["sample", "--checkpoint", hfDir, "--tokenizer", tokPath, "--prompt", "a", "--output", "ids", "--max-new-tokens", "2", "--temperature", "0"])).toBe(0);
  });

  it("uses a Hugging Face directory's own tokenizer.json for --prompt", async () => {
    const withTok = join(dir, "hf-tok");
    saveHf(model, withTok, { tokenizer: new ByteTokenizer() });
    expect(await main(["sample", "--checkpoint", withTok, "--prompt", "ab", "--output", "ids", "--max-new-tokens", "4", "--temperature", "0", "--eos-id", "none"])).toBe(0);
    expect(out.join("")).toBe(greedy([97, 98], 4, null).join(","));
  });

  it("names the problem in one line", async () => {
    expect(await main(["sample", "--checkpoint", binPath, "--prompt", "hi"])).toBe(1);
    expect(err.at(-1)).toBe(`kiln sample: ${binPath} has no tokenizer (give --tokenizer FILE): give --prompt-ids`);
    expect(await main(["sample", "--checkpoint", binPath, "--tokenizer", join(dir, "nope.bin"), "--prompt", "a"])).toBe(1);
    expect(err.at(-1)).toMatch(/--tokenizer: cannot read ".*nope\.bin" \(ENOENT\)/);
    const cut = join(dir, "cut.bin");
    writeFileSync(cut, new Uint8Array(1000));
    expect(await main(["sample", "--checkpoint", cut, "--prompt-ids", "1"])).toBe(1);
    expect(err.at(-1)).toMatch(/cut\.bin: not a valid llama2\.c checkpoint: header field dim = 0 is out of range/);
  });
});
