/**
 * @file `kiln scaling` on the command line: `fit` on a points CSV writes
 * fit.json, report.md and the figures and prints the fit; mistakes get a
 * one-line error and a non-zero exit.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "@kiln/train";
import { RUN_COLUMNS } from "../src/scaling/results.js";
import { tempRunDir } from "../../train/test/helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/scaling/published-style.csv", import.meta.url));
let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
});
afterEach(() => vi.restoreAllMocks());

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
    expect(report).toMatch(/\*\*Summary\.\*\* Reproduced: loss falls along the compute frontier/);
  });

  it("report refits a sweep recorded before loss_se and says what its losses were measured on", async () => {
    const dir = tempRunDir();
    const committed = fileURLToPath(new URL("../../../benchmarks/results/scaling/quick/", import.meta.url));
    for (const f of ["plan.json", "sessions.jsonl"]) copyFileSync(join(committed, f), join(dir, f));
    // the committed runs.csv as an older kiln wrote it: without the loss_se column
    const dropSe = (line: string) => (line === "" ? line : line.split(",").filter((_, i) => i !== RUN_COLUMNS.indexOf("loss_se")).join(","));
    writeFileSync(join(dir, "runs.csv"), readFileSync(join(committed, "runs.csv"), "utf8").split("\n").map(dropSe).join("\n"));
    const before = readFileSync(join(dir, "runs.csv"), "utf8");
    expect(before.split("\n")[0]).not.toContain("loss_se");
    expect(await main(["scaling", "report", dir, "--grid", "coarse", "--bootstrap", "0"])).toBe(0);
    expect(readFileSync(join(dir, "runs.csv"), "utf8")).toBe(before); // read, never rewritten
    const report = readFileSync(join(dir, "report.md"), "utf8");
    expect(report).toMatch(/Loss = mean validation loss over the first \d+ validation windows, the same for every run \(these runs were recorded before kiln's current definition/);
    expect(report).toMatch(/budgets with ≥ 3 model sizes have an interior minimum/);
    expect(report).not.toMatch(/NaN/);
  });

  it("reports usage mistakes in one line", async () => {
    expect(await main(["scaling"])).toBe(1);
    expect(err.join("\n")).toMatch(/^kiln scaling: give one of --preset quick\|full or --sweep FILE/);
    const bad = join(tempRunDir(), "bad.csv");
    writeFileSync(bad, "N,D\n1,2\n");
    expect(await main(["scaling", "fit", bad])).toBe(1);
    expect(err.join("\n")).toMatch(/bad\.csv: the header must name columns N, D and loss/);
    expect(await main(["scaling", "fit", FIXTURE, "--grid", "huge"])).toBe(1);
    expect(err.join("\n")).toMatch(/--grid must be "chinchilla" or "coarse"/);
    expect(await main(["scaling", "--preset", "nope"])).toBe(1);
    expect(err.join("\n")).toMatch(/nope\.json: no such sweep file or preset/);
  });
});
