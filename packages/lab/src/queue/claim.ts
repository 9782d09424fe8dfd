/**
 * @file Claims on the runs of a plan directory, safe on a shared filesystem.
 * A claim is a file `claims/<id>/<generation>.json` made by an exclusive
 * create, so of two workers racing for the same generation exactly one wins.
 * The holder touches its file every few seconds (the heartbeat); a claim whose
 * heartbeat is older than `staleSeconds` belongs to a dead worker and is taken
 * over by creating the next generation. A holder that sees a newer generation
 * than its own has lost the run and stops. Nodes' clocks must agree to well
 * within `staleSeconds` (the heartbeat is the file's modification time).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** What a claim file says about its holder. */
export interface ClaimInfo {
  worker: string;
  host: string;
  pid: number;
  generation: number;
  claimedAt: string;
}

/** The newest claim on a run, with the age of its heartbeat. */
export interface ClaimState {
  info: ClaimInfo;
  heartbeatAgeSeconds: number;
  stale: boolean;
}

/** How long a silent heartbeat means a dead holder, and how often a live one beats. */
export interface ClaimTiming {
  staleSeconds: number;
  heartbeatSeconds: number;
}

/** Defaults: beat every 15 s, presume dead after 2 min of silence. */
export const DEFAULT_TIMING: ClaimTiming = { staleSeconds: 120, heartbeatSeconds: 15 };

/** A worker's name: host and process id unless given. */
export function defaultWorkerName(): string {
  return `${hostname()}:${process.pid}`;
}

function claimsDir(dir: string, id: string): string {
  return join(dir, "claims", id);
}

function generations(dir: string, id: string): number[] {
  const d = claimsDir(dir, id);
  if (!existsSync(d)) return [];
  return readdirSync(d).flatMap((f) => (/^\d+\.json$/.test(f) ? [Number.parseInt(f, 10)] : [])).sort((a, b) => a - b);
}

/** The newest claim on run `id`, or undefined when nobody ever claimed it. */
export function currentClaim(dir: string, id: string, timing: ClaimTiming = DEFAULT_TIMING): ClaimState | undefined {
  const gen = generations(dir, id).at(-1);
  if (gen === undefined) return undefined;
  const path = join(claimsDir(dir, id), `${gen}.json`);
  let info: ClaimInfo;
  let age: number;
  try {
    age = (Date.now() - statSync(path).mtimeMs) / 1000;
    info = JSON.parse(readFileSync(path, "utf8")) as ClaimInfo;
  } catch {
    // Created but not yet written (or removed on completion): treat as live and fresh.
    return { info: { worker: "?", host: "?", pid: 0, generation: gen, claimedAt: "" }, heartbeatAgeSeconds: 0, stale: false };
  }
  return { info, heartbeatAgeSeconds: age, stale: age > timing.staleSeconds };
}

/** A run this worker holds. */
export class Claim {
  constructor(readonly dir: string, readonly id: string, readonly info: ClaimInfo) {}

  private get path(): string {
    return join(claimsDir(this.dir, this.id), `${this.info.generation}.json`);
  }

  /** True while no newer generation exists (nobody has taken the run over). */
  held(): boolean {
    return generations(this.dir, this.id).every((g) => g <= this.info.generation);
  }

  /** Touches the claim file; returns false (and touches nothing) when the run was taken over. */
  heartbeat(): boolean {
    if (!this.held()) return false;
    const now = new Date();
    utimesSync(this.path, now, now);
    return true;
  }

  /** Removes every claim file of the run (called once its result is written). */
  finish(): void {
    rmSync(claimsDir(this.dir, this.id), { recursive: true, force: true });
  }

  /** Gives the run back unfinished (its next claimant starts at the next generation). */
  release(): void {
    if (this.held()) rmSync(this.path, { force: true });
  }
}

/**
 * Claims run `id` for `worker`: succeeds when nobody holds it or its holder's
 * heartbeat is stale; returns undefined when a live worker holds it or another
 * worker won the race. Checking that the run is not already done is the caller's job.
 */
export function tryClaim(dir: string, id: string, worker: string, timing: ClaimTiming = DEFAULT_TIMING): Claim | undefined {
  const current = currentClaim(dir, id, timing);
  if (current && !current.stale) return undefined;
  const generation = current ? current.info.generation + 1 : 0;
  mkdirSync(claimsDir(dir, id), { recursive: true });
  const info: ClaimInfo = { worker, host: hostname(), pid: process.pid, generation, claimedAt: new Date().toISOString() };
  let fd: number;
  try {
    fd = openSync(join(claimsDir(dir, id), `${generation}.json`), "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(info));
  } finally {
    closeSync(fd);
  }
  return new Claim(dir, id, info);
}
