"""kiln ↔ today's Hugging Face stack: fixtures made with the real libraries, and the live checks of `npm run interop:hf`.

The committed fixtures were made with: Python 3.11.7, torch 2.13.0+cpu, transformers 5.18.0,
tokenizers 0.23.2, safetensors 0.8.0, numpy 2.4.6, huggingface_hub 1.33.0 (a virtualenv; CI needs none of it).

    python packages/nn/scripts/make_hf_fixtures.py            # rewrite every fixture below (~1 min)

writes
  packages/data/src/tokenizer/hf-classes.ts        whitespace / letter / number classes of tokenizers' ByteLevel regex,
                                                    probed on every code point (Oniguruma's tables, not V8's)
  packages/data/test/fixtures/hf/pretokens.json    fuzzed Unicode strings and tokenizers' ByteLevel pre-tokens
  packages/data/test/fixtures/hf/<name>/           tokenizer.json (ByteLevelBPETokenizer, a TemplateProcessing recipe,
                                                    kiln's own trainBpe) + expected.json (ids and decodes by tokenizers)
  packages/nn/test/fixtures/hf/<name>/             LlamaForCausalLM.save_pretrained in float32 / float16 / bfloat16,
                                                    tied and untied, GQA, θ and ε off their defaults, one sharded;
                                                    expected.json (input ids, greedy ids) + expected.safetensors (logits)

Subcommands used by packages/nn/scripts/interop-hf.ts (the live round trip):
  models OUT                      the same Hugging Face models as the fixtures, written to OUT
  check-kiln DIR IN.json OUT.json transformers/AutoTokenizer/pipeline on a directory kiln wrote
  refuses DIR                     whether AutoModelForCausalLM refuses DIR (a kiln ablation checkpoint)
  tokenize TOKENIZER.json IN.json OUT.json   ids of texts by tokenizers
  versions                        print the versions as JSON
"""

import json
import os
import random
import subprocess
import sys
import unicodedata

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
NN_FIX = os.path.join(ROOT, "packages", "nn", "test", "fixtures", "hf")
DATA_FIX = os.path.join(ROOT, "packages", "data", "test", "fixtures", "hf")
CLASSES_TS = os.path.join(ROOT, "packages", "data", "src", "tokenizer", "hf-classes.ts")
INPUT_IDS = [[1, 5, 9, 13, 17, 21, 25, 29], [2, 40, 3, 33, 7, 50, 11, 60]]
GREEDY_PROMPT = [1, 7, 3]
GREEDY_NEW = 12


def versions():
    import safetensors
    import tokenizers
    import transformers

    return {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "safetensors": safetensors.__version__, "numpy": np.__version__}


# ---------------------------------------------------------------------------------------------- pre-tokenizer classes

def byte_decoder():
    """GPT-2's byte-level alphabet, reversed (char → byte)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


BYTES = byte_decoder()


def hf_pretokens(text, pre=None):
    from tokenizers.pre_tokenizers import ByteLevel

    pre = pre or ByteLevel(add_prefix_space=False, use_regex=True)
    return [bytes(BYTES[c] for c in piece).decode("utf-8") for piece, _ in pre.pre_tokenize_str(text)]


def probe_classes():
    """W(hitespace) / L(etter) / N(umber) / O(ther) of every code point as tokenizers' regex sees it.

    "a" c "!" and "1" c "1" split differently for each class under
    's|'t|... | ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+ ; U+0020 is whitespace by definition.
    """
    from tokenizers.pre_tokenizers import ByteLevel

    pre = ByteLevel(add_prefix_space=False, use_regex=True)
    out = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            out.append("O")
            continue
        c = chr(cp)
        a = hf_pretokens("a" + c + "!", pre)
        if cp == 0x20 or a == ["a", c, "!"] and hf_pretokens("1" + c + "1", pre) == ["1", c, "1"]:
            out.append("W")
        elif a == ["a" + c, "!"]:
            out.append("L")
        elif hf_pretokens("1" + c + "1", pre) == ["1" + c + "1"]:
            out.append("N")
        elif a == ["a", c + "!"]:
            out.append("O")
        else:
            raise SystemExit(f"U+{cp:04X}: unexpected pre-tokens {a}")
    return "".join(out)


def ranges(classes, k):
    out, start = [], None
    for cp, c in enumerate(classes + "#"):
        if c == k and start is None:
            start = cp
        elif c != k and start is not None:
            out.append((start, cp - 1))
            start = None
    return out


def write_classes_ts(classes):
    lines = ["/**",
             " * @file GENERATED by packages/nn/scripts/make_hf_fixtures.py (tokenizers " + versions()["tokenizers"] + "): the code points",
             " * Hugging Face tokenizers' ByteLevel regex (Oniguruma) counts as `\\s`, `\\p{L}` and `\\p{N}`, probed one",
             " * by one, as `start-end` hex ranges. V8's own `\\s` differs (U+0085, U+FEFF) and so can its Unicode version.",
             " */", ""]
    for name, k, what in [("HF_WHITESPACE", "W", "`\\s`"), ("HF_LETTERS", "L", "`\\p{L}`"), ("HF_NUMBERS", "N", "`\\p{N}`")]:
        rs = [f"{a:x}-{b:x}" for a, b in ranges(classes, k)]
        chunks = [" ".join(rs[i:i + 12]) for i in range(0, len(rs), 12)]
        lines.append(f"/** {what} of tokenizers' pre-tokenizer regex ({len(rs)} ranges). */")
        lines.append(f"export const {name} =")
        lines.append("  " + " +\n  ".join(json.dumps(c + (" " if i < len(chunks) - 1 else "")) for i, c in enumerate(chunks)) + ";")
        lines.append("")
    with open(CLASSES_TS, "w") as f:
        f.write("\n".join(lines))


def ecmascript_whitespace():
    """ECMAScript's \\s: WhiteSpace (TAB VT FF ZWNBSP + Zs) and LineTerminator (LF CR LS PS)."""
    zs = {cp for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Zs"}
    return zs | {0x9, 0xB, 0xC, 0xFEFF, 0xA, 0xD, 0x2028, 0x2029}


def fuzz_strings(classes, count, seed):
    """Random strings over the characters that matter: every whitespace of either definition (and Python's), letters
    and numbers HF knows and ones it does not (newer Unicode), contractions, digits, punctuation, emoji, any code point."""
    rng = random.Random(seed)
    hf_ws = {cp for cp, c in enumerate(classes) if c == "W"}
    py_ws = {cp for cp in range(0x110000) if chr(cp).isspace()}
    tricky = sorted(hf_ws ^ ecmascript_whitespace() | py_ws | {0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x85, 0x1C, 0x1D, 0x1E, 0x1F})
    letters_by_unicode = [cp for cp in range(0x110000) if classes[cp] == "O" and unicodedata.category(chr(cp))[0] in "LN"]
    unknown = [cp for cp in range(0x30000) if classes[cp] == "O" and unicodedata.category(chr(cp)) == "Cn" and not 0xD800 <= cp <= 0xDFFF]
    atoms = [" ", "  ", "\n", "\t", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'", "a", "Z", "é", "ß", "1", "42", "٣",
             "½", "Ⅻ", ",", ".", "!", "?", "-", "😀", "🇺🇸", "👩‍👩‍👧", "中文", "\r\n", "\u3000", "\u00a0"]

    def any_cp():
        while True:
            cp = rng.choice([rng.randrange(0x80, 0x800), rng.randrange(0x800, 0x10000), rng.randrange(0x10000, 0x110000)])
            if not 0xD800 <= cp <= 0xDFFF:
                return chr(cp)

    pickers = [lambda: chr(rng.choice(tricky)), lambda: rng.choice(atoms), lambda: rng.choice(atoms), any_cp,
               lambda: chr(rng.choice(letters_by_unicode or tricky)), lambda: chr(rng.choice(unknown)),
               lambda: chr(rng.randrange(0x20, 0x7F))]
    out = ["".join(chr(cp) for cp in tricky)] + [chr(cp) + "s" for cp in tricky] + ["\ufeff's", "a\u0085 b", "x\ufeff\ufeffy"]
    while len(out) < count:
        out.append("".join(rng.choice(pickers)() for _ in range(rng.randrange(0, 16))))
    return out, tricky


# ------------------------------------------------------------------------------------------------------- tokenizers

def corpus():
    data = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-sotu", "data")
    names = sorted(n for n in os.listdir(data) if n.endswith(".txt"))[:6]
    return [open(os.path.join(data, n), encoding="utf-8").read() for n in names]


def train_bytelevel_bpe(texts):
    from tokenizers import ByteLevelBPETokenizer

    tok = ByteLevelBPETokenizer()
    tok.train_from_iterator(texts, vocab_size=400, min_frequency=2, special_tokens=["<|endoftext|>"], show_progress=False)
    return tok._tokenizer


def train_template(texts):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<s>", "</s>", "<pad>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1", special_tokens=[("<s>", bos), ("</s>", eos)])
    return tok


def train_kiln(texts, path):
    """kiln's own trainBpe, through tsx, so tokenizers reads the file kiln writes."""
    src = ("import { readFileSync } from 'node:fs'; import { trainBpe } from '@kiln/data';"
           "const texts = JSON.parse(readFileSync(0, 'utf8'));"
           f"trainBpe(texts, {{ vocabSize: 400 }}).save({json.dumps(path)});")
    subprocess.run(["npx", "tsx", "--eval", src], input=json.dumps(texts), text=True, check=True, cwd=ROOT)


def tokenize(tokenizer_json, texts):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer_json)
    out = []
    for t in texts:
        ids = tok.encode(t).ids
        out.append({"ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)})
    return out


FIXED_TEXTS = ["Hello world, it's 2024!  Ok\n\nbye", "\ufeff's", "a\u0085b", "Fellow-Citizens 🇺🇸", "naïve café 😀😀", "   leading", "trailing   ",
               "tabs\tand\r\nlines", "I'll we've they're", "<|endoftext|> is plain text here", ""]


def make_tokenizer_fixtures(strings):
    texts = corpus()
    os.makedirs(DATA_FIX, exist_ok=True)
    made = {"bytelevel-bpe": train_bytelevel_bpe(texts), "template": train_template(texts), "kiln": None}
    for name, tok in made.items():
        d = os.path.join(DATA_FIX, name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "tokenizer.json")
        if tok is None:
            train_kiln(texts, path)
        else:
            tok.save(path)
        sample = FIXED_TEXTS + strings[:150]
        with open(os.path.join(d, "expected.json"), "w", encoding="utf-8") as f:
            json.dump({"versions": versions(), "texts": sample, "encodings": tokenize(path, sample)}, f, ensure_ascii=False)


# ----------------------------------------------------------------------------------------------------------- models

MODELS = {
    # name: (config overrides, dtype, save_pretrained kwargs)
    "f32-tied-gqa": (dict(tie_word_embeddings=True, num_key_value_heads=2), torch.float32, {}),
    "f32-untied-theta-eps": (dict(tie_word_embeddings=False, rope_theta=50000.0, rms_norm_eps=1e-5), torch.float32, {}),
    "f16-untied-gqa": (dict(tie_word_embeddings=False, num_key_value_heads=1, rope_theta=500.0), torch.float16, {}),
    "bf16-tied": (dict(tie_word_embeddings=True, rms_norm_eps=1e-4), torch.bfloat16, {}),
    "f32-sharded": (dict(tie_word_embeddings=False, num_hidden_layers=2, num_key_value_heads=2, hidden_size=32, num_attention_heads=4, intermediate_size=40), torch.float32, {"max_shard_size": "24KB"}),
}


def hf_config(**overrides):
    from transformers import LlamaConfig

    base = dict(vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                max_position_embeddings=32, bos_token_id=1, eos_token_id=2, initializer_range=0.3)
    base.update(overrides)
    return LlamaConfig(**base)


def greedy(model, prompt, steps):
    ids = list(prompt)
    with torch.no_grad():
        for _ in range(steps):
            ids.append(int(model(torch.tensor([ids])).logits[0, -1].argmax()))
    return ids


def save_models(out):
    """Seeded random LlamaForCausalLM per MODELS entry, saved in its dtype; expectations from the saved files, read back in float32."""
    from safetensors.torch import save_file
    from transformers import LlamaForCausalLM

    report = {}
    for i, (name, (over, dtype, kwargs)) in enumerate(MODELS.items()):
        torch.manual_seed(100 + i)
        model = LlamaForCausalLM(hf_config(**over))
        with torch.no_grad():
            for n, p in model.named_parameters():
                if "norm" in n:
                    p.copy_(1 + 0.3 * torch.randn_like(p))  # norms off 1, so a wrong ε or weight shows
        d = os.path.join(out, name)
        model.to(dtype).save_pretrained(d, **kwargs)
        back, info = LlamaForCausalLM.from_pretrained(d, dtype=torch.float32, output_loading_info=True)
        assert not any(info.values()), info
        back.eval()
        with torch.no_grad():
            logits = back(torch.tensor(INPUT_IDS)).logits.contiguous()
        save_file({"logits": logits}, os.path.join(d, "expected.safetensors"))
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump({"versions": versions(), "dtype": str(dtype).removeprefix("torch."), "input_ids": INPUT_IDS,
                       "greedy_prompt": GREEDY_PROMPT, "greedy_ids": greedy(back, GREEDY_PROMPT, GREEDY_NEW)}, f)
        for extra in ["generation_config.json"]:
            if os.path.exists(os.path.join(d, extra)):
                os.remove(os.path.join(d, extra))
        report[name] = sorted(os.listdir(d))
    return report


# -------------------------------------------------------------------------------------------------- live: kiln → HF

def check_kiln(d, inp, out):
    """What a transformers user sees on a directory kiln wrote: loading info, logits, greedy ids, tokenizer, pipeline."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

    req = json.load(open(inp, encoding="utf-8"))
    model, info = AutoModelForCausalLM.from_pretrained(d, output_loading_info=True)
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor(req["input_ids"])).logits
    res = {"versions": versions(), "architecture": type(model).__name__, "loading_info": {k: sorted(map(str, v)) for k, v in info.items()},
           "logits": logits.flatten().tolist(), "greedy_ids": greedy(model, req["greedy_prompt"], req["greedy_new"])}
    if os.path.exists(os.path.join(d, "tokenizer.json")):
        tok = AutoTokenizer.from_pretrained(d)
        res["tokenizer"] = {"class": type(tok).__name__, "bos_token": tok.bos_token, "eos_token": tok.eos_token, "bos_token_id": tok.bos_token_id,
                            "eos_token_id": tok.eos_token_id, "ids": [tok(t)["input_ids"] for t in req["texts"]]}
        pipe = pipeline("text-generation", model=d)
        gen = pipe(req["pipeline_prompt"], max_new_tokens=req["pipeline_new"], do_sample=False, return_tensors=True)[0]["generated_token_ids"]
        res["pipeline"] = {"generated_ids": [int(x) for x in gen], "eos_token_id": pipe.model.generation_config.eos_token_id}
    json.dump(res, open(out, "w", encoding="utf-8"), ensure_ascii=False)


def refuses(d):
    """Whether AutoModelForCausalLM refuses the directory (as it must for a kiln ablation variant); prints the reason."""
    from transformers import AutoModelForCausalLM

    try:
        AutoModelForCausalLM.from_pretrained(d)
    except Exception as e:  # noqa: BLE001 - any refusal counts; its first line is reported
        print(json.dumps({"refused": True, "error": f"{type(e).__name__}: {str(e).split('. ')[0][:160]}"}))
        return
    print(json.dumps({"refused": False}))


def main():
    args = sys.argv[1:]
    if args[:1] == ["versions"]:
        print(json.dumps(versions()))
    elif args[:1] == ["models"]:
        save_models(args[1])
    elif args[:1] == ["check-kiln"]:
        check_kiln(*args[1:4])
    elif args[:1] == ["refuses"]:
        refuses(args[1])
    elif args[:1] == ["tokenize"]:
        texts = json.load(open(args[2], encoding="utf-8"))
        json.dump({"versions": versions(), "encodings": tokenize(args[1], texts),
                   "pretokens": [hf_pretokens(t) for t in texts]}, open(args[3], "w", encoding="utf-8"), ensure_ascii=False)
    elif not args:
        classes = probe_classes()
        write_classes_ts(classes)
        strings, tricky = fuzz_strings(classes, 2000, 17)
        os.makedirs(DATA_FIX, exist_ok=True)
        with open(os.path.join(DATA_FIX, "pretokens.json"), "w", encoding="utf-8") as f:
            json.dump({"versions": versions(), "whitespace_checked": [f"{cp:04X}" for cp in tricky],
                       "cases": [[s, hf_pretokens(s)] for s in strings]}, f, ensure_ascii=False)
        make_tokenizer_fixtures(strings)
        print(json.dumps(save_models(NN_FIX), indent=1))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
