/**
 * @file `kiln ablate --lr-sweep` on a tiny study: stage 1 trains every
 * variant at each peak learning rate on the first seed, stage 2 (appended to
 * the same plan once stage 1 is done) every seed at each variant's best; the
 * report shows loss against learning rate. With --plan-only the second stage
 * is planned by running the command again after stage 1's runs are done.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "@kiln/train";
import { captureConsole } from "../../train/test/console.js";
import { tinyConfigFile } from "./tiny-config.js";
import { bestLrs, lrTag, parseLrSweep } from "../src/ablate/lr-sweep.js";
import type { AblationReport, RunResult } from "../src/ablate/report.js";
import { readPlan } from "../src/queue/plan-dir.js";
import { readPilot } from "../src/ablate/pilot.js";

const { root, configPath } = tinyConfigFile();
const { out, err } = captureConsole({ stdout: true });
const ablate = (dir: string, ...extra: string[]) => main(["ablate", "--config", configPath, "--variant", "gelu:model.ffn=gelu_mlp", "--steps", "6", "--seeds", "2", "--lr-sweep", "0.002,0.03", "--out", dir, "--estimate-steps", "0", ...extra]);
const result = (dir: string, id: string) => JSON.parse(readFileSync(join(dir, "runs", id, "result.json"), "utf8")) as RunResult;

describe("kiln ablate --lr-sweep", () => {
  it("picks each variant's best learning rate on the first seed and trains every seed at it", async () => {
    const dir = join(root, "local");
    expect(await ablate(dir)).toBe(0);
    const ids = readPlan(dir).runs.map((r) => r.id);
    expect(ids).toEqual([
      "baseline.lr-2e-3.seed-5", "baseline.lr-3e-2.seed-5", "gelu.lr-2e-3.seed-5", "gelu.lr-3e-2.seed-5",
      "baseline.seed-6", "gelu.seed-6", // seed 5 at the chosen rate is stage 1's run, not repeated
    ]);
    const loss = (id: string) => result(dir, id).finalValLoss;
    const chosen: Record<string, number> = {};
    for (const v of ["baseline", "gelu"]) {
      const best = loss(`${v}.lr-2e-3.seed-5`) <= loss(`${v}.lr-3e-2.seed-5`) ? 0.002 : 0.03;
      expect(result(dir, `${v}.seed-6`).config.optim.lr).toBe(best);
      chosen[v] = best;
    }
    const report = JSON.parse(readFileSync(join(dir, "ablation.json"), "utf8")) as AblationReport;
    for (const v of report.variants) expect(v.finalValLoss).toEqual([loss(`${v.name}.${lrTag(chosen[v.name]!)}.seed-5`), loss(`${v.name}.seed-6`)]);
    expect(report.runsDone).toBe(6);
    expect(readPilot(dir, "baseline")!.pairedSeeds).toEqual([5, 6]); // a pilot for --target-halfwidth counts the first seed too
    expect(report.seeds).toEqual([5, 6]);
    expect(report.variants.map((v) => v.seeds)).toEqual([[5, 6], [5, 6]]);
    expect(report.lrSweep!.lrs).toEqual([0.002, 0.03]);
    expect(report.lrSweep!.variants.map((v) => v.loss)).toEqual([["baseline.lr-2e-3.seed-5", "baseline.lr-3e-2.seed-5"], ["gelu.lr-2e-3.seed-5", "gelu.lr-3e-2.seed-5"]].map((r) => r.map(loss)));
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("## Learning rate per variant");
    expect(md).toContain("| variant | lr 0.002 | lr 0.03 | chosen |");
    expect(md).toMatch(/\| gelu \| (\*\*\d\.\d{4}\*\* \| \d\.\d{4}|\d\.\d{4} \| \*\*\d\.\d{4}\*\*) \| (0\.002|0\.03) \|/);
    expect(readFileSync(join(dir, "lr.svg"), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  }, 120_000);

  it("with --plan-only plans stage 1, then stage 2 once stage 1 is done", async () => {
    const dir = join(root, "cluster");
    out.length = 0;
    expect(await ablate(dir, "--plan-only")).toBe(0);
    expect(out.at(-1)).toBe(`planned 4 runs in ${dir}; run them with kiln lab run ${dir} --index I (0..3) or --claim`);
    expect(await main(["lab", "run", dir, "--claim"])).toBe(0);
    expect(await ablate(dir, "--plan-only")).toBe(0);
    expect(out.at(-1)).toBe(`planned 6 runs in ${dir}; run them with kiln lab run ${dir} --index I (0..5) or --claim`);
    expect(existsSync(join(dir, "runs", "gelu.seed-6"))).toBe(false);
  }, 120_000);

  it("parses and refuses learning-rate lists, and picks the lowest finished loss", async () => {
    expect(parseLrSweep("3e-3, 1e-3,1e-2")).toEqual([0.001, 0.003, 0.01]);
    expect(() => parseLrSweep("1e-3")).toThrow(/2 or more positive learning rates/);
    expect(() => parseLrSweep("1e-3,x")).toThrow(/2 or more positive learning rates/);
    expect(() => parseLrSweep("1e-3,0.001")).toThrow(/lists a learning rate twice/);
    expect(await main(["ablate", "--config", configPath, "--variant", "gelu:model.ffn=gelu_mlp", "--lr-sweep", "0", "--out", join(root, "bad")])).toBe(2);
    expect(err.at(-1)).toMatch(/^kiln ablate: --lr-sweep takes 2 or more positive/);
    const sweep = { lrs: [1, 2], seed: 1, best: null, runs: [{ id: "a1", variant: "a", lr: 1 }, { id: "a2", variant: "a", lr: 2 }] };
    expect(bestLrs(sweep, (id) => ({ a1: 3.5, a2: 3.2 })[id])).toEqual({ a: 2 });
    expect(bestLrs(sweep, (id) => ({ a1: 3.5, a2: NaN })[id])).toEqual({ a: 1 });
    expect(bestLrs(sweep, (id) => ({ a1: 3.5 } as Record<string, number>)[id])).toBeNull();
  });
});
