"""Writes test/fixtures/llama-<variant>.safetensors: PyTorch references for kiln's Llama.

For each variant a tiny LLaMA (vocab 32, dim 16, 2 layers, 4 heads, 2 kv heads,
untied head unless noted) is written out in plain torch, mirroring Hugging Face
transformers' modeling_llama.py (rotate_half RoPE, repeat_kv, RMSNorm with eps
inside the sqrt, SwiGLU MLP, causal softmax attention). Its weights are drawn in
float32 and stored under HF LlamaForCausalLM names; the forward and backward run
in float64 from those exact float32 values, so the stored logits, loss and every
parameter gradient (as `grad.<name>`, float32) are the math itself, not torch's
float32 rounding. `input_ids` and `labels` (already shifted; -100 = ignored) are
int32. The kiln config (HF field names + kiln extras) is in the metadata as JSON.

Variants: base (the LLaMA defaults with GQA), layernorm, gelu_mlp, learned
positions, no positions, tied head.

Run with a Python that has torch (1.13 was used); there is no `safetensors`
package here, so the file format is written by hand (8-byte header length,
JSON header, raw little-endian data):
    /usr/bin/python3 packages/nn/scripts/make_llama_fixtures.py
"""

import json
import math
import os
import struct

import torch
import torch.nn.functional as F

F64 = torch.float64
BASE = dict(
    vocab_size=32, hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=10000.0, max_position_embeddings=16,
    tie_word_embeddings=False, norm="rmsnorm", ffn="swiglu", positions="rope",
)
VARIANTS = {
    "base": {},
    "layernorm": {"norm": "layernorm"},
    "gelu_mlp": {"ffn": "gelu_mlp"},
    "learned": {"positions": "learned"},
    "nope": {"positions": "none"},
    "tied": {"tie_word_embeddings": True},
}
B, T = 2, 8


def make_weights(c, gen):
    """HF-named float32 weights; non-trivial norms so their gradients are tested too."""
    d, V, hid = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    hs = d // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * hs
    w = {}

    def normal(*shape, std=0.3, mean=0.0):
        return (mean + std * torch.randn(shape, generator=gen)).to(torch.float32)

    def norm(prefix):
        w[prefix + ".weight"] = normal(d, std=0.1, mean=1.0)
        if c["norm"] == "layernorm":
            w[prefix + ".bias"] = normal(d, std=0.1)

    w["model.embed_tokens.weight"] = normal(V, d, std=1.0)
    if c["positions"] == "learned":
        w["model.embed_positions.weight"] = normal(c["max_position_embeddings"], d, std=0.5)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        norm(p + "input_layernorm")
        w[p + "self_attn.q_proj.weight"] = normal(d, d)
        w[p + "self_attn.k_proj.weight"] = normal(kv, d)
        w[p + "self_attn.v_proj.weight"] = normal(kv, d)
        w[p + "self_attn.o_proj.weight"] = normal(d, d)
        norm(p + "post_attention_layernorm")
        if c["ffn"] == "swiglu":
            w[p + "mlp.gate_proj.weight"] = normal(hid, d)
        w[p + "mlp.up_proj.weight"] = normal(hid, d)
        w[p + "mlp.down_proj.weight"] = normal(d, hid, std=0.2)
    norm("model.norm")
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = normal(V, d)
    return w


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    b, h, t, hs = x.shape
    return x[:, :, None, :, :].expand(b, h, n_rep, t, hs).reshape(b, h * n_rep, t, hs)


def forward(c, w, ids, labels):
    d, nh, nkv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hs, eps = d // nh, c["rms_norm_eps"]
    lin = lambda x, name: x @ w[name].T

    def norm(x, prefix):
        if c["norm"] == "layernorm":
            return F.layer_norm(x, (d,), w[prefix + ".weight"], w[prefix + ".bias"], eps)
        return w[prefix + ".weight"] * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, hs, 2, dtype=F64) / hs))
    freqs = torch.outer(torch.arange(T, dtype=F64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()  # (T, hs)
    mask = torch.full((T, T), float("-inf"), dtype=F64).triu(1)

    x = w["model.embed_tokens.weight"][ids]  # (B, T, d)
    if c["positions"] == "learned":
        x = x + w["model.embed_positions.weight"][:T]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = norm(x, p + "input_layernorm")
        q = lin(h, p + "self_attn.q_proj.weight").view(B, T, nh, hs).transpose(1, 2)
        k = lin(h, p + "self_attn.k_proj.weight").view(B, T, nkv, hs).transpose(1, 2)
        v = lin(h, p + "self_attn.v_proj.weight").view(B, T, nkv, hs).transpose(1, 2)
        if c["positions"] == "rope":
            q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, nh // nkv), repeat_kv(v, nh // nkv)
        att = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(hs) + mask, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + lin(y, p + "self_attn.o_proj.weight")
        h = norm(x, p + "post_attention_layernorm")
        if c["ffn"] == "swiglu":
            f = F.silu(lin(h, p + "mlp.gate_proj.weight")) * lin(h, p + "mlp.up_proj.weight")
        else:
            f = F.gelu(lin(h, p + "mlp.up_proj.weight"))
        x = x + lin(f, p + "mlp.down_proj.weight")
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    logits = norm(x, "model.norm") @ head.T
    loss = F.cross_entropy(logits.view(-1, c["vocab_size"]), labels.view(-1).long(), ignore_index=-100)
    return logits, loss


CODES = {torch.float32: "F32", torch.int32: "I32"}


def save_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":"))
    h += " " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h.encode() + b"".join(blobs))


def main():
    out_dir = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    for k, (name, extra) in enumerate(VARIANTS.items()):
        c = {**BASE, **extra}
        gen = torch.Generator().manual_seed(1000 + k)
        w32 = make_weights(c, gen)
        ids = torch.randint(0, c["vocab_size"], (B, T), generator=gen, dtype=torch.int64)
        labels = torch.randint(0, c["vocab_size"], (B, T), generator=gen, dtype=torch.int64)
        labels[0, 2] = labels[1, 5] = -100
        w = {n: t.to(F64).requires_grad_() for n, t in w32.items()}
        logits, loss = forward(c, w, ids, labels)
        loss.backward()
        tensors = dict(w32)
        tensors["input_ids"] = ids.to(torch.int32)
        tensors["labels"] = labels.to(torch.int32)
        tensors["logits"] = logits.detach().to(torch.float32)
        tensors["loss"] = loss.detach().to(torch.float32).reshape(1)
        for n, t in w.items():
            tensors["grad." + n] = t.grad.to(torch.float32)
        path = os.path.normpath(os.path.join(out_dir, f"llama-{name}.safetensors"))
        save_safetensors(path, tensors, {"config": json.dumps(c)})
        print(f"{path}: loss {loss.item():.6f}, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
