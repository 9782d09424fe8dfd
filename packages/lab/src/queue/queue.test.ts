import { existsSync, mkdtempSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { currentClaim, tryClaim } from "./claim.js";
import { planEta, writeProbe } from "./eta.js";
import { readPlan, readResult, runDir, writePlan, writeTiming, type Plan } from "./plan-dir.js";
import { planStatus, runClaimLoop, runIndex, taskIndex, type Executor } from "./queue.js";

const fast = { staleSeconds: 1, heartbeatSeconds: 0.05 };
const plan = (n: number): Plan => ({ kind: "test", name: "t", runs: Array.from({ length: n }, (_, i) => ({ id: `r${i}`, config: { i } })) });
const fresh = () => mkdtempSync(join(tmpdir(), "kiln-lab-"));
const square: Executor = async (_p, run) => ({ out: ((run.config as { i: number }).i) ** 2 });

/** Makes the newest claim on `id` look `seconds` old. */
function age(dir: string, id: string, seconds: number): void {
  const gen = currentClaim(dir, id)!.info.generation;
  const t = new Date(Date.now() - seconds * 1000);
  utimesSync(join(dir, "claims", id, `${gen}.json`), t, t);
}

describe("plan directory", () => {
  it("writes a plan once, accepts the same plan again, refuses a different one by name", () => {
    const dir = fresh();
    writePlan(dir, plan(3));
    writePlan(dir, plan(3));
    expect(readPlan(dir).runs.map((r) => r.id)).toEqual(["r0", "r1", "r2"]);
    expect(() => writePlan(dir, plan(4))).toThrow(`${dir} already holds a different plan`);
  });
  it("refuses unsafe or duplicate ids and a directory without a plan", () => {
    expect(() => writePlan(fresh(), { kind: "x", name: "x", runs: [{ id: "../up", config: {} }] })).toThrow('runs[0].id must be a file-safe name, got "../up"');
    expect(() => writePlan(fresh(), { kind: "x", name: "x", runs: [{ id: "a", config: {} }, { id: "a", config: {} }] })).toThrow('run id "a" appears twice');
    const dir = fresh();
    expect(() => readPlan(dir)).toThrow(`${dir} is not a plan directory (no plan.json)`);
  });
});

describe("claims", () => {
  it("one winner per generation; a live claim is not taken, a stale one is", () => {
    const dir = fresh();
    writePlan(dir, plan(1));
    const a = tryClaim(dir, "r0", "a", fast)!;
    expect(a.info.generation).toBe(0);
    expect(tryClaim(dir, "r0", "b", fast)).toBeUndefined();
    age(dir, "r0", 5);
    const b = tryClaim(dir, "r0", "b", fast)!;
    expect(b.info.generation).toBe(1);
    expect(a.held()).toBe(false);
    expect(a.heartbeat()).toBe(false);
    expect(b.heartbeat()).toBe(true);
  });
});

describe("queue", () => {
  it("status moves pending → running → stale → done", async () => {
    const dir = fresh();
    writePlan(dir, plan(2));
    expect(planStatus(dir, fast).map((s) => s.state)).toEqual(["pending", "pending"]);
    tryClaim(dir, "r1", "w", fast);
    expect(planStatus(dir, fast).map((s) => s.state)).toEqual(["pending", "running"]);
    age(dir, "r1", 5);
    expect(planStatus(dir, fast)[1]).toMatchObject({ state: "stale", holder: { worker: "w" } });
    expect(await runClaimLoop(dir, square, { timing: fast })).toBe(2);
    expect(planStatus(dir, fast).map((s) => s.state)).toEqual(["done", "done"]);
    expect(readResult(dir, "r1")).toEqual({ out: 1 });
    expect(existsSync(join(dir, "claims", "r1"))).toBe(false);
  });
  it("runIndex executes one run, never repeats a finished one, refuses one held by a live worker", async () => {
    const dir = fresh();
    writePlan(dir, plan(3));
    let calls = 0;
    const counted: Executor = async (p, r, d, s) => { calls++; return square(p, r, d, s); };
    expect(await runIndex(dir, 2, counted, { timing: fast })).toBe("done");
    expect(await runIndex(dir, 2, counted, { timing: fast })).toBe("already-done");
    expect(calls).toBe(1);
    tryClaim(dir, "r0", "other", fast);
    await expect(runIndex(dir, 0, counted, { timing: fast })).rejects.toThrow(/run 0 \(r0\) is being trained by other/);
    await expect(runIndex(dir, 3, counted)).rejects.toThrow(`run index 3 is out of range: the plan in ${dir} has runs 0…2`);
  });
  it("a run taken over mid-training is aborted and its stale holder's result is not written", async () => {
    const dir = fresh();
    writePlan(dir, plan(1));
    let seenAbort = false;
    const slow: Executor = (_p, _r, _d, signal) => new Promise((resolve) => {
      signal.addEventListener("abort", () => { seenAbort = true; resolve({ late: true }); });
      // Another worker takes the run over as if this one had gone silent.
      setTimeout(() => { age(dir, "r0", 5); tryClaim(dir, "r0", "thief", fast); }, 20);
    });
    expect(await runIndex(dir, 0, slow, { timing: fast })).toBe("lost");
    expect(seenAbort).toBe(true);
    expect(readResult(dir, "r0")).toBeUndefined();
    expect(currentClaim(dir, "r0")!.info.worker).toBe("thief");
  });
  it("an executor that stops early gives the run back", async () => {
    const dir = fresh();
    writePlan(dir, plan(2));
    expect(await runClaimLoop(dir, async () => undefined, { timing: fast })).toBe(0);
    expect(planStatus(dir, fast).map((s) => s.state)).toEqual(["pending", "pending"]);
  });
  it("reads the task index from --index, Slurm or Kubernetes", () => {
    expect(taskIndex(3, { SLURM_ARRAY_TASK_ID: "7" })).toBe(3);
    expect(taskIndex(undefined, { SLURM_ARRAY_TASK_ID: "7" })).toBe(7);
    expect(taskIndex(undefined, { JOB_COMPLETION_INDEX: "4" })).toBe(4);
    expect(taskIndex(undefined, {})).toBeUndefined();
    expect(() => taskIndex(undefined, { SLURM_ARRAY_TASK_ID: "x" })).toThrow('SLURM_ARRAY_TASK_ID="x" is not a run index');
  });
});

describe("ETA", () => {
  const costed = (): Plan => ({ kind: "test", name: "t", runs: [10, 20, 30].map((cost, i) => ({ id: `r${i}`, config: { i }, cost })) });
  it("is unknown before anything ran or was probed, then the finished runs' pace over the work left", async () => {
    const dir = fresh();
    writePlan(dir, costed());
    expect(planEta(dir, readPlan(dir), planStatus(dir, fast), 1)).toBeNaN();
    await runIndex(dir, 0, square, { timing: fast });
    writeTiming(runDir(dir, "r0"), { seconds: 5, tokensPerSec: 1, host: "h", finishedAt: "" }); // 0.5 s per unit of cost
    expect(planEta(dir, readPlan(dir), planStatus(dir, fast), 1)).toBe(25);
    expect(planEta(dir, readPlan(dir), planStatus(dir, fast), 2)).toBe(12.5);
  });
  it("starts from a probe's predicted seconds, and counts a running run's time since its claim", () => {
    const dir = fresh();
    writePlan(dir, costed());
    writeProbe(dir, { r0: 4, r1: 6, r2: 8 });
    expect(planEta(dir, readPlan(dir), planStatus(dir, fast), 1)).toBe(18);
    tryClaim(dir, "r2", "w", fast); // just claimed: nearly all of its 8 s left
    const eta = planEta(dir, readPlan(dir), planStatus(dir, fast), 1);
    expect(eta).toBeGreaterThan(17.5);
    expect(eta).toBeLessThanOrEqual(18);
  });
});
