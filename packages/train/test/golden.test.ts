/**
 * @file Golden test: a seeded tiny run reproduces the committed loss
 * sequence exactly, so any numerical change to kernels is noticed on purpose
 * (regenerate with scripts/make-golden.ts and say why in the commit). The
 * numbers are those of the default WASM backend (any thread count); the JS
 * fallback rounds differently by design.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { goldenRun } from "./golden-run.js";

describe("golden run", () => {
  it("reproduces the committed per-step losses bit for bit", async () => {
    const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "golden-losses.json"), "utf8")) as { losses: number[] };
    expect(fixture.losses).toHaveLength(15);
    expect(await goldenRun()).toEqual(fixture.losses);
  });
});
