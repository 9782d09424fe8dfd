/**
 * @file `npm run bench`: the benchmark suite in one run, so the ratios compare like with like:
 * (a) GEMM GFLOP/s (benchmarks/src/matmul.ts), (b) fused ops vs composites (benchmarks/src/fused.ts),
 * (c) training-step tokens/s and peak memory of kiln on the tiny / small / medium configs, and
 * (d) the same step in PyTorch (`/usr/bin/python3`, optionally with OpenBLAS; tuned — malloc kept
 * from trimming, passive OpenMP waits — and untuned, every ratio against the faster), TensorFlow.js (CPU
 * backend) and js-pytorch. Each measurement runs in its own process; peers that cannot be found or
 * installed are skipped. kiln and PyTorch each keep the faster of 1 and 2 threads (other load on
 * the machine can make a second thread a loss). Writes markdown + JSON to benchmarks/results/.
 * Flags: --quick, --configs tiny,small, --rounds N, --no-peers, --no-install, --full-peers.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { peerRuns, torchBlasDir, TORCH_TUNED_ENV, type PeerRun } from "./peers.js";
import { flopsPerToken, STEP_CONFIGS } from "./step-configs.js";
import type { StepResult } from "./train-step.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const quick = flag("--quick");
const rounds = Number(option("--rounds") ?? (quick ? 1 : 2));
const configs = (option("--configs") ?? "tiny,small,medium").split(",").filter((c) => c in STEP_CONFIGS);
const out: string[] = [];
const json: Record<string, unknown> = {};

function say(line = ""): void {
  console.log(line);
  out.push(line);
}

/** Runs `file` (TypeScript) in a child with the same tsx loader; returns stdout, or null on failure. */
function tsChild(file: string, childArgs: string[], timeoutMs = 30 * 60_000): string | null {
  const r = spawnSync(process.execPath, [...process.execArgv, join(root, file), ...childArgs], { cwd: root, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    console.error(`bench: ${file} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.slice(-2000)}`);
    return null;
  }
  return r.stdout;
}

/** Markdown table rows of `text` as arrays of cells (separator rows dropped). */
function tableRows(text: string): string[][] {
  return text.split("\n").filter((l) => l.startsWith("|") && !/^\|[-:| ]+\|$/.test(l)).map((l) => l.slice(1, -1).split("|").map((c) => c.trim()));
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmtTok = (t: number | undefined) => (t === undefined ? "–" : t >= 100 ? t.toFixed(0) : t.toPrecision(2));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)}`;

function machine(): Record<string, unknown> {
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" });
  return {
    date: new Date().toISOString(), cpu: cpus()[0]?.model ?? "?", cores: cpus().length, memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version, v8: process.versions.v8, platform: `${process.platform} ${process.arch}`, commit: git.stdout.trim() || "?",
    loadavgStart: loadavg().map((x) => +x.toFixed(2)),
  };
}

function section(title: string, file: string, childArgs: string[]): void {
  say(`## ${title}\n`);
  if (!existsSync(join(root, file))) {
    say(`(skipped: ${file} not present)\n`);
    return;
  }
  const text = tsChild(file, childArgs);
  say(text === null ? "(failed: see stderr)\n" : text.trim() + "\n");
  json[file] = text === null ? null : { text, rows: tableRows(text) };
}

interface ConfigResult {
  kiln: StepResult[];
  peers: Record<string, PeerRun | null>;
}

function kilnStep(name: string, threads: number): StepResult | null {
  const text = tsChild("benchmarks/src/train-step.ts", [name, "--json", "--threads", String(threads), ...(quick ? ["--steps", "5"] : [])]);
  const line = text?.split("\n").find((l) => l.startsWith("{"));
  return line === undefined ? null : (JSON.parse(line) as StepResult);
}

function trainingSteps(): Record<string, ConfigResult> {
  const results: Record<string, ConfigResult> = {};
  for (const name of configs) results[name] = { kiln: [], peers: {} };
  for (let r = 0; r < rounds; r++) {
    for (const name of configs) {
      console.error(`bench: ${name}, round ${r + 1}/${rounds}`);
      // as for PyTorch, round 0 tries 1 and 2 threads and later rounds keep the faster
      const runs = r === 0 ? [1, 2].map((t) => kilnStep(name, t)) : [kilnStep(name, results[name]!.kiln[0]?.threads ?? 2)];
      const best = runs.filter((k): k is StepResult => k !== null).sort((a, b) => b.tokPerS - a.tokPerS)[0];
      if (best !== undefined) results[name]!.kiln.push(best);
      if (!flag("--no-peers")) peerRuns(root, name, STEP_CONFIGS[name]!, r, { quick, install: !flag("--no-install"), fullPeers: flag("--full-peers") }, results[name]!.peers);
    }
  }
  return results;
}

function report(results: Record<string, ConfigResult>): void {
  const peerNames = [...new Set(Object.values(results).flatMap((r) => Object.keys(r.peers)))];
  const tok = (r: ConfigResult, p: string) => r.peers[p]?.tokPerS;
  say("## (c, d) Training step: forward + backward + AdamW, tokens/s (median of samples)\n");
  say(`| config | sizes | kiln | ${peerNames.join(" | ")} | kiln / best PyTorch | kiln / tfjs-cpu |`);
  say(`|---|---|---:|${peerNames.map(() => "---:").join("|")}|---:|---:|`);
  for (const [name, r] of Object.entries(results)) {
    const c = STEP_CONFIGS[name]!;
    const kilnSamples = r.kiln.flatMap((k) => k.samplesMs);
    const kiln = kilnSamples.length === 0 ? undefined : (c.batch * c.ctx) / (median(kilnSamples) / 1000);
    const torch = Math.max(...peerNames.filter((p) => p.startsWith("PyTorch")).map((p) => tok(r, p) ?? 0));
    const tfjs = tok(r, "tfjs-cpu");
    const sizes = `V${c.vocab} d${c.dim} L${c.layers} H${c.heads} T${c.ctx} B${c.batch} ffn${c.hidden}, ${(r.kiln[0]?.params ?? 0).toLocaleString("en-US")} params, ${(flopsPerToken(c) / 1e6).toFixed(1)} MFLOP/token`;
    const cells = peerNames.map((p) => {
      const run = r.peers[p];
      return run === undefined || run === null ? "–" : `${fmtTok(run.tokPerS)}${run.threads !== undefined ? ` (${run.threads}t)` : ""}`;
    });
    const ratio = (x: number | undefined) => (kiln === undefined || x === undefined || !(x > 0) ? "–" : `${(kiln / x).toFixed(2)}×`);
    say(`| ${name} | ${sizes} | ${fmtTok(kiln)} (${r.kiln[0]?.threads ?? "?"}t) | ${cells.join(" | ")} | ${ratio(torch)} | ${ratio(tfjs)} |`);
  }
  say("\n### Peak memory of the training-step process (RSS, MiB): total / above the runtime before the model existed\n");
  say(`| config | kiln | ${peerNames.join(" | ")} | kiln / best-PyTorch-run peak |`);
  say(`|---|---:|${peerNames.map(() => "---:").join("|")}|---:|`);
  for (const [name, r] of Object.entries(results)) {
    const k = r.kiln[0];
    const cell = (peak?: number, base?: number) => (peak === undefined ? "–" : `${mib(peak)} / ${mib(peak - (base ?? 0))}`);
    const best = peerNames.filter((p) => p.startsWith("PyTorch")).map((p) => r.peers[p]).filter((x): x is PeerRun => x != null).sort((a, b) => b.tokPerS - a.tokPerS)[0];
    const ratio = k !== undefined && best?.peakRss !== undefined ? `${(k.peakRss / best.peakRss).toFixed(2)}×` : "–";
    say(`| ${name} | ${cell(k?.peakRss, k?.baseRss)} | ${peerNames.map((p) => cell(r.peers[p]?.peakRss, r.peers[p]?.baseRss)).join(" | ")} | ${ratio} |`);
  }
  say("\nkiln per step (median of all samples): wall ms / CPU ms (all threads) / fresh pool memory in timed steps:\n");
  for (const [name, r] of Object.entries(results)) {
    const s = r.kiln.flatMap((k) => k.samplesMs);
    const cpu = r.kiln.flatMap((k) => k.cpuMs);
    if (s.length > 0) say(`- ${name}: ${median(s).toFixed(0)} ms / ${median(cpu).toFixed(0)} ms / ${mib(Math.max(...r.kiln.map((k) => k.freshBytes)))} MiB, ${s.length} samples over ${r.kiln.length} processes, ${r.kiln[0]!.threads} threads`);
  }
}

const m = machine();
json["machine"] = m;
say(`# kiln benchmarks\n`);
say(`${m["date"]}; ${m["cpu"]}, ${m["cores"]} cores, ${m["memGiB"]} GiB; Node ${m["node"]} (V8 ${m["v8"]}), ${m["platform"]}; kiln ${m["commit"]}; load average at start ${(m["loadavgStart"] as number[]).join(" ")}\n`);
if (!flag("--no-peers")) {
  say(`PyTorch BLAS: ${torchBlasDir(root, !flag("--no-install")) === null ? "system" : "OpenBLAS (LD_LIBRARY_PATH, this process only)"}; ` +
    `"tuned" runs with ${Object.entries(TORCH_TUNED_ENV).map(([k, v]) => `${k}=${v}`).join(" ")} and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, "untuned" with the inherited environment\n`);
}
section("(a) GEMM GFLOP/s", "benchmarks/src/matmul.ts", quick ? ["--quick"] : []);
section("(b) Fused ops vs composites", "benchmarks/src/fused.ts", quick ? ["--quick"] : []);
const results = trainingSteps();
json["trainingStep"] = results;
report(results);
json["loadavgEnd"] = loadavg();
say(`\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const dir = join(root, "benchmarks/results");
mkdirSync(dir, { recursive: true });
const stamp = String(m["date"]).slice(0, 16).replace(/[:T]/g, "-");
writeFileSync(join(dir, `bench-${stamp}.md`), out.join("\n") + "\n");
writeFileSync(join(dir, `bench-${stamp}.json`), JSON.stringify(json, null, 1) + "\n");
console.error(`bench: wrote benchmarks/results/bench-${stamp}.{md,json}`);
