/**
 * @file A run directory's checkpoints: immutable step-numbered directories
 * (`checkpoints/step-000600/`, each written under a temporary name and
 * renamed once), a `LATEST` pointer replaced by one atomic rename, pruning
 * to the newest `keepLast`, and a sweep of the temporaries a killed process
 * left. Every state a kill can leave names a complete checkpoint: a
 * `step-*` directory exists only once all its files are on disk.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { faultPoint } from "../util/fault.js";
import { saveCheckpoint, type TrainerState } from "./checkpoint.js";

/** The subdirectory of a run that holds its checkpoints. */
export const CHECKPOINTS_DIR = "checkpoints";
/** The pointer file naming the newest complete checkpoint. */
export const LATEST_FILE = "LATEST";
/** The single checkpoint directory of runs made before step-numbered checkpoints (still loadable). */
const LEGACY_DIR = "checkpoint";
const STEP_DIR = /^step-(\d{6,})$/;
/** Temporaries: `.step-000600.<pid>.tmp` / `.del` (ours), `<file>.<pid>.<hex>.tmp` (writeFileAtomic), `.checkpoint.<pid>.tmp` / `.old` (old kiln). */
const TEMPORARY = /\.(\d+)(?:\.[0-9a-f]{8})?\.(tmp|del|old)$/;

/** The directory name of the checkpoint after `step` optimizer steps. */
export function stepDirName(step: number): string {
  return `step-${String(step).padStart(6, "0")}`;
}

/** The complete step-numbered checkpoints of a run, oldest first. */
export function listCheckpoints(runDir: string): { step: number; dir: string }[] {
  const root = join(runDir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => ({ name, m: STEP_DIR.exec(name) }))
    .filter((e) => e.m !== null)
    .map((e) => ({ step: Number(e.m![1]), dir: join(root, e.name) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * The newest complete checkpoint of a run directory, or null when it has none:
 * the highest `step-*` directory (the one `LATEST` names, or a newer one when
 * a kill fell between its rename and the pointer update), else an old-style
 * `checkpoint/` directory.
 */
export function latestCheckpoint(runDir: string): string | null {
  const newest = listCheckpoints(runDir).at(-1);
  if (newest) return newest.dir;
  const legacy = join(runDir, LEGACY_DIR);
  return existsSync(join(legacy, "config.json")) ? legacy : null;
}

/** What `LATEST` names (null when absent or not a step directory), for tools and tests. */
export function readLatestPointer(runDir: string): string | null {
  try {
    const name = readFileSync(join(runDir, CHECKPOINTS_DIR, LATEST_FILE), "utf8").trim();
    return STEP_DIR.test(name) ? name : null;
  } catch {
    return null;
  }
}

/**
 * Saves the checkpoint of `parts.trainer.step` into `runDir/checkpoints/`,
 * points `LATEST` at it and removes all but the newest `keepLast`.
 * A checkpoint of the same step already on disk is kept as it is.
 */
export function writeRunCheckpoint(runDir: string, parts: Parameters<typeof saveCheckpoint>[1] & { trainer: TrainerState }, keepLast: number): string {
  const root = join(runDir, CHECKPOINTS_DIR);
  const name = stepDirName(parts.trainer.step);
  const dir = join(root, name);
  if (!existsSync(dir)) saveCheckpoint(dir, parts);
  writeFileAtomic(join(root, LATEST_FILE), `${name}\n`);
  faultPoint("checkpoint:pointer");
  for (const old of listCheckpoints(runDir).slice(0, -keepLast)) {
    if (old.dir !== dir) removeDir(old.dir);
  }
  return dir;
}

/** Deletes a directory so that no partly deleted copy ever carries a checkpoint's name: rename aside, then remove. */
function removeDir(dir: string): void {
  const aside = join(dirname(dir), `.${basename(dir)}.${process.pid}.del`);
  renameSync(dir, aside);
  faultPoint("checkpoint:pruning");
  rmSync(aside, { recursive: true, force: true });
}

/** Removes every checkpoint of a run (finished sweep and ablation runs keep only their results). */
export function removeCheckpoints(runDir: string): void {
  for (const name of [CHECKPOINTS_DIR, LEGACY_DIR]) {
    const dir = join(runDir, name);
    if (existsSync(dir)) removeDir(dir);
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // this process has written nothing yet when it sweeps
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the temporaries (`*.<pid>[.<hex>].tmp|del|old`) that dead processes left directly in `dir`; returns their paths. */
export function removeDeadTemporaries(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = TEMPORARY.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/**
 * Removes the temporaries that killed processes left in a run directory and
 * its `checkpoints/` (entries of live processes are left alone). An old-style
 * run killed between its two renames first gets its `checkpoint/` back from
 * the `.checkpoint.<pid>.old` copy. Returns the paths removed.
 */
export function sweepTemporaries(runDir: string): string[] {
  if (existsSync(runDir) && !existsSync(join(runDir, LEGACY_DIR))) {
    const old = readdirSync(runDir).find((n) => n.startsWith(`.${LEGACY_DIR}.`) && TEMPORARY.exec(n)?.[2] === "old" && !alive(Number(TEMPORARY.exec(n)![1])));
    if (old !== undefined) renameSync(join(runDir, old), join(runDir, LEGACY_DIR));
  }
  return [...removeDeadTemporaries(runDir), ...removeDeadTemporaries(join(runDir, CHECKPOINTS_DIR))];
}

/**
 * A checkpoint directory from what a user typed: a checkpoint directory
 * itself, or a run directory (its newest complete checkpoint).
 */
export function resolveCheckpointDir(path: string): string {
  if (existsSync(join(path, "config.json"))) return path;
  const root = basename(path) === CHECKPOINTS_DIR ? dirname(path) : path;
  return latestCheckpoint(root) ?? path;
}

/** What marks `runDir` as holding a run already (its newest checkpoint, metrics), empty when it does not. */
export function existingRun(runDir: string): string[] {
  const newest = latestCheckpoint(runDir);
  const found = newest === null ? [] : [relative(runDir, newest)];
  return existsSync(join(runDir, "metrics.jsonl")) ? [...found, "metrics.jsonl"] : found;
}

/** Deletes a run's checkpoints and metrics (what `kiln train --overwrite` replaces). */
export function clearRun(runDir: string): void {
  sweepTemporaries(runDir);
  removeCheckpoints(runDir);
  rmSync(join(runDir, "metrics.jsonl"), { force: true });
}
