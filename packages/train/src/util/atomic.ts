/**
 * @file Durable writes: files flushed to disk before they are renamed into
 * place, and directories flushed so that a rename survives a power loss.
 * Whole-file replacement is `writeFileAtomic` from @kiln/tensor.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
export { writeFileAtomic } from "@kiln/tensor";

/** Writes `data` to a new file at `path` and flushes it to disk (no rename: for files inside a directory that is itself renamed into place). */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "wx");
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a directory's entries (so a file created or renamed in it survives a power loss). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
