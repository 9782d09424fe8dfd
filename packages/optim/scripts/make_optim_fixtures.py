"""Writes test/fixtures/torch-optim.json: PyTorch reference runs for kiln's optimizers.

Each run starts from seeded float32 parameters, feeds the same seeded float32
gradients for 20 steps and records every parameter after every step, so
`test/torch-parity.test.ts` can replay the run in kiln and compare each value.
Runs cover torch.optim.AdamW (two parameter groups, weight decay, a warmup +
cosine schedule, optionally clip_grad_norm_ before every step), torch.optim.Adam
(coupled L2 decay), torch.optim.SGD (momentum, nesterov, weight decay, a
warmup + linear-decay schedule), and torch.nn.utils.clip_grad_norm_ alone.

Run with a Python that has torch (1.13 was used):
    /usr/bin/python3 packages/optim/scripts/make_optim_fixtures.py
The output is deterministic (torch.manual_seed); float32 values are written as
the shortest decimal that reads back to the same float32 (Math.fround in JS),
learning rates (float64) with repr, which round-trips them exactly.
"""

import json
import math
import os

import numpy as np
import torch

torch.manual_seed(0)
F32 = torch.float32
STEPS = 20
SHAPES = [[4, 5], [7], [3, 2, 2], [6]]


# ---- schedules: the same formulas, in the same order, as src/schedules.ts -----


def warmup_cosine(step, peak, warmup, total, min_ratio):
    min_lr = peak * min_ratio
    if step < warmup:
        return peak * (step + 1) / (warmup + 1)
    if step >= total:
        return min_lr
    r = (step - warmup) / (total - warmup)
    coeff = 0.5 * (1 + math.cos(math.pi * r))
    return coeff * peak + (1 - coeff) * min_lr


def warmup_linear(step, peak, warmup, total, min_ratio):
    min_lr = peak * min_ratio
    if step < warmup:
        return peak * (step + 1) / (warmup + 1)
    if step >= total:
        return min_lr
    r = (step - warmup) / (total - warmup)
    coeff = 1 - r
    return coeff * peak + (1 - coeff) * min_lr


SCHEDULES = {"warmupCosine": warmup_cosine, "linearDecay": warmup_linear}

# ---- helpers --------------------------------------------------------------------


def short(x):
    """A float32 as the shortest decimal that reads back (via Math.fround) to it."""
    return float(str(np.float32(x)))


def flat(t):
    return [short(v) for v in t.detach().reshape(-1).tolist()]


def make_params():
    return [torch.randn(s, dtype=F32) for s in SHAPES]


def make_grads(scales):
    """STEPS lists of one gradient per parameter; scales vary per parameter."""
    return [[torch.randn(s, dtype=F32) * sc for s, sc in zip(SHAPES, scales)] for _ in range(STEPS)]


def run(name, make_opt, groups, schedule, scales, max_grad_norm=None):
    """Replays STEPS steps of `make_opt(torch param groups)` and records everything."""
    init = make_params()
    grads = make_grads(scales)
    params = [p.clone().requires_grad_(True) for p in init]
    torch_groups = []
    for g in groups:
        opts = {k: (tuple(v) if k == "betas" else v) for k, v in g.items() if k not in ("params", "lrScale")}
        torch_groups.append({"params": [params[i] for i in g["params"]], **opts})
    opt = make_opt(torch_groups)
    lrs, norms, after = [], [], []
    for step in range(STEPS):
        lr = SCHEDULES[schedule["kind"]](step, schedule["peakLr"], schedule["warmupSteps"], schedule["totalSteps"], schedule["minLrRatio"])
        for tg, g in zip(opt.param_groups, groups):
            tg["lr"] = lr * g["lrScale"]
        for p, gr in zip(params, grads[step]):
            p.grad = gr.clone()
        if max_grad_norm is not None:
            norms.append(short(torch.nn.utils.clip_grad_norm_(params, max_grad_norm).item()))
        opt.step()
        lrs.append(lr)
        after.append([flat(p) for p in params])
    return {
        "optimizer": name,
        "shapes": SHAPES,
        "groups": groups,
        "schedule": schedule,
        "maxGradNorm": max_grad_norm,
        "init": [flat(p) for p in init],
        "grads": [[flat(g) for g in gs] for gs in grads],
        "lrs": lrs,
        "norms": norms,
        "after": after,
    }


def adamw_groups():
    return [
        {"params": [0, 2], "lrScale": 1.0, "weight_decay": 0.1, "betas": [0.9, 0.95], "eps": 1e-8},
        {"params": [1, 3], "lrScale": 0.5, "weight_decay": 0.0, "betas": [0.8, 0.99], "eps": 1e-6},
    ]


COSINE = {"kind": "warmupCosine", "peakLr": 3e-2, "warmupSteps": 5, "totalSteps": 15, "minLrRatio": 0.1}
LINEAR = {"kind": "linearDecay", "peakLr": 0.1, "warmupSteps": 3, "totalSteps": 16, "minLrRatio": 0.0}


def clip_case(shapes, scale, max_norm, norm_type=2.0):
    grads = [torch.randn(s, dtype=F32) * scale for s in shapes]
    params = [torch.zeros(s, dtype=F32, requires_grad=True) for s in shapes]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return {
        "shapes": shapes,
        "maxNorm": max_norm,
        "normType": "inf" if norm_type == math.inf else norm_type,
        "grads": [flat(g) for g in grads],
        "totalNorm": short(total.item()),
        "clipped": [flat(p.grad) for p in params],
    }


def main():
    runs = {
        "adamw": run("AdamW", lambda g: torch.optim.AdamW(g, lr=COSINE["peakLr"]), adamw_groups(), COSINE, [1.0, 0.1, 3.0, 1e-3]),
        "adamw_clip": run("AdamW", lambda g: torch.optim.AdamW(g, lr=COSINE["peakLr"]), adamw_groups(), COSINE, [0.3, 0.2, 0.5, 0.1], max_grad_norm=1.0),
        "adam_l2": run("Adam", lambda g: torch.optim.Adam(g, lr=COSINE["peakLr"]), adamw_groups(), COSINE, [1.0, 0.1, 3.0, 1e-3]),
        "sgd_momentum": run(
            "SGD",
            lambda g: torch.optim.SGD(g, lr=LINEAR["peakLr"], momentum=0.9),
            [
                {"params": [0, 1, 2], "lrScale": 1.0, "weight_decay": 1e-2, "momentum": 0.9, "dampening": 0.0, "nesterov": False},
                {"params": [3], "lrScale": 0.5, "weight_decay": 0.0, "momentum": 0.8, "dampening": 0.1, "nesterov": False},
            ],
            LINEAR,
            [1.0, 0.1, 3.0, 1e-3],
        ),
        "sgd_nesterov": run(
            "SGD",
            lambda g: torch.optim.SGD(g, lr=LINEAR["peakLr"], momentum=0.9, nesterov=True),
            [{"params": [0, 1, 2, 3], "lrScale": 1.0, "weight_decay": 1e-2, "momentum": 0.9, "dampening": 0.0, "nesterov": True}],
            LINEAR,
            [1.0, 0.1, 3.0, 1e-3],
        ),
    }
    clips = {
        "scale_down": clip_case([[4, 5], [7], [3, 2, 2]], 2.0, 1.0),
        "no_op": clip_case([[4, 5], [7]], 0.01, 1.0),
        "many_elements": clip_case([[30, 40], [100]], 0.5, 0.25),
        "inf_norm": clip_case([[4, 5], [7]], 1.0, 0.5, math.inf),
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "test", "fixtures", "torch-optim.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "seed": 0, "steps": STEPS, "runs": runs, "clip": clips}, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
