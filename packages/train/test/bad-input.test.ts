/**
 * @file Every row of the bad-input table (bad-input-cases.ts) gets its exit
 * code and one line naming the problem, with no stack trace: all rows
 * through `main`, a spread of rows through a spawned `kiln` (the whole table
 * spawned is `npm run test:bad-input`). Also: piping `kiln` into a reader
 * that stops early (`| head`) ends quietly, not with an EPIPE trace.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli/main.js";
import { badInputCases, makeBadInputFixture, type BadInputCase, type BadInputFixture } from "./bad-input-cases.js";

const BIN = join(import.meta.dirname, "..", "bin", "kiln.mjs");
let fixture: BadInputFixture;
let cases: BadInputCase[];
beforeAll(async () => {
  fixture = await makeBadInputFixture();
  cases = badInputCases(fixture);
}, 60_000);
afterEach(() => vi.restoreAllMocks());

/** Runs `kiln args` in a child; resolves to its exit code and output. */
export function spawnKiln(args: string[], onStdout?: (proc: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(proc);
  });
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.on("close", (code) => resolve({ code, stdout, stderr })));
}

function expectOneNamedLine(c: BadInputCase, code: number | null, stderr: string): void {
  const lines = stderr.trimEnd().split("\n");
  expect({ what: c.what, code, lines: lines.length }).toEqual({ what: c.what, code: c.code, lines: 1 });
  expect(lines[0]).toMatch(c.error);
  expect(lines[0]).toMatch(/^kiln( \w+)?: /);
  expect(stderr).not.toMatch(/\n\s+at |\\x00|\u0000|\ufffd/);
}

describe("bad input", () => {
  it("every row: its exit code and one line naming the problem (through main)", async () => {
    for (const c of cases) {
      const err: string[] = [];
      vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
      vi.spyOn(console, "log").mockImplementation(() => {});
      vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      const code = await main(c.args);
      vi.restoreAllMocks();
      expectOneNamedLine(c, code, err.join("\n"));
    }
  }, 120_000);

  it("--verbose adds the full list of tensors a mismatched checkpoint lacks, and the stack", async () => {
    const err: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
    expect(await main(["eval", join(fixture.root, "other-config"), "--verbose"])).toBe(1);
    const text = err.join("\n");
    expect(text).toMatch(/missing:\n( {2}model\.layers\.[12]\.\S+\n){18}/);
    expect(text).toMatch(/\n\s+at /);
  });

  it("a spread of rows through a spawned kiln", async () => {
    const picked = cases.filter((_, i) => i % 9 === 0);
    for (let i = 0; i < picked.length; i += 2) {
      const batch = picked.slice(i, i + 2);
      const results = await Promise.all(batch.map((c) => spawnKiln(c.args)));
      batch.forEach((c, j) => expectOneNamedLine(c, results[j]!.code, results[j]!.stderr));
    }
  }, 120_000);

  it("a reader that stops early (| head) ends kiln quietly", async () => {
    const r = await spawnKiln(["sample", "--checkpoint", fixture.run, "--prompt-ids", "1", "--output", "ids", "--num-samples", "2000", "--max-new-tokens", "2"], (proc) => proc.stdout!.destroy());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);
});
