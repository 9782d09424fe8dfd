/**
 * @file Atomic writes: a file or a whole directory is written under a
 * temporary name, flushed, then renamed into place, so a crash mid-write
 * leaves the previous version intact and never a half-written one.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
export { writeFileAtomic } from "@kiln/tensor";
import { basename, dirname, join } from "node:path";

/**
 * Builds a directory with `fill(tmpDir)` and moves it to `dir`, replacing any
 * previous one. The old directory is renamed aside first and removed only
 * after the new one is in place, so at every instant one complete version exists.
 */
export function writeDirAtomic(dir: string, fill: (tmpDir: string) => void): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.tmp`);
  const old = join(parent, `.${basename(dir)}.${process.pid}.old`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const hadOld = existsSync(dir);
  if (hadOld) renameSync(dir, old);
  renameSync(tmp, dir);
  if (hadOld) rmSync(old, { recursive: true, force: true });
}
