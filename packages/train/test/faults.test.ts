/**
 * @file Crash safety, seeded: a run is SIGKILLed at five moments of its
 * checkpoint and metrics writes (mid-file, written but not renamed, renamed
 * but not pointed at, mid-pruning, mid-truncation of metrics.jsonl) and once
 * at a random moment; every kill leaves a loadable newest checkpoint, and
 * the resumed run ends bit-identical to an uninterrupted one with no
 * debris. The randomized campaign is `npm run test:faults`.
 */
import { describe, expect, it } from "vitest";
import { runCampaign, type Fault } from "./fault-harness.js";

const FAULTS: Fault[] = [
  { point: "checkpoint:model.safetensors", nth: 2 },
  { point: "metrics:truncate", nth: 1 },
  { point: "checkpoint:fsync", nth: 1 },
  { point: "checkpoint:renamed", nth: 2 },
  { point: "checkpoint:pruning", nth: 1 },
  { delayMs: 150 },
];

describe("kill at any moment", () => {
  it("leaves a loadable checkpoint and resumes bit-identically", async () => {
    const r = await runCampaign(FAULTS, { steps: 14 });
    expect(r.failures).toEqual([]);
    expect(r.trials.slice(0, 5).every((t) => t.killed && t.midWrite)).toBe(true);
  }, 120_000);
});
