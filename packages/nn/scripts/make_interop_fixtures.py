"""Independent checks of kiln's interop files; writes test/fixtures/interop.json.

kiln writes seeded tiny models (scripts/make_interop_models.ts) as Hugging Face
directories (config.json + model.safetensors) and llama2.c checkpoints (.bin,
versions 0 and 1). This script reads those files with its own parsers (struct +
json: there is no `safetensors` or `transformers` package here) and recomputes:

* HF: the config keys and tensor names/shapes LlamaForCausalLM expects, then the
  logits of modeling_llama's math in plain torch: rotate_half RoPE with HF's
  inv_freq, repeat_kv for grouped-query attention, LlamaRMSNorm (computed in
  float32, weight applied after casting back), SwiGLU MLP, tied or separate
  lm_head. It runs once in float32 (as transformers would) and once in float64;
  the fixture stores the float64 logits and the float32 run's distance to them.
* llama2.c: a reader following run.c (header, fp32 weights in file order, the
  classifier shared when the legacy vocab size is positive or the v1 flag is
  set) and run.c's forward, token by token with a KV cache, Meta's interleaved
  RoPE pairs (i, i+1) rotated by pos * 10000^(-(i % head_size) / head_size), kv head
  h // (n_heads / n_kv_heads), RMSNorm eps 1e-5; in float64 from the fp32
  weights. Greedy generation from a prompt until seq_len (stopping at BOS = 1,
  as run.c does); the fixture stores the tokens and every position's logits.

Usage (after `npx tsx packages/nn/scripts/make_interop_models.ts DIR`):
    /usr/bin/python3 packages/nn/scripts/make_interop_fixtures.py DIR
By hand, on any llama2.c checkpoint or tokenizer:
    /usr/bin/python3 packages/nn/scripts/make_interop_fixtures.py --greedy model.bin --prompt 1 --steps 20
    /usr/bin/python3 packages/nn/scripts/make_interop_fixtures.py --encode tokenizer.bin "some text" ...
"""

import argparse
import hashlib
import json
import math
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "interop.json")

# what transformers' LlamaConfig (and PretrainedConfig) reads from config.json
HF_CONFIG_KEYS = {
    "architectures", "model_type", "torch_dtype", "transformers_version", "vocab_size", "hidden_size",
    "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "hidden_act",
    "max_position_embeddings", "initializer_range", "rms_norm_eps", "use_cache", "pad_token_id", "bos_token_id",
    "eos_token_id", "pretraining_tp", "tie_word_embeddings", "rope_theta", "rope_scaling", "attention_bias",
    "attention_dropout", "mlp_bias", "head_dim",
}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", (name, info["dtype"])
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[8 + n + b : 8 + n + e], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def check_hf_layout(cfg, w, meta):
    """The names, shapes, config keys and metadata that from_pretrained needs."""
    assert meta.get("format") == "pt", "transformers refuses safetensors without metadata format=pt"
    assert cfg["model_type"] == "llama" and cfg["architectures"] == ["LlamaForCausalLM"]
    assert cfg.get("rope_scaling") is None and not cfg.get("attention_bias") and not cfg.get("mlp_bias")
    unknown = set(cfg) - HF_CONFIG_KEYS
    assert not unknown, f"config keys transformers does not know: {unknown}"
    d, V, hid = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    hs = d // cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"] * hs
    want = {"model.embed_tokens.weight": [V, d], "model.norm.weight": [d]}
    if not cfg["tie_word_embeddings"]:
        want["lm_head.weight"] = [V, d]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        want.update({
            p + "input_layernorm.weight": [d], p + "post_attention_layernorm.weight": [d],
            p + "self_attn.q_proj.weight": [d, d], p + "self_attn.k_proj.weight": [kv, d],
            p + "self_attn.v_proj.weight": [kv, d], p + "self_attn.o_proj.weight": [d, d],
            p + "mlp.gate_proj.weight": [hid, d], p + "mlp.up_proj.weight": [hid, d], p + "mlp.down_proj.weight": [d, hid],
        })
    got = {k: list(t.shape) for k, t in w.items()}
    assert got == want, f"tensor names/shapes differ from LlamaForCausalLM: {set(got) ^ set(want)}"


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    b, h, t, hs = x.shape
    return x[:, :, None, :, :].expand(b, h, n_rep, t, hs).reshape(b, h * n_rep, t, hs)


def hf_logits(cfg, w, ids, dtype):
    """modeling_llama's LlamaForCausalLM forward (eager attention), in `dtype`."""
    w = {k: v.to(dtype) for k, v in w.items()}
    d, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hs, eps = d // nh, cfg["rms_norm_eps"]
    B, T = ids.shape

    def rmsnorm(x, weight):
        h = x.to(torch.float32 if dtype == torch.float32 else dtype)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
        return weight * h.to(x.dtype)

    calc = torch.float32 if dtype == torch.float32 else dtype  # HF builds inv_freq and cos/sin in float32
    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hs, 2, dtype=torch.int64).to(calc) / hs))
    freqs = torch.outer(torch.arange(T, dtype=calc), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(dtype), emb.sin().to(dtype)
    mask = torch.full((T, T), float("-inf"), dtype=dtype).triu(1)

    x = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rmsnorm(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(B, T, nh, hs).transpose(1, 2)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(B, T, nkv, hs).transpose(1, 2)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(B, T, nkv, hs).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, nh // nkv), repeat_kv(v, nh // nkv)
        att = q @ k.transpose(2, 3) / math.sqrt(hs) + mask
        att = torch.softmax(att, dim=-1, dtype=torch.float32 if dtype == torch.float32 else dtype).to(dtype)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + y @ w[p + "self_attn.o_proj.weight"].T
        h = rmsnorm(x, w[p + "post_attention_layernorm.weight"])
        gate, up = h @ w[p + "mlp.gate_proj.weight"].T, h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rmsnorm(x, w["model.norm.weight"])
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def read_llama2c(path):
    """run.c's view of a .bin: Config + float64 copies of the fp32 weights."""
    with open(path, "rb") as f:
        data = f.read()
    if struct.unpack("<I", data[:4])[0] == 0x616B3432:
        assert struct.unpack("<i", data[4:8])[0] == 1, "only version 1 after the magic"
        dim, hid, L, nh, nkv, V, seq = struct.unpack("<7i", data[8:36])
        shared, off, version = data[36] != 0, 256, 1
    else:
        dim, hid, L, nh, nkv, V, seq = struct.unpack("<7i", data[:28])
        shared, V, off, version = V > 0, abs(V), 28, 0
    f = np.frombuffer(data, dtype="<f4", offset=off).astype(np.float64)
    hs = dim // nh
    kvd = nkv * hs
    pos = [0]

    def take(*shape):
        n = int(np.prod(shape))
        a = f[pos[0] : pos[0] + n].reshape(shape)
        pos[0] += n
        return a

    m = dict(dim=dim, hid=hid, L=L, nh=nh, nkv=nkv, V=V, seq=seq, hs=hs)
    if version == 0:
        m["emb"], m["rms_att"] = take(V, dim), take(L, dim)
        m["wq"], m["wk"], m["wv"], m["wo"] = take(L, dim, dim), take(L, kvd, dim), take(L, kvd, dim), take(L, dim, dim)
        m["rms_ffn"] = take(L, dim)
        m["w1"], m["w2"], m["w3"] = take(L, hid, dim), take(L, dim, hid), take(L, hid, dim)
        m["rms_final"] = take(dim)
        take(seq, hs // 2), take(seq, hs // 2)  # legacy freq_cis_real / imag: run.c computes RoPE itself
    else:
        m["rms_att"], m["rms_ffn"], m["rms_final"], m["emb"] = take(L, dim), take(L, dim), take(dim), take(V, dim)
        m["wq"], m["wk"], m["wv"], m["wo"] = take(L, dim, dim), take(L, kvd, dim), take(L, kvd, dim), take(L, dim, dim)
        m["w1"], m["w2"], m["w3"] = take(L, hid, dim), take(L, dim, hid), take(L, hid, dim)
    m["wcls"] = m["emb"] if shared else take(V, dim)
    assert pos[0] == len(f), f"{path}: {len(f) - pos[0]} floats left over"
    return m


def rmsnorm(x, w):
    return w * (x / np.sqrt(np.mean(x * x) + 1e-5))


def rope_interleaved(x, pos, hs):
    """Rotates pairs (i, i+1) of each head, as run.c does."""
    i = np.arange(0, len(x), 2)
    ang = pos * 10000.0 ** (-(i % hs) / hs)
    c, s = np.cos(ang), np.sin(ang)
    out = x.copy()
    out[i], out[i + 1] = x[i] * c - x[i + 1] * s, x[i] * s + x[i + 1] * c
    return out


def llama2c_step(m, token, pos, kc, vc):
    """One token of run.c's forward; appends to the KV cache and returns the logits."""
    x = m["emb"][token].copy()
    hs, kv_mul = m["hs"], m["nh"] // m["nkv"]
    for l in range(m["L"]):
        xb = rmsnorm(x, m["rms_att"][l])
        q = rope_interleaved(m["wq"][l] @ xb, pos, hs)
        kc[l].append(rope_interleaved(m["wk"][l] @ xb, pos, hs))
        vc[l].append(m["wv"][l] @ xb)
        K, Vv = np.stack(kc[l]), np.stack(vc[l])
        out = np.zeros(m["dim"])
        for h in range(m["nh"]):
            g = (h // kv_mul) * hs
            att = K[:, g : g + hs] @ q[h * hs : (h + 1) * hs] / math.sqrt(hs)
            att = np.exp(att - att.max())
            out[h * hs : (h + 1) * hs] = (att / att.sum()) @ Vv[:, g : g + hs]
        x = x + m["wo"][l] @ out
        xb = rmsnorm(x, m["rms_ffn"][l])
        hb = m["w1"][l] @ xb
        x = x + m["w2"][l] @ ((hb / (1 + np.exp(-hb))) * (m["w3"][l] @ xb))
    return m["wcls"] @ rmsnorm(x, m["rms_final"])


def llama2c_greedy(m, prompt, steps):
    """run.c's generate loop at temperature 0: tokens, logits per position, smallest top-2 gap of a choice."""
    kc, vc = [[] for _ in range(m["L"])], [[] for _ in range(m["L"])]
    tokens, logits, gap = list(prompt), [], float("inf")
    for pos in range(steps):
        lg = llama2c_step(m, tokens[pos], pos, kc, vc)
        logits.append(lg)
        if pos + 1 < len(tokens):
            continue
        top = np.sort(lg)[-2:]
        gap = min(gap, top[1] - top[0])
        nxt = int(np.argmax(lg))
        tokens.append(nxt)
        if nxt == 1:  # run.c: BOS delimits sequences
            break
    return tokens, np.stack(logits), gap


def read_tokenizer(path):
    with open(path, "rb") as f:
        data = f.read()
    (max_len,), at, vocab, scores = struct.unpack("<i", data[:4]), 4, [], []
    while at < len(data):
        score, n = struct.unpack("<fi", data[at : at + 8])
        vocab.append(data[at + 8 : at + 8 + n])
        scores.append(score)
        at += 8 + n
    return vocab, scores, max_len


def run_c_encode(vocab, scores, text, bos=True):
    """run.c's encode(): dummy prefix, UTF-8 code points with +3 byte fallback, best-score merges."""
    lookup = {}
    for i, piece in enumerate(vocab):
        lookup.setdefault(piece, i)
    tokens = [1] if bos else []
    raw = text.encode("utf-8")
    if raw:
        tokens.append(lookup[b" "])
    i = 0
    while i < len(raw):
        j = i + 1
        while j < len(raw) and raw[j] & 0xC0 == 0x80 and j - i < 4:
            j += 1
        cp = raw[i:j]
        tokens.extend([lookup[cp]] if cp in lookup else [b + 3 for b in cp])
        i = j
    while True:
        best = (-1e10, -1, -1)
        for k in range(len(tokens) - 1):  # BOS included, as in run.c
            id_ = lookup.get(vocab[tokens[k]] + vocab[tokens[k + 1]], -1)
            if id_ != -1 and scores[id_] > best[0]:
                best = (scores[id_], id_, k)
        if best[2] == -1:
            return tokens
        tokens[best[2] : best[2] + 2] = [best[1]]


def rounded(a):
    return [float(f"{v:.9g}") for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def make_fixtures(root):
    with open(os.path.join(root, "inputs.json")) as f:
        inputs = json.load(f)
    ids = torch.tensor(inputs["input_ids"], dtype=torch.int64)
    out = {"input_ids": inputs["input_ids"], "prompt": inputs["prompt"], "variants": {}}
    for name, hashes in inputs["hashes"].items():
        vdir = os.path.join(root, name)
        for rel, h in hashes.items():
            assert sha256(os.path.join(vdir, rel)) == h, f"{name}/{rel} changed since inputs.json"
        with open(os.path.join(vdir, "hf", "config.json")) as f:
            cfg = json.load(f)
        w, meta = read_safetensors(os.path.join(vdir, "hf", "model.safetensors"))
        check_hf_layout(cfg, w, meta)
        ref = hf_logits(cfg, w, ids, torch.float64)
        f32 = hf_logits(cfg, w, ids, torch.float32).double()
        entry = {"hashes": hashes, "hf_logits": rounded(ref), "torch_f32_max_abs_diff": float((f32 - ref).abs().max())}
        print(f"{name}: HF layout ok; torch float32 vs float64 logits max |diff| {entry['torch_f32_max_abs_diff']:.2e}")
        if "v0.bin" in hashes:
            runs = [llama2c_greedy(read_llama2c(os.path.join(vdir, v)), inputs["prompt"], cfg["max_position_embeddings"] - 1) for v in ("v0.bin", "v1.bin")]
            assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1]), "v0 and v1 disagree"
            tokens, logits, gap = runs[0]
            # the HF directory and the .bin hold the same model: both readers must agree everywhere
            hf_prompt = hf_logits(cfg, w, torch.tensor([tokens[: len(logits)]]), torch.float64)[0].numpy()
            entry["hf_vs_llama2c_max_abs_diff"] = float(np.abs(hf_prompt - logits).max())
            entry.update({"greedy_tokens": tokens, "greedy_logits": rounded(logits), "greedy_min_top2_gap": float(gap)})
            print(f"{name}: llama2.c v0 = v1, greedy {tokens} (smallest top-2 gap {gap:.3f}); "
                  f"HF vs llama2.c reader max |diff| {entry['hf_vs_llama2c_max_abs_diff']:.2e}")
        out["variants"][name] = entry
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", help="directory written by make_interop_models.ts")
    ap.add_argument("--greedy", help="a llama2.c .bin to run greedily")
    ap.add_argument("--prompt", default="1", help="comma-separated prompt ids for --greedy")
    ap.add_argument("--steps", type=int, default=20, help="positions to run for --greedy")
    ap.add_argument("--encode", help="a llama2.c tokenizer.bin; encode the remaining arguments")
    ap.add_argument("texts", nargs="*")
    a = ap.parse_args()
    if a.greedy:
        tokens, logits, gap = llama2c_greedy(read_llama2c(a.greedy), [int(s) for s in a.prompt.split(",")], a.steps)
        print(",".join(map(str, tokens)), f"(smallest top-2 gap {gap:.4f})")
        np.save(os.path.join(os.environ.get("TMPDIR", "/tmp"), "greedy_logits.npy"), logits)
    elif a.encode:
        vocab, scores, _ = read_tokenizer(a.encode)
        for t in ([a.dir] if a.dir else []) + a.texts:
            print(json.dumps(t), run_c_encode(vocab, scores, t))
    else:
        make_fixtures(a.dir or ".cache/kiln-interop")


if __name__ == "__main__":
    main()
