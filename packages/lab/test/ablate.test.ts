/**
 * @file `kiln ablate` end to end on a tiny two-variant study (seconds):
 * the CLI trains every variant × seed and writes the report; an interrupted
 * ablation resumes without repeating a finished run and the resumed run ends
 * bit-identical to an uninterrupted one; a bad variant key fails before any
 * training.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { latestCheckpoint, main, Progress } from "@kiln/train";
import { planAblation } from "../src/ablate/plan.js";
import type { AblationReport, RunResult } from "../src/ablate/report.js";
import { parseAblationSpec, type AblationSpec } from "../src/ablate/spec.js";
import { ablationPlanFile, ablationStudy } from "../src/ablate/study.js";
import { planStatus } from "../src/queue/queue.js";
import { runPlanLocally, writeOrResumePlan } from "../src/run/local.js";
import { makeCorpusDir, tempRunDir } from "../../train/test/helpers.js";

const corpus = makeCorpusDir();
const root = tempRunDir();
const base = {
  model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2 },
  data: { corpus, tokenizer: "bpe", vocabSize: 300, contextLength: 32, cacheDir: join(root, "cache") },
  optim: { lr: 1e-2, warmupSteps: 2 },
  train: { batchSize: 4, evalBatches: 2, checkpointInterval: 4, logInterval: 2, seed: 5 },
};
const configPath = join(root, "tiny.json");
writeFileSync(configPath, JSON.stringify(base));

const spec = (out: string) =>
  parseAblationSpec({
    name: "tiny", base, seeds: 2, budget: { steps: 8 }, evalPoints: 4, out,
    variants: { swiglu: {}, gelu: { set: { "model.ffn": "gelu_mlp" }, match: "params", published: { claim: "c", source: "s", expect: "worse" } } },
  });
const read = <T>(path: string) => JSON.parse(readFileSync(path, "utf8")) as T;
const quiet = (onUpdate: (line: string) => void = () => {}) => {
  const lines: string[] = [];
  const progress = new (class extends Progress {
    override update(line: string) {
      onUpdate(line);
    }
  })({ write: () => true, isTTY: false });
  return { lines, io: { log: (l: string) => void lines.push(l), progress } };
};

/** What `kiln ablate` does after parsing: plan (or resume the plan), run every run here, report. */
async function runAblation(spec: AblationSpec, io: ReturnType<typeof quiet>["io"], signal = new AbortController().signal) {
  const { plan } = writeOrResumePlan(spec.out, ablationPlanFile(planAblation(spec), { keepCheckpoints: false, command: "kiln ablate (test)" }));
  const before = planStatus(spec.out).map((x) => x.state);
  const complete = await runPlanLocally(spec.out, { jobs: 1, log: io.log, progress: io.progress, signal });
  if (complete) ablationStudy.report(spec.out, plan, { log: io.log });
  return { complete, before };
}

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe("kiln ablate", () => {
  it("trains variant × seed with paired seeds and writes ablation.json, report.md and the SVGs", async () => {
    const dir = join(root, "cli");
    const code = await main([
      "ablate", "--config", configPath, "--variant", "gelu:model.ffn=gelu_mlp", "--match", "params",
      "--seeds", "2", "--steps", "8", "--set", "optim.lr=0.02", "--out", dir, "--estimate-steps", "1",
    ]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join("");
    expect(text).toMatch(/ablation tiny-ablation: 2 variants × 2 seeds \(5, 6\) = 4 runs/);
    expect(text).toMatch(/expected wall time: \S+ for 4 runs/);
    const report = read<AblationReport>(join(dir, "ablation.json"));
    expect(report.runsDone).toBe(4);
    const [b, g] = report.variants;
    expect(b!.name).toBe("baseline");
    expect(g!.params).toBe(b!.params); // matched exactly: 3 · 96 (SwiGLU) = 2 · 144 (GELU MLP)
    expect(g!.matched).toMatchObject({ value: 144, residual: 0 });
    expect(g!.seeds).toEqual([5, 6]);
    expect(g!.vsBaseline!.n).toBe(2);
    expect(g!.vsBaseline!.meanDiff).toBeCloseTo(g!.loss.mean - b!.loss.mean, 12);
    expect(["better (lower loss)", "worse (higher loss)", "no detectable difference at this budget"]).toContain(g!.verdict);
    expect(b!.curve.step).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // evalPoints defaults to 8
    const runs = [5, 6].map((s) => read<RunResult>(join(dir, "runs", `baseline.seed-${s}`, "result.json")));
    expect(runs.map((r) => r.config.train.seed)).toEqual([5, 6]);
    expect(runs[0]!.config.optim.lr).toBe(0.02);
    expect(runs[0]!.finalValLoss).not.toBe(runs[1]!.finalValLoss);
    expect(existsSync(join(dir, "runs", "baseline.seed-5", "checkpoints"))).toBe(false);
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toMatch(/^<!-- generated by `kiln ablate --config .*tiny\.json --variant gelu:model\.ffn=gelu_mlp --match params/);
    expect(md).toMatch(/\| gelu \| ffn=gelu_mlp, intermediate_size=144 \(params matched, residual 0\) \|/);
    expect(md).toContain("Δ vs baseline [95% CI]");
    expect(md).toContain("- Overrides for every variant: `optim.lr=0.02`;");
    expect(md).toMatch(/- Model \(baseline\): 1 layers, hidden size 32, 2 attention heads \(2 key\/value\), FFN 96, vocabulary 300, context 32\./);
    expect(md).toMatch(/- Training \(baseline\): batch 4 × 1 × 32 = 128 tokens\/step, 8 steps; cosine schedule, peak lr 0\.02/);
    expect(md).toMatch(/on 8 windows × 32 tokens spread evenly over the whole [\d.k]+-token validation split, the same windows for every run; its standard error over those windows is [\d.]+–[\d.]+/);
    expect(md).toMatch(/\| \*unigram baseline\* \| n-gram model of the training split \| — \| — \| — \| \d\.\d{4} \|/);
    expect(md).toMatch(/\| \*bigram baseline\* \|/);
    const curves = readFileSync(join(dir, "curves.svg"), "utf8");
    expect(curves).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    expect(curves).toMatch(/>unigram baseline \d\.\d{3}</);
    const frame = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="none" stroke="#333"\/>/.exec(curves)!;
    const [top, bottom] = [Number(frame[1]), Number(frame[1]) + Number(frame[2])];
    const ys = [...curves.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)" r="2.5"/g)].map((m) => Number(m[1]));
    expect(ys.length).toBeGreaterThanOrEqual(16); // every evaluation of both variants, the first included, inside the frame
    for (const y of ys) expect(y >= top && y <= bottom).toBe(true);
    expect(readFileSync(join(dir, "deltas.svg"), "utf8")).toContain("<circle");
  });

  it("resumes an interrupted ablation: no finished run repeats, the cut run continues bit-identically", async () => {
    const straightDir = join(root, "straight");
    await runAblation(spec(straightDir), quiet().io);
    const dir = join(root, "resumable");
    const controller = new AbortController();
    const first = quiet((line) => {
      if (line.includes("[2/4 gelu.seed-5") && line.includes("step 3/8")) controller.abort();
    });
    const cut = await runAblation(spec(dir), first.io, controller.signal);
    expect(cut.complete).toBe(false);
    expect(planStatus(dir).map((x) => x.state)).toEqual(["done", "pending", "pending", "pending"]);
    expect(existsSync(join(latestCheckpoint(join(dir, "runs", "gelu.seed-5"))!, "trainer.json"))).toBe(true);
    const finishedAt = statSync(join(dir, "runs", "swiglu.seed-5", "result.json")).mtimeMs;

    const again = quiet();
    expect((await runAblation(spec(dir), again.io)).complete).toBe(true);
    expect(again.lines.filter((l) => l.includes("starting")).map((l) => l.split(" ")[1])).toEqual(["gelu.seed-5:", "swiglu.seed-6:", "gelu.seed-6:"]);
    expect(readFileSync(join(dir, "runs", "gelu.seed-5", "log.txt"), "utf8")).toMatch(/resumed from .* at step \d+/);
    expect(statSync(join(dir, "runs", "swiglu.seed-5", "result.json")).mtimeMs).toBe(finishedAt);
    for (const run of ["gelu.seed-5", "gelu.seed-6", "swiglu.seed-6"]) {
      expect(readFileSync(join(dir, "runs", run, "result.json"), "utf8")).toBe(readFileSync(join(straightDir, "runs", run, "result.json"), "utf8"));
    }
    const third = quiet();
    await runAblation(spec(dir), third.io);
    expect(third.lines.some((l) => l.includes("starting"))).toBe(false);
    // more seeds later: the plan is extended after its runs, and only the new seed's runs train
    const more = quiet();
    await runAblation({ ...spec(dir), seeds: 3 }, more.io);
    expect(more.lines.filter((l) => l.includes("starting")).map((l) => l.split(" ")[1])).toEqual(["swiglu.seed-7:", "gelu.seed-7:"]);
  });

  it("with one seed says no interval can be given instead of printing ± 0.0000 or NaN", async () => {
    const dir = join(root, "one-seed");
    expect((await runAblation({ ...spec(dir), seeds: 1 }, quiet().io)).complete).toBe(true);
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("(one seed: no interval can be given)");
    expect(md).toContain("(one seed: no sd)");
    expect(md).toContain("- One seed: no interval and no standard deviation over seeds can be given");
    expect(md).not.toMatch(/± 0\.0000|NaN/);
    expect(readFileSync(join(dir, "deltas.svg"), "utf8")).toContain("one seed: no interval can be given");
  });

  it("refuses to mix runs of a changed config, and rejects a bad variant key before training", async () => {
    const dir = join(root, "straight");
    const changed = { ...spec(dir), set: { "optim.lr": 0.02 } };
    await expect(runAblation(changed, quiet().io)).rejects.toThrow(`${dir} holds a plan with other runs (they differ in runs.0.config.config.optim.lr)`);
    const fresh = join(root, "never");
    expect(await main(["ablate", "--config", configPath, "--variant", "x:model.ffnn=gelu_mlp", "--out", fresh])).toBe(1);
    expect(err.at(-1)).toBe('kiln ablate: variant "x": model: unknown field "ffnn" (did you mean "ffn"?)');
    expect(existsSync(fresh)).toBe(false);
    expect(await main(["ablate", "--config", configPath, "--variant", "x:model.ffn=gelu_mlp", "--match", "parms"])).toBe(1);
    expect(err.at(-1)).toMatch(/--match must be "params" or "non_embedding_params", got "parms"/);
    expect(await main(["ablate", "--spec", configPath, "--variant", "x:a=1"])).toBe(1);
    expect(err.at(-1)).toMatch(/--variant goes with --config/);
  });
});
