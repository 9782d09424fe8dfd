/**
 * @file `kiln scaling` on the command line: `fit` on a points CSV writes
 * fit.json, report.md and the figures and prints the fit; mistakes get a
 * one-line error and a non-zero exit.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { captureConsole } from "../../train/test/console.js";
import { main } from "@kiln/train";
import { tempRunDir } from "../../train/test/helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/scaling/published-style.csv", import.meta.url));
const { out, err } = captureConsole({ stdout: true });

describe("kiln scaling", () => {
  it("fit POINTS.csv writes fit.json, report.md and the figures", async () => {
    const dir = join(tempRunDir(), "fit");
    expect(await main(["scaling", "fit", FIXTURE, "--out", dir, "--grid", "coarse", "--bootstrap", "5"])).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/Approach 3 \(81 points\): E = 1\.86\d \[[\d.]+, [\d.]+\], .* a = 0\.52\d/);
    expect(text).toMatch(/Approach 2: a = 0\.519/);
    expect(text).toMatch(/PASS +Refit without the largest budget/);
    for (const f of ["fit.json", "report.md", "isoflop.svg", "optimal.svg", "predicted.svg"]) expect(existsSync(join(dir, f))).toBe(true);
    const report = readFileSync(join(dir, "report.md"), "utf8");
    expect(report).toMatch(/\| E \| 1\.86\d \| .* \| 1\.690 \| 1\.820 \|/);
    expect(report).toMatch(/\*\*Summary\.\*\* Reproduced: .*Passed: loss falls along the compute frontier/);
  });

  it("refits a sweep directory of an older kiln through its runs.csv, and says so when asked to report it", async () => {
    const committed = fileURLToPath(new URL("./fixtures/scaling/old-sweep/", import.meta.url));
    const dir = tempRunDir();
    for (const f of ["plan.json", "runs.csv"]) copyFileSync(join(committed, f), join(dir, f));
    expect(await main(["scaling", "report", dir])).toBe(1);
    expect(err.at(-1)).toBe(`kiln scaling: ${join(dir, "plan.json")}: written by an older kiln (format kiln.scaling-plan/1), not a plan of this one; refit a sweep's points with kiln scaling fit runs.csv`);
    expect(await main(["scaling", "fit", join(dir, "runs.csv"), "--grid", "coarse", "--bootstrap", "0"])).toBe(0);
    expect(out.join("\n")).toMatch(/Approach 3 \(12 points\)/);
  });

  it("--plan-only writes the plan and says how to run it; kiln lab status counts its runs", async () => {
    const dir = join(tempRunDir(), "quick");
    expect(await main(["scaling", "--preset", "quick", "--plan-only", "--out", dir])).toBe(0);
    expect(out.at(-1)).toBe(`planned 12 runs in ${dir}; run them with kiln lab run ${dir} --index I (0..11) or --claim`);
    expect(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")).kind).toBe("scaling");
    expect(await main(["scaling", "--preset", "quick", "--plan-only", "--out", dir])).toBe(0); // the same plan again: kept
    out.length = 0;
    expect(await main(["lab", "status", dir])).toBe(0);
    expect(out.slice(1, 5)).toEqual(["done     0", "running  0", "stale    0", "pending  12"]);
    expect(await main(["lab", "report", dir])).toBe(1);
    expect(err.at(-1)).toBe(`kiln lab: ${dir}: no finished runs to report on (see kiln lab status ${dir})`);
    const other = tempRunDir();
    writeFileSync(join(other, "plan.json"), JSON.stringify({ kind: "sweeep", name: "x", runs: [{ id: "a", config: {} }] }));
    expect(await main(["lab", "run", other, "--index", "0"])).toBe(1);
    expect(err.at(-1)).toBe(`kiln lab: ${other}/plan.json: unknown kind "sweeep" (this kiln runs scaling, ablate)`);
    expect(await main(["lab", "status", join(other, "nope")])).toBe(1);
    expect(err.at(-1)).toBe(`kiln lab: ${join(other, "nope")} is not a plan directory (no plan.json); make one with --plan-only --out ${join(other, "nope")}`);
  });

  it("reports usage mistakes in one line", async () => {
    expect(await main(["scaling"])).toBe(2);
    expect(err.join("\n")).toMatch(/^kiln scaling: give one of --preset quick\|full\|approach1 or --sweep FILE/);
    const bad = join(tempRunDir(), "bad.csv");
    writeFileSync(bad, "N,D\n1,2\n");
    expect(await main(["scaling", "fit", bad])).toBe(1);
    expect(err.join("\n")).toMatch(/bad\.csv: the header must name columns N, D and loss/);
    expect(await main(["scaling", "fit", FIXTURE, "--grid", "huge"])).toBe(2);
    expect(err.join("\n")).toMatch(/--grid must be "chinchilla" or "coarse"/);
    expect(await main(["scaling", "--preset", "nope"])).toBe(1);
    expect(err.join("\n")).toMatch(/nope\.json: no such sweep file or preset/);
  });
});
