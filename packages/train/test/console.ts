/**
 * @file Captures what a command prints, for CLI tests: console.log (and, if
 * asked, raw stdout writes) into `out`, console.error into `err`, emptied
 * before each test.
 */
import { afterEach, beforeEach, vi } from "vitest";

/** The lines printed during the current test. */
export interface Captured {
  out: string[];
  err: string[];
}

/** Registers hooks that capture console output per test; `stdout` also captures `process.stdout.write` (progress lines). */
export function captureConsole({ stdout = false } = {}): Captured {
  const c: Captured = { out: [], err: [] };
  beforeEach(() => {
    c.out.length = 0;
    c.err.length = 0;
    vi.spyOn(console, "log").mockImplementation((...a) => void c.out.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a) => void c.err.push(a.join(" ")));
    if (stdout) vi.spyOn(process.stdout, "write").mockImplementation((s) => (c.out.push(String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return c;
}
