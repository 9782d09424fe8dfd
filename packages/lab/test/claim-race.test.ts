/**
 * @file Two `--claim` workers in separate processes racing over one plan: no
 * run is trained twice, and a worker killed mid-run has its run taken over
 * once its heartbeat goes stale.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { planStatus, readResult, writePlan } from "../src/index.js";

const WORKER = fileURLToPath(new URL("./fixtures/claim-worker.ts", import.meta.url));

function startWorker(dir: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", WORKER, dir, "1", "0.1", "60"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}
const exited = (p: ChildProcess) => new Promise<number | null>((resolve) => p.on("exit", (code) => resolve(code)));
async function startTogether(dir: string, workers: number): Promise<void> {
  while (readdirSync(dir).filter((f) => f.startsWith("ready-")).length < workers) await new Promise((r) => setTimeout(r, 20));
  writeFileSync(join(dir, "go"), "");
}
const events = (dir: string) => (existsSync(join(dir, "events.log")) ? readFileSync(join(dir, "events.log"), "utf8").trim().split("\n") : []);

describe("claim workers racing in separate processes", () => {
  it("train every run exactly once between them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-race-"));
    writePlan(dir, { kind: "test", name: "race", runs: Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, config: {} })) });
    const workers = [startWorker(dir), startWorker(dir)];
    await startTogether(dir, 2);
    expect(await Promise.all(workers.map(exited))).toEqual([0, 0]);
    const starts = events(dir).filter((e) => e.startsWith("start")).map((e) => e.split(" ")[1]);
    expect(starts.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`).sort());
    expect(new Set(events(dir).map((e) => e.split(" ")[2])).size).toBe(2); // both took part
    expect(planStatus(dir).every((s) => s.state === "done")).toBe(true);
  });

  it("take over the run of a worker killed mid-run after its heartbeat goes stale", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-race-"));
    writePlan(dir, { kind: "test", name: "kill", runs: [{ id: "a", config: {} }, { id: "b", config: { hang: true } }, { id: "c", config: {} }] });
    writeFileSync(join(dir, "go"), "");
    const doomed = startWorker(dir, { KILN_TEST_HANG: "1" });
    while (!events(dir).some((e) => e.startsWith("start b"))) await new Promise((r) => setTimeout(r, 20));
    doomed.kill("SIGKILL");
    await exited(doomed);
    expect(planStatus(dir, { staleSeconds: 1, heartbeatSeconds: 0.1 }).find((s) => s.id === "b")!.state).toBe("running");
    const rescuer = startWorker(dir);
    expect(await exited(rescuer)).toBe(0);
    const rescuerPid = events(dir).at(-1)!.split(" ")[2];
    expect(events(dir).filter((e) => e.startsWith("start b")).length).toBe(2);
    expect(readResult(dir, "b")).toEqual({ id: "b", by: Number(rescuerPid) });
    expect(planStatus(dir).map((s) => s.state)).toEqual(["done", "done", "done"]);
  });
});
