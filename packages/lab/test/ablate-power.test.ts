/**
 * @file Power before compute through `kiln ablate` on a tiny study: a pilot
 * of 2 paired seeds in the out dir predicts the half-width the planned seeds
 * give (printed before training); `--target-halfwidth` extends the plan with
 * just the seeds the target needs (the pilot's runs are not repeated) and
 * records the plan in the report; a budget that cannot reach the target is
 * refused in one line before any training; no pilot, no target.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "@kiln/train";
import { captureConsole } from "../../train/test/console.js";
import { tinyConfigFile } from "./tiny-config.js";
import { extendSeeds, readPilot } from "../src/ablate/pilot.js";
import { halfWidthFor } from "../src/ablate/power.js";
import type { AblationReport } from "../src/ablate/report.js";
import { planStatus } from "../src/queue/queue.js";

const { root, configPath } = tinyConfigFile();
const { out, err } = captureConsole({ stdout: true });
const ablate = (dir: string, ...extra: string[]) => main(["ablate", "--config", configPath, "--variant", "gelu:model.ffn=gelu_mlp", "--steps", "6", "--out", dir, "--estimate-steps", "0", ...extra]);
const started = (dir: string) => planStatus(dir).filter((s) => s.state === "done").map((s) => s.id);

describe("kiln ablate --target-halfwidth", () => {
  const dir = join(root, "study");

  it("refuses a target without a pilot, in one line, before any work", async () => {
    expect(await ablate(dir, "--target-halfwidth", "0.05")).toBe(1);
    expect(err.at(-1)).toBe(`kiln ablate: --target-halfwidth needs a pilot in ${dir}: at least 2 seeds of every variant finished there (run the same command with --seeds 2 and without --target-halfwidth first)`);
    expect(existsSync(dir)).toBe(false);
  });

  it("a pilot of 2 seeds, then the seeds a target needs; a budget that cannot reach it is refused", async () => {
    expect(await ablate(dir, "--seeds", "2")).toBe(0);
    const pilot = readPilot(dir, "baseline")!;
    expect(pilot.pairedSeeds).toEqual([5, 6]);
    const sd = pilot.spread.worst.sd;
    expect(sd).toBeGreaterThan(0);
    const perSeed = [...pilot.secondsPerRun.values()].reduce((a, b) => a + b, 0);
    const target = halfWidthFor(sd, 3) * 1.001; // three seeds reach it, two do not

    // too small a budget for 3 seeds: one line, nothing trains, the plan stays as it was
    const minutes = (2.5 * perSeed) / 60;
    expect(await ablate(dir, "--target-halfwidth", String(target), "--budget-minutes", String(minutes))).toBe(1);
    expect(err.at(-1)).toMatch(new RegExp(`^kiln ablate: cannot reach ±${target.toFixed(3).replace(".", "\\.")} within .* \\(it needs 3 seeds .*\\); best is ±${halfWidthFor(sd, 2).toFixed(3).replace(".", "\\.")} with 2 seeds; raise --budget-minutes, or add --accept-best to run the best the budget allows$`));
    expect(planStatus(dir)).toHaveLength(4);

    out.length = 0;
    expect(await ablate(dir, "--target-halfwidth", String(target))).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(new RegExp(`power: 3 seeds give ±${halfWidthFor(sd, 3).toFixed(3).replace(".", "\\.")} \\(target ±`));
    expect(text).toContain(`power: the pilot's 2 paired seeds give a spread of paired differences of ${sd.toFixed(4)} nats (worst: gelu); 3 seeds → 95% half-width ±${halfWidthFor(sd, 3).toFixed(3)}`);
    expect(text.indexOf("power: the pilot")).toBeLessThan(text.indexOf("starting"));
    expect(text.match(/\S+\.seed-\d+: starting/g)?.map((l) => l.split(":")[0])).toEqual(["baseline.seed-7", "gelu.seed-7"]);
    expect(started(dir)).toHaveLength(6);
    const report = JSON.parse(readFileSync(join(dir, "ablation.json"), "utf8")) as AblationReport;
    expect(report.seeds).toEqual([5, 6, 7]);
    expect(report.power).toMatchObject({ pilotSeeds: 2, seeds: 3, worst: "gelu", target });
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain(`- Power, planned before the full study: the pilot's 2 paired seeds gave a spread of paired differences of ${sd.toFixed(4)} nats (worst comparison: gelu;`);
  }, 120_000);

  it("extends seeds after the pilot's, never dropping any", () => {
    expect(extendSeeds([5, 6], 4)).toEqual([5, 6, 7, 8]);
    expect(extendSeeds([5, 9], 3)).toEqual([5, 9, 10]);
    expect(extendSeeds([5, 6, 7], 2)).toEqual([5, 6, 7]);
  });
});
