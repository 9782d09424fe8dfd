/**
 * @file `npm run interop:hf`: the live round trip with today's Hugging Face
 * stack, by hand (CI uses the committed fixtures instead). kiln train (tiny,
 * few steps) → transformers loads the checkpoint and a saveHf export (no
 * missing/unexpected keys; logits, greedy ids, AutoTokenizer, pipeline);
 * transformers save_pretrained in fp32/fp16/bf16 → kiln loadHf (logits, greedy
 * ids); tokenizers vs kiln on fixed and fuzzed texts. Prints the figures.
 * Python: $KILN_HF_PYTHON, else python3; skipped in one line without the packages.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer, pretokenize } from "@kiln/data";
import { Llama, generate, loadHf, saveHf } from "@kiln/nn";
import { resolveCheckpointDir, saveCheckpoint } from "@kiln/train";
import { loadSafetensors } from "@kiln/tensor";
import { compareWithHf, type HfExpectation } from "../packages/nn/test/hf-compare.js";

const ROOT = new URL("..", import.meta.url).pathname;
const PY = process.env.KILN_HF_PYTHON ?? "python3";
const SCRIPT = join(ROOT, "packages/nn/scripts/make_hf_fixtures.py");
const env = { ...process.env, HF_HUB_OFFLINE: "1", TRANSFORMERS_VERBOSITY: "error", TOKENIZERS_PARALLELISM: "false" };
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(" ")} … exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}
const python = (...args: string[]) => run(PY, [SCRIPT, ...args]);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

const probe = spawnSync(PY, ["-c", "import transformers, tokenizers, safetensors, torch"], { env, encoding: "utf8" });
if (probe.status !== 0) {
  console.log(`interop:hf: skipped — ${PY} cannot import transformers, tokenizers, safetensors and torch (set KILN_HF_PYTHON to a Python that can)`);
  process.exit(0);
}
const versions = JSON.parse(python("versions")) as Record<string, string>;
console.log(`interop:hf with ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(", ")}; node ${process.versions.node}`);
const work = mkdtempSync(join(tmpdir(), "kiln-interop-hf-"));

/** Seeded fuzz texts: whitespace of either definition, contractions, letters, digits, any code point (no lone surrogates: Rust strings cannot hold them). */
function fuzzTexts(n: number, seed: number): string[] {
  let s = seed >>> 0;
  const rand = (k: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * k;
  const tricky = [0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x180e, 0x2000, 0x200a, 0x200b, 0x2028, 0x2029, 0x202f, 0x205f, 0x2060, 0x3000, 0xfeff];
  const atoms = ["'s", "'t", "'re", "'ll", "'d", " ", "  ", "\n", "the", "State", "Union", "1776", "٣", "½", ",", ".", "!", "😀", "🇺🇸", "中文", "é"];
  const codePoint = () => {
    for (;;) {
      const cp = Math.floor(rand(3) < 1 ? 0x80 + rand(0x780) : rand(2) < 1 ? 0x800 + rand(0xf800) : 0x10000 + rand(0x100000));
      if (cp < 0xd800 || cp > 0xdfff) return String.fromCodePoint(cp);
    }
  };
  const pick = () => {
    const r = rand(4);
    return r < 1 ? String.fromCodePoint(tricky[Math.floor(rand(tricky.length))]!) : r < 2.5 ? atoms[Math.floor(rand(atoms.length))]! : r < 3.2 ? codePoint() : String.fromCharCode(0x20 + Math.floor(rand(95)));
  };
  return Array.from({ length: n }, () => Array.from({ length: Math.floor(rand(20)) }, pick).join(""));
}
const FIXED = ["The President of the United States", "\ufeff's", "a\u0085b", "Fellow-Citizens 🇺🇸", "I'll we've they're", "tabs\tand\r\nlines", "   "];
const FUZZ = fuzzTexts(1000, 42);

// ---------------------------------------------------------------- kiln → transformers
const runDir = join(work, "run");
run(process.execPath, [join(ROOT, "packages/train/bin/kiln.mjs"), "train", "--config", "configs/train/sotu-tiny.json", "--out", runDir,
  "--set", "train.steps=30", "--set", "train.evalInterval=30", "--set", "train.evalBatches=2", "--set", "train.checkpointInterval=30",
  "--set", "model.hidden_size=32", "--set", "model.num_hidden_layers=2", "--set", "model.num_key_value_heads=2", "--set", "model.rope_theta=50000",
  "--set", "data.vocabSize=512", "--set", "data.contextLength=64"]);
const checkpoint = resolveCheckpointDir(runDir);
const kilnModel = loadHf(checkpoint);
const kilnTok = Tokenizer.fromDir(checkpoint)!;
const exported = join(work, "exported");
saveHf(kilnModel, exported, { tokenizer: kilnTok });

// a prompt after which kiln's greedy continuation reaches EOS, if any, so the pipeline's stop is exercised
const PIPELINE_NEW = 48;
const greedyUntilEos = (text: string) => generate(kilnModel, [...kilnTok.encode(text)], { maxNewTokens: PIPELINE_NEW, temperature: 0 });
const prompts = ["The President", "Thank you.", "God bless America.", "Mr. Speaker,", "I thank you.", "Goodnight.", "The end"];
const pipelinePrompt = prompts.find((p) => greedyUntilEos(p).at(-1) === kilnTok.eosId) ?? prompts[0]!;
const kilnPipeline = greedyUntilEos(pipelinePrompt);

interface KilnCheck {
  architecture: string;
  loading_info: Record<string, string[]>;
  logits: number[];
  greedy_ids: number[];
  tokenizer: { class: string; bos_token: string; eos_token: string; bos_token_id: number; eos_token_id: number; ids: number[][] };
  pipeline: { generated_ids: number[]; eos_token_id: number | number[] };
}
const request = { input_ids: [[1, 5, 9, 13, 17, 21, 25, 29], [200, 40, 3, 33, 7, 50, 11, 60]], greedy_prompt: [...kilnTok.encode("The President")], greedy_new: 16, texts: [...FIXED, ...FUZZ], pipeline_prompt: pipelinePrompt, pipeline_new: PIPELINE_NEW };
writeFileSync(join(work, "request.json"), JSON.stringify(request));
for (const [label, dir] of [["kiln checkpoint", checkpoint], ["saveHf export", exported]] as const) {
  const out = join(work, `${label.replace(" ", "-")}.json`);
  python("check-kiln", dir, join(work, "request.json"), out);
  const r = readJson<KilnCheck>(out);
  const problems = Object.entries(r.loading_info).filter(([, v]) => v.length > 0);
  check(r.architecture === "LlamaForCausalLM" && problems.length === 0, `${label}: transformers loads ${r.architecture}, loading info ${JSON.stringify(r.loading_info)}`);
  const c = compareWithHf(kilnModel, { ...request, greedy_ids: r.greedy_ids, logits: r.logits });
  check(c.maxRel < 1e-5 && c.greedySame, `${label} → transformers: max |Δlogit| ${c.maxAbs.toExponential(2)} (${c.maxRel.toExponential(2)} relative), ${r.greedy_ids.length - request.greedy_prompt.length} greedy ids ${c.greedySame ? "equal" : "DIFFER"}`);
  const t = r.tokenizer;
  const bos = kilnTok.specialTokens.find((s) => s.id === kilnTok.bosId)!.content;
  const eos = kilnTok.specialTokens.find((s) => s.id === kilnTok.eosId)!.content;
  check(t.bos_token === bos && t.eos_token === eos && t.bos_token_id === kilnTok.bosId && t.eos_token_id === kilnTok.eosId,
    `${label}: AutoTokenizer (${t.class}) bos ${JSON.stringify(t.bos_token)}=${t.bos_token_id}, eos ${JSON.stringify(t.eos_token)}=${t.eos_token_id}`);
  const idDiffs = request.texts.filter((text, i) => [...kilnTok.encode(text, { allowSpecial: true })].join() !== t.ids[i]!.join()).length;
  check(idDiffs === 0, `${label}: AutoTokenizer ids vs kiln on ${request.texts.length} texts (${FIXED.length} fixed, ${FUZZ.length} fuzzed): ${idDiffs} differences`);
  const gen = r.pipeline.generated_ids;
  const stopped = gen.at(-1) === kilnTok.eosId;
  check(r.pipeline.eos_token_id === kilnTok.eosId && gen.join() === kilnPipeline.join(),
    `pipeline("text-generation", ${label}) on ${JSON.stringify(pipelinePrompt)}: eos_token_id ${JSON.stringify(r.pipeline.eos_token_id)}, ${gen.length} ids as kiln's generate${stopped ? ", both stopped at EOS" : `, no EOS within ${PIPELINE_NEW} new tokens`}`);
}

// a model that always predicts EOS (residual stream = embedding, whose unit 0 is 1; the head reads unit 0 into EOS only):
// the pipeline must stop after one new token, as kiln's generate does
{
  const V = kilnTok.vocabSize;
  const stopper = new Llama({ vocab_size: V, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, eos_token_id: kilnTok.eosId, bos_token_id: kilnTok.bosId, max_position_embeddings: 64 });
  const sd = stopper.stateDict();
  for (const [name, t] of Object.entries(sd)) {
    const d = t.contiguous().data as Float32Array;
    if (/o_proj|down_proj|lm_head|model\.norm/.test(name)) d.fill(0);
    if (name === "model.embed_tokens.weight") for (let v = 0; v < V; v++) d[v * 16] = 1;
    if (name === "model.norm.weight") d[0] = 1;
    if (name === "lm_head.weight") d[kilnTok.eosId * 16] = 10;
  }
  stopper.loadStateDict(sd);
  const dir = join(work, "stopper");
  saveHf(stopper, dir, { tokenizer: kilnTok });
  writeFileSync(join(work, "stopper.json"), JSON.stringify({ ...request, texts: FIXED, pipeline_prompt: "The President" }));
  python("check-kiln", dir, join(work, "stopper.json"), join(work, "stopper-out.json"));
  const gen = readJson<KilnCheck>(join(work, "stopper-out.json")).pipeline.generated_ids;
  const kiln = generate(stopper, [...kilnTok.encode("The President")], { maxNewTokens: PIPELINE_NEW, temperature: 0 });
  check(gen.join() === kiln.join() && gen.at(-1) === kilnTok.eosId && gen.length === kiln.length,
    `pipeline("text-generation") on a model that predicts EOS: stops after ${gen.length - kilnTok.encode("The President").length} new token(s), the last EOS ${kilnTok.eosId}; ids as kiln's generate`);
}

// ablation variants must not pass for LlamaForCausalLM
for (const variant of [{ norm: "layernorm" }, { ffn: "gelu_mlp" }, { positions: "learned" }] as const) {
  const dir = join(work, `ablation-${Object.values(variant)[0]}`);
  saveCheckpoint(dir, { model: new Llama({ vocab_size: 64, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, ...variant }) });
  const r = JSON.parse(python("refuses", dir)) as { refused: boolean; error?: string };
  check(r.refused, `kiln checkpoint with ${JSON.stringify(variant)}: AutoModelForCausalLM ${r.refused ? `refuses it (${r.error})` : "LOADS it"}`);
}

// ---------------------------------------------------------------- transformers → kiln
const hfDir = join(work, "hf-models");
python("models", hfDir);
for (const name of readdirSync(hfDir).sort()) {
  const dir = join(hfDir, name);
  const want = readJson<Omit<HfExpectation, "logits"> & { dtype: string }>(join(dir, "expected.json"));
  const logits = loadSafetensors(join(dir, "expected.safetensors")).tensors.logits!.contiguous().data;
  const c = compareWithHf(loadHf(dir), { ...want, logits });
  check(c.maxRel < 1e-5 && c.greedySame, `transformers ${want.dtype} ${name} → kiln: max |Δlogit| ${c.maxAbs.toExponential(2)} (${c.maxRel.toExponential(2)} relative), greedy ids ${c.greedySame ? "equal" : "DIFFER"}`);
}

// ---------------------------------------------------------------- tokenizers
const texts = [...FIXED, ...FUZZ];
writeFileSync(join(work, "texts.json"), JSON.stringify(texts));
const tokenizerFiles: [string, string][] = [["kiln (trained by kiln train)", join(checkpoint, "tokenizer.json")],
  ...["bytelevel-bpe", "template"].map((n): [string, string] => [n, join(ROOT, "packages/data/test/fixtures/hf", n, "tokenizer.json")])];
for (const [label, path] of tokenizerFiles) {
  const out = join(work, "tokenized.json");
  python("tokenize", path, join(work, "texts.json"), out);
  const r = readJson<{ encodings: { ids: number[]; decoded: string }[]; pretokens: string[][] }>(out);
  const tok = Tokenizer.load(path);
  let idDiffs = 0;
  let decodeDiffs = 0;
  texts.forEach((t, i) => {
    const ids = [...tok.encode(t, { allowSpecial: true })];
    if (ids.join() !== r.encodings[i]!.ids.join()) idDiffs++;
    if (tok.decode(r.encodings[i]!.ids) !== r.encodings[i]!.decoded) decodeDiffs++;
  });
  const preDiffs = texts.filter((t, i) => JSON.stringify(pretokenize(t)) !== JSON.stringify(r.pretokens[i])).length;
  check(idDiffs + decodeDiffs + preDiffs === 0, `tokenizers vs kiln, ${label}: ${texts.length} texts (${FUZZ.length} fuzzed): ${idDiffs} id, ${decodeDiffs} decode, ${preDiffs} pre-token differences`);
}

console.log(failures.length === 0 ? `interop:hf: all checks passed (work dir ${work})` : `interop:hf: ${failures.length} check(s) failed (work dir ${work})`);
process.exit(failures.length === 0 ? 0 : 1);
