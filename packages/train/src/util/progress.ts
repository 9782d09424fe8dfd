/**
 * @file The live progress line: on a TTY one line redrawn in place
 * (`step 120/1000 ▕███░░░▏ loss 3.41 | lr 6.0e-4 | 21.3k tok/s | ETA 2m10s`),
 * otherwise plain log lines at a fixed interval, so logs stay readable.
 */

/** `95s` → `1m35s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** `21345` → `21.3k`, `7.86e12` → `7.86T`: engineering prefixes (k, M, G, T, P, E), so no number prints with more than three integer digits. */
export function formatCount(n: number): string {
  if (n >= 1e18) return `${(n / 1e18).toFixed(2)}E`;
  if (n >= 1e15) return `${(n / 1e15).toFixed(2)}P`;
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)}T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

/** A text bar of `width` cells filled to `fraction`. */
export function bar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.floor(f * width);
  return `▕${"█".repeat(full)}${"░".repeat(width - full)}▏`;
}

/** Where progress goes: a TTY gets an in-place line, anything else periodic lines. */
export class Progress {
  private lastPlain = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean } = process.stdout,
    /** Minimum seconds between plain (non-TTY) lines. */
    private readonly plainEvery = 10,
  ) {}

  /** Updates the live line (TTY) or prints it if enough time passed (plain). */
  update(line: string, force = false): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const now = performance.now() / 1000;
    if (force || now - this.lastPlain >= this.plainEvery) {
      this.out.write(`${line}\n`);
      this.lastPlain = now;
    }
  }

  /** Prints a permanent line above the live one. */
  log(line: string): void {
    if (this.out.isTTY && this.drawn) this.out.write("\r\x1b[2K");
    this.out.write(`${line}\n`);
    this.drawn = false;
  }

  /** Ends the live line. */
  done(): void {
    if (this.out.isTTY && this.drawn) this.out.write("\n");
    this.drawn = false;
  }
}
