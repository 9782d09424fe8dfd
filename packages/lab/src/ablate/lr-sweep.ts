/**
 * @file Per-variant learning rates for an ablation, in two stages on the run
 * queue. Stage 1: on the first (pilot) seed, every variant trains at every
 * peak learning rate of the sweep — runs `<variant>.lr-<lr>.seed-<seed>`.
 * Stage 2, planned once stage 1 is done: every variant at its best learning
 * rate (lowest final validation loss) on the other seeds — the ordinary runs
 * `<variant>.seed-<seed>`, appended to the same plan (the first seed's run at
 * the best rate is stage 1's). So an architecture
 * that prefers another learning rate is not penalised for sharing one.
 */
import { plotSvg } from "../plot/svg.js";
import { planAblation } from "./plan.js";
import type { AblationSpec } from "./spec.js";

/** `lr-3e-3` for 0.003: the run-id tag of a learning rate. */
export const lrTag = (lr: number) => `lr-${lr.toExponential().replace("e+", "e")}`;

/** What the plan records about the sweep (plan meta `lrSweep`). */
export interface LrSweepMeta {
  lrs: number[];
  /** The seed stage 1 trains on. */
  seed: number;
  /** Stage 1's runs: their id, the variant they belong to and its peak learning rate. */
  runs: { id: string; variant: string; lr: number }[];
  /** Each variant's chosen learning rate, once stage 1 is done (null before). */
  best: Record<string, number> | null;
}

/** The sweep as the report shows it: final validation loss against learning rate per variant. */
export interface LrCurves {
  seed: number;
  lrs: number[];
  variants: { name: string; loss: (number | null)[]; best: number | null }[];
}

/** Parses `--lr-sweep 1e-3,3e-3,1e-2`: at least 2 distinct positive numbers, ascending. */
export function parseLrSweep(text: string): number[] {
  const lrs = text.split(",").map((s) => Number(s.trim()));
  if (lrs.length < 2 || lrs.some((x) => !(x > 0 && Number.isFinite(x)))) throw new RangeError(`--lr-sweep takes 2 or more positive learning rates separated by commas, e.g. 1e-3,3e-3,1e-2; got ${JSON.stringify(text)}`);
  const sorted = [...new Set(lrs)].sort((a, b) => a - b);
  if (sorted.length !== lrs.length) throw new RangeError(`--lr-sweep lists a learning rate twice: ${JSON.stringify(text)}`);
  return sorted;
}

/** Stage 1's spec: every variant × learning rate as a variant of its own, on the first seed only, with no published claims. */
export function lrStageSpec(spec: AblationSpec, lrs: readonly number[], seed: number): AblationSpec {
  return {
    ...spec, seeds: [seed], baseline: `${spec.baseline}.${lrTag(lrs[0]!)}`,
    variants: spec.variants.flatMap((v) => lrs.map((lr) => ({ ...v, name: `${v.name}.${lrTag(lr)}`, set: { ...v.set, "optim.lr": lr }, published: null }))),
  };
}

/** The sweep's record for stage 1 of `spec` (best still unknown). */
export function lrSweepMeta(spec: AblationSpec, lrs: readonly number[], seed: number): LrSweepMeta {
  const runs = spec.variants.flatMap((v) => lrs.map((lr) => ({ id: `${v.name}.${lrTag(lr)}.seed-${seed}`, variant: v.name, lr })));
  return { lrs: [...lrs], seed, runs, best: null };
}

/**
 * Each group's learning rate with the lowest finite finished loss, or null
 * while any run is unfinished; `allFailed(group)` is the error when every
 * rate of a group diverged. Shared by per-variant and per-size sweeps.
 */
export function lowestLossLrs(runs: readonly { id: string; group: string; lr: number }[], lossOf: (id: string) => number | undefined, allFailed: (group: string) => string): Record<string, number> | null {
  const losses = runs.map((r) => ({ ...r, loss: lossOf(r.id) }));
  if (losses.some((r) => r.loss === undefined)) return null;
  const best: Record<string, number> = {};
  for (const g of new Set(losses.map((r) => r.group))) {
    const mine = losses.filter((r) => r.group === g && Number.isFinite(r.loss));
    if (mine.length === 0) throw new Error(allFailed(g));
    best[g] = mine.reduce((m, r) => (r.loss! < m.loss! ? r : m)).lr;
  }
  return best;
}

/** Each variant's learning rate with the lowest finished loss, or null while any stage-1 run is unfinished. */
export function bestLrs(sweep: LrSweepMeta, lossOf: (id: string) => number | undefined): Record<string, number> | null {
  return lowestLossLrs(sweep.runs.map((r) => ({ ...r, group: r.variant })), lossOf, (v) => `--lr-sweep: every learning rate of variant "${v}" ended with a non-finite loss`);
}

/** Stage 2's spec: every variant at its chosen learning rate. */
export function withLrs(spec: AblationSpec, best: Record<string, number>): AblationSpec {
  return { ...spec, variants: spec.variants.map((v) => ({ ...v, set: { ...v.set, "optim.lr": best[v.name]! } })) };
}

/** The first seed `spec` plans (stage 1's seed). */
export function firstSeed(spec: AblationSpec): number {
  return planAblation({ ...spec, seeds: 1 }).seeds[0]!;
}

/** The curves of a sweep from its finished runs. */
export function lrCurves(sweep: LrSweepMeta, lossOf: (id: string) => number | undefined): LrCurves {
  const names = [...new Set(sweep.runs.map((r) => r.variant))];
  return {
    seed: sweep.seed, lrs: sweep.lrs,
    variants: names.map((name) => ({ name, loss: sweep.lrs.map((lr) => lossOf(sweep.runs.find((r) => r.variant === name && r.lr === lr)!.id) ?? null), best: sweep.best?.[name] ?? null })),
  };
}

/** The report's section: a table of final loss by learning rate (each variant's choice in bold) and the figure. */
export function lrSection(c: LrCurves): string[] {
  const cell = (x: number | null, bold: boolean) => (x === null ? "—" : bold ? `**${x.toFixed(4)}**` : x.toFixed(4));
  return [
    "## Learning rate per variant",
    "",
    `Stage 1 trained every variant at each peak learning rate on seed ${c.seed}; each variant's lowest final validation loss (bold) chose the learning rate all its seeds then trained with.`,
    "",
    `| variant | ${c.lrs.map((lr) => `lr ${lr}`).join(" | ")} | chosen |`,
    `|---|${c.lrs.map(() => "---|").join("")}---|`,
    ...c.variants.map((v) => `| ${v.name} | ${v.loss.map((x, i) => cell(x, c.lrs[i] === v.best)).join(" | ")} | ${v.best ?? "—"} |`),
    "",
    "![final validation loss against learning rate](lr.svg)",
    "",
  ];
}

/** Final validation loss against peak learning rate (log axis), one line per variant. */
export function lrSvg(c: LrCurves): string {
  return plotSvg({
    title: `final validation loss against peak learning rate (seed ${c.seed})`,
    x: { label: "peak learning rate", log: true },
    y: { label: "final validation loss (nats/token)" },
    series: c.variants.map((v) => ({ name: v.name, marker: "circle" as const, points: c.lrs.flatMap((lr, i) => (v.loss[i] === null ? [] : [[lr, v.loss[i]!] as const])) })),
  });
}
