"""The kiln training-step benchmark in PyTorch: the same LLaMA (RMSNorm, RoPE, causal attention,
SwiGLU, tied head), cross-entropy, AdamW; forward + backward + step per sample.

Usage: /usr/bin/python3 benchmarks/peers/torch_step.py '{"vocab":512,"dim":64,...}'
Prints one JSON line: {"samples_ms": [...], "threads": n, "peak_rss": bytes, "base_rss": bytes, ...}.
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


base_rss = rss()  # the runtime (Python + libtorch) before the model and data exist

cfg = json.loads(sys.argv[1])
V, D, L, H, T, B = (cfg[k] for k in ("vocab", "dim", "layers", "heads", "ctx", "batch"))
HID = cfg["hidden"]
torch.set_num_threads(cfg.get("threads", torch.get_num_threads()))
torch.manual_seed(0)
hs = D // H


def rms_norm(x, w, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, cos, sin):  # x (B, T, H, hs), rotate-half pairs as Hugging Face LLaMA
    x1, x2 = x[..., : hs // 2], x[..., hs // 2 :]
    return x * cos + torch.cat((-x2, x1), -1) * sin


class Llama(torch.nn.Module):
    def __init__(self):
        super().__init__()
        p = lambda *s: torch.nn.Parameter(torch.randn(*s) * 0.02)  # noqa: E731
        self.emb = p(V, D)
        self.layers = torch.nn.ParameterList()
        for _ in range(L):
            self.layers.extend([torch.nn.Parameter(torch.ones(D)), p(D, D), p(D, D), p(D, D), p(D, D),
                                torch.nn.Parameter(torch.ones(D)), p(HID, D), p(D, HID), p(HID, D)])
        self.norm = torch.nn.Parameter(torch.ones(D))
        inv = 1.0 / (10000 ** (torch.arange(0, hs, 2).float() / hs))
        ang = torch.outer(torch.arange(T).float(), inv)
        ang = torch.cat((ang, ang), -1)  # (T, hs)
        self.cos, self.sin = ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]
        self.mask = torch.full((T, T), float("-inf")).triu(1)

    def forward(self, idx, targets):
        x = self.emb[idx]  # (B, T, D)
        for i in range(L):
            an, wq, wk, wv, wo, fn, w1, w2, w3 = self.layers[i * 9 : i * 9 + 9]
            h = rms_norm(x, an)
            q = rope((h @ wq.t()).view(B, T, H, hs), self.cos, self.sin).transpose(1, 2)
            k = rope((h @ wk.t()).view(B, T, H, hs), self.cos, self.sin).transpose(1, 2)
            v = (h @ wv.t()).view(B, T, H, hs).transpose(1, 2)
            att = torch.softmax((q @ k.transpose(-1, -2)) / math.sqrt(hs) + self.mask, -1)
            x = x + ((att @ v).transpose(1, 2).reshape(B, T, D) @ wo.t())
            h = rms_norm(x, fn)
            x = x + ((F.silu(h @ w1.t()) * (h @ w3.t())) @ w2.t())
        logits = rms_norm(x, self.norm) @ self.emb.t()
        return F.cross_entropy(logits.view(-1, V), targets.view(-1))


model = Llama()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
x = torch.randint(0, V, (B, T))
y = torch.randint(0, V, (B, T))
samples = []
budget = cfg.get("budget_s", 60.0)
start = time.perf_counter()
for i in range(cfg["warmup"] + cfg["steps"]):
    t0 = time.perf_counter()
    loss = model(x, y)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    dt = time.perf_counter() - t0
    if i >= cfg["warmup"]:
        samples.append(dt * 1000)
        if time.perf_counter() - start > budget and len(samples) >= 3:
            break
print(json.dumps({
    "samples_ms": samples,
    "threads": torch.get_num_threads(),
    "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "base_rss": base_rss,
    "params": sum(p.numel() for p in model.parameters()),
    "version": torch.__version__,
}))
