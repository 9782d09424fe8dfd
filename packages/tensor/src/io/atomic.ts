/**
 * @file Atomic, durable file writes, shared by every package that saves
 * files: a temporary sibling is written and flushed, then renamed over the
 * target and the directory flushed, so a crash never leaves a half-written
 * checkpoint, tokenizer or cache, and a power loss leaves the old or the new.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";

/** Writes `data` to a new file at `path` and flushes it to disk; fails if `path` exists (for files inside a directory renamed into place as a whole). */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "wx");
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a directory's entries, so a file created or renamed in it survives a power loss. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` atomically (temp file in the same directory, fsync, rename, fsync of the directory), creating parent directories. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileDurable(tmp, data);
    renameSync(tmp, path);
    fsyncDir(dirname(path));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write "${path}": ${(err as Error).message}`, { cause: err });
  }
}
