/**
 * @file `npm run test:bad-input`: every row of the bad-input table through a
 * spawned `kiln`, printed as a Markdown table (what, exit code, the line
 * kiln printed, pass/FAIL); exits 1 if any row fails.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { badInputCases, makeBadInputFixture } from "./bad-input-cases.js";

const BIN = join(import.meta.dirname, "..", "bin", "kiln.mjs");
const run = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  proc.on("close", (code) => resolve({ code, stderr }));
});

const fixture = await makeBadInputFixture();
const cases = badInputCases(fixture);
let failed = 0;
console.log("| input | exit | kiln's message | ok |\n|---|---:|---|---|");
for (const c of cases) {
  const r = await run(c.args);
  const lines = r.stderr.trimEnd().split("\n");
  const ok = r.code === c.code && lines.length === 1 && c.error.test(lines[0]!) && !/\n\s+at /.test(r.stderr);
  failed += ok ? 0 : 1;
  const shown = lines.join(" ⏎ ").replaceAll(fixture.root, "…").replaceAll("|", "\\|");
  console.log(`| ${c.what} | ${r.code} | ${shown} | ${ok ? "yes" : "FAIL"} |`);
}
console.log(`\n${cases.length - failed} of ${cases.length} rows refused as expected`);
process.exitCode = failed === 0 ? 0 : 1;
