/**
 * @file Atomic file writes: write a temporary sibling, then rename over the target,
 * so a crash never leaves a half-written tokenizer, manifest or token cache.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Writes `data` to `path` atomically (temp file in the same directory + `rename`),
 * creating parent directories as needed.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`writeFileAtomic: cannot write "${path}": ${(err as Error).message}`, { cause: err });
  }
}
