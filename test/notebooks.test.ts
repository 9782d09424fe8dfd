/**
 * @file Runs every lesson in packages/notebooks with tsx in fast mode
 * (KILN_NOTEBOOK_FAST=1), two at a time, and checks that each finishes
 * cleanly, writes its SVGs, and prints the computed claims it is about.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const lessonsDir = join(root, "packages", "notebooks");
const out = mkdtempSync(join(tmpdir(), "kiln-notebooks-"));
const lessons = readdirSync(lessonsDir).filter((f) => /^\d\d-.*\.ts$/.test(f)).sort();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function runLesson(file: string): Promise<Run> {
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(
      join(root, "node_modules", ".bin", "tsx"), [join(lessonsDir, file)],
      { cwd: root, env: { ...process.env, KILN_NOTEBOOK_FAST: "1", KILN_NOTEBOOK_OUT: out }, timeout: 180_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr, seconds: (performance.now() - start) / 1000 }),
    );
  });
}

/** All lessons, at most two running at once (the suite itself uses the other workers). */
const results = new Map<string, Promise<Run>>();
{
  const queue = [...lessons];
  const slots = 2;
  const waiters = new Map<string, (r: Run) => void>();
  for (const f of lessons) results.set(f, new Promise((resolve) => waiters.set(f, resolve)));
  const next = async (): Promise<void> => {
    const f = queue.shift();
    if (f === undefined) return;
    waiters.get(f)!(await runLesson(f));
    return next();
  };
  for (let i = 0; i < slots; i++) void next();
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The number captured by `re` (first group) in the output, or a failed expectation naming the pattern. */
function num(text: string, re: RegExp): number {
  const m = re.exec(text);
  expect(m, `output should match ${re}`).not.toBeNull();
  return Number(m![1]);
}

const claims: Record<string, (o: string) => void> = {
  "01-tensors.ts": (o) => {
    expect(o).toContain("same seed twice → max |difference| = 0");
    expect(num(o, /by the stride formula = (-?\d+)/)).toBe(num(o, /by toArray\(\) = (-?\d+)/));
    expect(o).toContain(`broadcastShapes("mul", [3, 1], [4]) = [3, 4]`);
    expect(Math.abs(num(o, /peaks at x = ([\d.]+)/) - Math.atan(4))).toBeLessThan(0.2);
  },
  "02-autograd.ts": (o) => {
    expect(num(o, /largest engine − hand difference: ([\d.e+-]+)/)).toBeLessThan(1e-12);
    expect(num(o, /largest kiln − engine difference: ([\d.e+-]+)/)).toBeLessThan(1e-12);
    expect(o).toMatch(/gradcheck\(.*\) → true/);
    expect(o).toMatch(/correct .* → pass/);
    expect(o).toMatch(/buggy .* → FAIL/);
    expect(num(o, /best float64 step h = \S+ \(error ([\d.e+-]+)\)/)).toBeLessThan(num(o, /best float32 step h = \S+ \(error ([\d.e+-]+)\)/));
    expect(num(o, /loss went from [\d.]+ to ([\d.]+)/)).toBeLessThan(num(o, /loss went from ([\d.]+)/));
  },
  "03-llama-blocks.ts": (o) => {
    expect(Math.abs(num(o, /LayerNorm: {2}mean (-?[\d.]+)/))).toBeLessThan(1e-3);
    expect(num(o, /spread over the \d+ pairs at distance \d+: RoPE ([\d.e+-]+)/)).toBeLessThan(1e-9);
    expect(num(o, /differ by at most ([\d.e+-]+)/)).toBeLessThan(1e-4);
    expect(num(o, /swigluHiddenSize\(4096\) = (\d+)/)).toBe(11008);
  },
  "04-attention-kv-cache.ts": (o) => {
    expect(num(o, /max \|by hand − fused\| = ([\d.e+-]+)/)).toBeLessThan(1e-5);
    expect(o).toMatch(/outputs 0…\d+ moved by 0,/);
    expect(num(o, /max \|logit difference\| = ([\d.e+-]+)/)).toBeLessThan(1e-4);
    expect(o).toMatch(/agree on all \d+ tokens: true/);
  },
  "05-train-tiny-llama.ts": (o) => {
    const [from, to] = [num(o, /validation loss went from ([\d.]+)/), num(o, /validation loss went from [\d.]+ to ([\d.]+)/)];
    expect(to).toBeLessThan(from);
    expect(o).toMatch(/nats (below|above) the unigram baseline/);
    expect(o.match(/^» /gm)?.length).toBe(3);
  },
  "06-adamw-cosine.ts": (o) => {
    expect(num(o, /formulas above \(float64\): max \|diff\| = ([\d.e+-]+)/)).toBeLessThan(1e-5);
    expect(num(o, /Adam f = ([\d.e+-]+)/)).toBeLessThan(num(o, /SGD f = ([\d.e+-]+)/));
    expect(o).toContain("lr(100) = 3.00e-3");
    expect(o).toMatch(/after \d+ steps the run with (no warmup|warmup) ended/);
  },
  "07-scaling-laws.ts": (o) => {
    expect(Math.abs(num(o, /fitted law: .*→ a = ([\d.]+)/) - 0.452)).toBeLessThan(0.05);
    expect(o.match(/^ +\de\+\d+ +d\d+L\d/gm)?.length).toBeGreaterThanOrEqual(6);
    expect(o).toMatch(/IsoFLOP curves have interior minima/);
    expect(existsSync(join(out, "07-scaling-laws", "report", "report.md"))).toBe(true);
  },
};

describe("notebooks run in fast mode", () => {
  it("every lesson has claims to check", () => {
    expect(lessons.length).toBe(7);
    expect(Object.keys(claims).sort()).toEqual(lessons);
  });
  for (const file of lessons) {
    it(file, async () => {
      const r = await results.get(file)!;
      expect(r.code, `${file} failed:\n${r.stderr.slice(-3000)}`).toBe(0);
      expect(r.stdout).toMatch(/✓ \S+ finished in .* \(mode: fast\)/);
      claims[file]?.(r.stdout);
      const dir = join(out, file.replace(/\.ts$/, ""));
      const svgs = existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".svg")) : [];
      expect(svgs.length, `${file} should write an SVG`).toBeGreaterThan(0);
    }, 240_000);
  }
});
