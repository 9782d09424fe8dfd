/**
 * @file Llama's forward hands its activations to its graph (`freeWithGraph`): after backward they
 * are back in the pool. With KILN_POOL_POISON=1 (freed blocks filled with NaN) a few training
 * steps must print exactly what they print without it — nothing reads a freed activation, and the
 * logits the caller holds survive backward and the optimizer step.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const child = join(import.meta.dirname, "poisoned-steps.child.ts");

function steps(poison: boolean): number[][] {
  const r = spawnSync(process.execPath, ["--import", "tsx", child], {
    encoding: "utf8",
    env: { ...process.env, KILN_POOL_POISON: poison ? "1" : "0" },
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as number[][];
}

describe("Llama's freed activations", () => {
  it("trains the same with freed blocks poisoned: no freed activation is read, held logits stay intact", () => {
    const poisoned = steps(true);
    expect(poisoned.flat().every(Number.isFinite)).toBe(true);
    expect(poisoned).toEqual(steps(false));
  }, 60_000);
});
