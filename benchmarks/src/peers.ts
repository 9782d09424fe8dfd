/**
 * @file The peer side of the training-step benchmark: PyTorch through `/usr/bin/python3` (with the
 * BLAS it is installed with, and with OpenBLAS when a Debian package of it can be unpacked locally),
 * TensorFlow.js (CPU backend) and js-pytorch from benchmarks/peers/, a package outside the npm
 * workspaces installed on demand with `--ignore-scripts` (js-pytorch's optional `gl` would try a
 * native build). Whatever is missing is skipped with a note.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { StepConfig } from "./step-configs.js";

/** One peer's measurement of one config. */
export interface PeerRun {
  tokPerS: number;
  samplesMs: number[];
  peakRss?: number;
  baseRss?: number;
  threads?: number;
  note?: string;
}

/** Options of {@link peerRuns}. */
export interface PeerOptions {
  quick: boolean;
  /** Install missing peers (npm, the OpenBLAS .deb). */
  install: boolean;
  /** Run the slow JS peers on every config, not only the small ones. */
  fullPeers: boolean;
}

const PYTHON = "/usr/bin/python3";
const cache = new Map<string, unknown>();
const once = <T>(key: string, f: () => T): T => (cache.has(key) ? (cache.get(key) as T) : (cache.set(key, f()), cache.get(key) as T));
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 20 * 60_000): string | null {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: timeoutMs, maxBuffer: 16 << 20 });
  if (r.status !== 0) {
    console.error(`bench: ${cmd} ${args[0] ?? ""} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? "").slice(-800)}`);
    return null;
  }
  return r.stdout;
}

function hasTorch(): boolean {
  return once("torch", () => existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0);
}

/** Directory of an OpenBLAS `libblas.so.3` for PyTorch's process (env `KILN_BENCH_OPENBLAS_DIR`, or unpacked from Debian's package), or null. */
export function torchBlasDir(root: string, install: boolean): string | null {
  return once("blas", () => {
    const env = process.env["KILN_BENCH_OPENBLAS_DIR"];
    if (env !== undefined) return existsSync(join(env, "libblas.so.3")) ? env : null;
    const dir = join(root, "benchmarks/peers/.blas");
    const lib = join(dir, "usr/lib/x86_64-linux-gnu/openblas-pthread");
    if (!existsSync(join(lib, "libblas.so.3")) && install && hasTorch()) {
      mkdirSync(dir, { recursive: true });
      console.error("bench: unpacking libopenblas0-pthread for the PyTorch runs (apt-get download, dpkg -x; nothing is installed)");
      if (run("apt-get", ["download", "libopenblas0-pthread"], dir) !== null) {
        const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
        if (deb !== undefined) run("dpkg", ["-x", deb, "."], dir);
      }
    }
    return existsSync(join(lib, "libblas.so.3")) ? lib : null;
  });
}

function peersInstalled(root: string, install: boolean): boolean {
  return once("npm", () => {
    const dir = join(root, "benchmarks/peers");
    const ok = () => existsSync(join(dir, "node_modules/@tensorflow/tfjs/package.json")) && existsSync(join(dir, "node_modules/js-pytorch/package.json"));
    if (!ok() && install) {
      console.error("bench: installing the peer libraries into benchmarks/peers (npm install --ignore-scripts)");
      run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund"], dir);
    }
    return ok();
  });
}

function parse(stdout: string | null, tokens: number): PeerRun | null {
  const line = stdout?.split("\n").find((l) => l.startsWith("{"));
  if (line === undefined) return null;
  const r = JSON.parse(line) as { samples_ms: number[]; peak_rss?: number; base_rss?: number; threads?: number; note?: string };
  if (r.samples_ms.length === 0) return null;
  return { tokPerS: tokens / (median(r.samples_ms) / 1000), samplesMs: r.samples_ms, peakRss: r.peak_rss, baseRss: r.base_rss, threads: r.threads, note: r.note };
}

function merge(prev: PeerRun | null | undefined, next: PeerRun | null, tokens: number): PeerRun | null {
  if (prev == null || next === null) return next ?? prev ?? null;
  const samplesMs = [...prev.samplesMs, ...next.samplesMs];
  return { ...prev, samplesMs, tokPerS: tokens / (median(samplesMs) / 1000), peakRss: Math.max(prev.peakRss ?? 0, next.peakRss ?? 0) };
}

/**
 * The allocator and threading settings of a tuned PyTorch run: glibc malloc told never to trim nor
 * mmap (PyTorch otherwise returns and re-faults its activations every step), OpenMP threads that
 * sleep when idle, and OpenBLAS left to detect the CPU (AVX-512) itself.
 */
export const TORCH_TUNED_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_MAX_: "0", MALLOC_TRIM_THRESHOLD_: "68719476736", OMP_WAIT_POLICY: "PASSIVE" };

/** The environment of a PyTorch run: tuned (see {@link TORCH_TUNED_ENV}) or as inherited. */
export function torchEnv(tuned: boolean, blas: string | null, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...(blas === null ? {} : { LD_LIBRARY_PATH: blas, OPENBLAS_NUM_THREADS: "1" }) };
  if (!tuned) return env;
  delete env["OPENBLAS_CORETYPE"];
  delete env["OPENBLAS_L2_SIZE"];
  return { ...env, ...TORCH_TUNED_ENV };
}

/** PyTorch on `threads` threads (round 0 tries 1 and 2 and keeps the faster), tuned or not. */
function torchRun(root: string, c: StepConfig, round: number, blas: string | null, tuned: boolean, prev: PeerRun | null | undefined, quick: boolean): PeerRun | null {
  const tokens = c.batch * c.ctx;
  const env = torchEnv(tuned, blas);
  const measure = (threads: number) => {
    const cfg = { ...c, warmup: 2, steps: quick ? 5 : c.samples, threads, budget_s: 60 };
    return parse(run(PYTHON, [join(root, "benchmarks/peers/torch_step.py"), JSON.stringify(cfg)], root, env), tokens);
  };
  if (round === 0) {
    const runs = [1, 2].map(measure).filter((r): r is PeerRun => r !== null);
    return runs.sort((a, b) => b.tokPerS - a.tokPerS)[0] ?? null;
  }
  return prev == null ? null : merge(prev, measure(prev.threads ?? 1), tokens);
}

/** Measures every available peer on config `name` (round ≥ 1 adds PyTorch samples only) into `into`. */
export function peerRuns(root: string, name: string, c: StepConfig, round: number, opts: PeerOptions, into: Record<string, PeerRun | null>): void {
  const tokens = c.batch * c.ctx;
  if (hasTorch()) {
    // with OpenBLAS where it can be had (the faster BLAS here), tuned and as a user would run it
    const blas = torchBlasDir(root, opts.install);
    for (const tuned of [true, false]) {
      const label = `PyTorch ${tuned ? "tuned" : "untuned"}${blas === null ? "" : "+OpenBLAS"}`;
      into[label] = torchRun(root, c, round, blas, tuned, into[label], opts.quick);
    }
  }
  if (round > 0 || !peersInstalled(root, opts.install)) return;
  const js = (script: string, cfg: object) => parse(run(process.execPath, [join(root, "benchmarks/peers", script), JSON.stringify({ ...c, ...cfg })], join(root, "benchmarks/peers")), tokens);
  // tfjs-cpu takes ~30 s per tiny step and js-pytorch ~60 s: one or two samples, on the small configs only
  if (opts.fullPeers || name !== "medium") into["tfjs-cpu"] = js("tfjs-step.mjs", { warmup: 0, steps: opts.quick || name !== "tiny" ? 1 : 2, budget_s: 120 });
  if (opts.fullPeers || name === "tiny") into["js-pytorch"] = js("js-pytorch-step.mjs", { warmup: 0, steps: 1, budget_s: 120 });
}
