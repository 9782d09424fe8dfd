/**
 * @file Regenerates test/fixtures/golden-losses.json: the exact loss at every
 * step of a seeded tiny run. Run it (npx tsx packages/train/scripts/make-golden.ts)
 * only when a numerical change to kernels or ops is intended, and say so in the commit.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { goldenRun } from "../test/golden-run.js";

const losses = await goldenRun();
const path = join(import.meta.dirname, "..", "test", "fixtures", "golden-losses.json");
writeFileSync(path, `${JSON.stringify({ note: "exact per-step training losses of goldenRun() (test/golden-run.ts)", losses }, null, 2)}\n`);
console.log(`wrote ${losses.length} losses to ${path}`);
