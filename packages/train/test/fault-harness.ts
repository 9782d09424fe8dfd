/**
 * @file The crash harness behind `faults.test.ts` (a seeded handful of kills)
 * and `npm run test:faults` (a long randomized campaign): one run directory
 * is trained by a chain of `kiln train` children, each SIGKILLed either at a
 * named point of a checkpoint or metrics write (`KILN_FAULT`) or after a
 * random delay. After every kill the newest complete checkpoint must load
 * and never go back in steps; the last child finishes the run, which must
 * then match an uninterrupted run bit for bit with no debris left behind.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Generator } from "@kiln/tensor";
import { loadCheckpoint, modelFromCheckpoint } from "../src/checkpoint/checkpoint.js";
import { latestCheckpoint, listCheckpoints, readLatestPointer } from "../src/checkpoint/store.js";
import { readMetrics } from "../src/metrics.js";
import { FAULT_POINTS } from "../src/util/fault.js";
import { makeCorpusDir, tempRunDir } from "./helpers.js";

const BIN = join(import.meta.dirname, "..", "bin", "kiln.mjs");

/** One kill: at a named write point (its `nth` passage in this child), or `delayMs` after training starts. */
export type Fault = { point: (typeof FAULT_POINTS)[number]; nth: number } | { delayMs: number };

/** What one child did. */
export interface TrialRecord {
  fault: Fault;
  /** The child died by SIGKILL (false: it finished before the fault came). */
  killed: boolean;
  /** The kill left a write half done (a temporary on disk, or LATEST not yet moved to the newest checkpoint). */
  midWrite: boolean;
  /** Step of the newest complete checkpoint after the kill. */
  step: number | null;
}

/** A campaign's outcome; `failures` is empty when every invariant held. */
export interface CampaignResult {
  trials: TrialRecord[];
  failures: string[];
  steps: number;
}

/** The training config every child runs: tiny, a checkpoint every step, so kills often land in writes. */
export function faultConfig(corpus: string, cache: string, steps: number): Record<string, unknown> {
  return {
    name: "faults",
    model: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, tie_word_embeddings: true, dropout: 0.1 },
    data: { corpus, tokenizer: "byte", contextLength: 16, cacheDir: cache },
    optim: { lr: 1e-2, warmupSteps: 2 },
    train: { steps, batchSize: 2, evalInterval: 5, evalBatches: 1, checkpointInterval: 1, keepLast: 2, logInterval: 1, seed: 5 },
    sample: { prompts: ["the"], maxNewTokens: 4 },
  };
}

/** Runs `kiln train` with `args`; a delay fault kills it `delayMs` after it prints its run directory. */
function child(args: string[], fault: Fault | null): Promise<{ code: number | null; signal: NodeJS.Signals | null; log: string }> {
  const env = { ...process.env, KILN_FAULT: fault !== null && "point" in fault ? `${fault.point}@${fault.nth}` : "" };
  const proc = spawn(process.execPath, [BIN, "train", ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let log = "";
  let timer: NodeJS.Timeout | undefined;
  const onData = (d: Buffer) => {
    log += d.toString();
    if (timer === undefined && fault !== null && "delayMs" in fault && log.includes("run directory:")) {
      timer = setTimeout(() => proc.kill("SIGKILL"), fault.delayMs);
    }
  };
  proc.stdout.on("data", onData);
  proc.stderr.on("data", onData);
  return new Promise((resolve) => proc.on("exit", (code, signal) => {
    clearTimeout(timer);
    resolve({ code, signal, log });
  }));
}

/** Temporaries anywhere in a run directory (what a kill mid-write leaves until the next start sweeps it). */
export function temporaries(runDir: string): string[] {
  const found: string[] = [];
  for (const dir of [runDir, join(runDir, "checkpoints")]) {
    if (existsSync(dir)) found.push(...readdirSync(dir).filter((n) => /\.(tmp|del|old)$/.test(n)).map((n) => join(dir, n)));
  }
  return found;
}

/** Steps → training loss of a run's metrics (the numbers resume must reproduce). */
function losses(runDir: string): Map<number, number> {
  return new Map(readMetrics(join(runDir, "metrics.jsonl")).filter((r) => r.loss !== undefined).map((r) => [r.step, r.loss!]));
}

/** Draws `count` faults from `seed`: named points (each point in turn, then at random) mixed with random delays. */
export function drawFaults(seed: number, count: number, delayRangeMs: number): Fault[] {
  const g = new Generator(seed);
  let k = 0;
  return Array.from({ length: count }, (_, i) => {
    if (i % 3 === 2) return { delayMs: Math.floor(g.random() * delayRangeMs) };
    const point = FAULT_POINTS[k < FAULT_POINTS.length ? k : g.randint(0, FAULT_POINTS.length)]!;
    k++;
    return { point, nth: 1 + g.randint(0, 3) };
  });
}

/** Trains one run through `faults` (one child per fault, then one to finish) and checks every invariant. */
export async function runCampaign(faults: readonly Fault[], opts: { steps: number; log?: (line: string) => void }): Promise<CampaignResult> {
  const root = tempRunDir();
  const corpus = makeCorpusDir();
  const configPath = join(root, "faults.json");
  writeFileSync(configPath, JSON.stringify(faultConfig(corpus, join(root, "cache"), opts.steps)));
  const failures: string[] = [];
  const ref = join(root, "reference");
  const straight = await child(["--config", configPath, "--out", ref], null);
  if (straight.code !== 0) return { trials: [], failures: [`reference run failed: ${straight.log.slice(-500)}`], steps: opts.steps };
  const run = join(root, "victim");
  const trials: TrialRecord[] = [];
  let lastStep = 0;
  for (const fault of [...faults, null]) {
    const finished = lastStep === opts.steps; // a fault that never came let the child finish: start the run again
    if (fault === null && finished) break;
    if (finished) lastStep = 0;
    const args = latestCheckpoint(run) !== null && !finished ? ["--resume", run] : ["--config", configPath, "--out", run, "--overwrite"];
    const r = await child(args, fault);
    const killed = r.signal === "SIGKILL";
    if (!killed && r.code !== 0) failures.push(`${JSON.stringify(fault)}: the child exited ${r.code}: ${r.log.trim().split("\n").at(-1)}`);
    const newest = latestCheckpoint(run);
    let step: number | null = null;
    if (newest !== null) {
      try {
        const ckpt = loadCheckpoint(newest);
        modelFromCheckpoint(ckpt);
        step = ckpt.trainer!.step;
      } catch (e) {
        failures.push(`${JSON.stringify(fault)}: the newest checkpoint ${newest} does not load: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    if (step !== null && step < lastStep) failures.push(`${JSON.stringify(fault)}: the newest checkpoint went back from step ${lastStep} to ${step}`);
    const pointer = readLatestPointer(run);
    const names = listCheckpoints(run).map((c) => c.dir.split("/").at(-1));
    if (pointer !== null && !names.includes(pointer)) failures.push(`${JSON.stringify(fault)}: LATEST names ${pointer}, which is not on disk (${names.join(", ")})`);
    if (existsSync(join(run, "metrics.jsonl")) && step !== null && readMetrics(join(run, "metrics.jsonl")).length === 0) failures.push(`${JSON.stringify(fault)}: metrics.jsonl lost its history`);
    lastStep = step ?? lastStep;
    if (fault !== null) {
      const pointerLags = newest !== null && pointer !== null && pointer !== newest.split("/").at(-1);
      trials.push({ fault, killed, midWrite: killed && (temporaries(run).length > 0 || pointerLags), step });
      opts.log?.(`trial ${trials.length}/${faults.length}: ${JSON.stringify(fault)} → ${killed ? "killed" : "not reached"}${trials.at(-1)!.midWrite ? " mid-write" : ""}, newest checkpoint step ${step}`);
    }
  }
  const refLosses = losses(ref);
  const got = losses(run);
  for (const [s, l] of refLosses) if (got.get(s) !== l) failures.push(`step ${s}: loss ${got.get(s)} after the kills, ${l} uninterrupted`);
  const refFinal = readFileSync(join(latestCheckpoint(ref)!, "model.safetensors"));
  const final = latestCheckpoint(run);
  if (final === null || !readFileSync(join(final, "model.safetensors")).equals(refFinal)) failures.push("the final weights differ from the uninterrupted run's");
  const debris = temporaries(run);
  if (debris.length > 0) failures.push(`debris left after the final run: ${debris.join(", ")}`);
  if (listCheckpoints(run).length > 2) failures.push(`keepLast 2, but ${listCheckpoints(run).length} checkpoints remain`);
  return { trials, failures, steps: opts.steps };
}
