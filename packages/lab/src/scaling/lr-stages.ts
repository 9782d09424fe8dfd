/**
 * @file Per-size learning rates for a scaling sweep, in two stages on the
 * run queue (the same mechanism as an ablation's per-variant sweep,
 * ablate/lr-sweep.ts). Stage 1: every size trains at its cheapest budget of
 * the plan — the smallest at which the sweep trains it — at each multiple
 * `lrSweep.factors` of its ladder learning rate (runs
 * `<run id>.lr-<lr>`). Stage 2, planned once stage 1 is done: the sweep's
 * runs at each size's best learning rate (lowest final validation loss),
 * appended to the same plan; a size's stage-1 run at its best rate stands
 * for its cheapest budget, so no training is repeated. A sweep then fits
 * sizes trained at learning rates chosen by measurement, not by a rule.
 */
import type { Plan, PlanRun } from "../queue/plan-dir.js";
import { lowestLossLrs, lrTag } from "../ablate/lr-sweep.js";
import { plotSvg } from "../plot/svg.js";
import type { Rung } from "./ladder.js";
import { runTrainConfig, type SweepRunConfig } from "./run-one.js";
import type { SweepConfig } from "./sweep-config.js";

/** What plan.json's meta records of the sweep (meta `lrSweep`). */
export interface SizeLrSweep {
  factors: number[];
  /** Stage 1's runs: id, size and peak learning rate. */
  runs: { id: string; rung: string; lr: number }[];
  /** The sweep's runs as planned before learning rates are chosen (stage 2 re-plans them at each size's best). */
  planned: SweepRunConfig["run"][];
  /** Each size's chosen peak learning rate, once stage 1 is done (null before). */
  best: Record<string, number> | null;
}

/** A learning rate rounded to 3 significant digits (so run ids and configs stay short and exact). */
const roundLr = (lr: number) => Number(lr.toPrecision(3));

function sweepRun(config: SweepConfig, run: SweepRunConfig["run"], rung: Rung, id: string, lr: number): PlanRun {
  const r = { ...run, id, lr };
  const c: SweepRunConfig = { run: r, rung: { ...rung, lr }, train: runTrainConfig(config, r, rung) };
  return { id, config: c, cost: rung.flopsPerToken * r.D };
}

/** Each size's cheapest run of `runs` (fewest tokens), by size name. */
function cheapest(runs: readonly SweepRunConfig[]): Map<string, SweepRunConfig> {
  const out = new Map<string, SweepRunConfig>();
  for (const c of runs) if ((out.get(c.rung.name)?.run.D ?? Infinity) > c.run.D) out.set(c.rung.name, c);
  return out;
}

/** Stage 1 of `base` (a plan from planScaling): its runs and the meta that records the sweep. */
export function lrStageOne(config: SweepConfig, base: Plan): { runs: PlanRun[]; sweep: SizeLrSweep } {
  const planned = base.runs.map((r) => r.config as SweepRunConfig);
  const runs = [...cheapest(planned).values()].sort((a, b) => a.rung.N - b.rung.N).flatMap((c) =>
    [...new Set(config.lrSweep.factors.map((f) => roundLr(c.rung.lr * f)))].sort((a, b) => a - b).map((lr) => sweepRun(config, c.run, c.rung, `${c.run.id}.${lrTag(lr)}`, lr)));
  const sweep: SizeLrSweep = {
    factors: [...config.lrSweep.factors],
    runs: runs.map((r) => ({ id: r.id, rung: (r.config as SweepRunConfig).rung.name, lr: (r.config as SweepRunConfig).run.lr })),
    planned: planned.map((c) => c.run),
    best: null,
  };
  return { runs, sweep };
}

/** Each size's learning rate with the lowest finite finished loss; null while any stage-1 run is unfinished. */
export function bestSizeLrs(sweep: SizeLrSweep, lossOf: (id: string) => number | undefined): Record<string, number> | null {
  return lowestLossLrs(sweep.runs.map((r) => ({ ...r, group: r.rung })), lossOf, (size) => `lrSweep: every learning rate of size "${size}" ended with a non-finite loss`);
}

/**
 * The plan of a sweep with per-size learning rates, given `base` (the plan
 * planScaling made, at the ladder's rates) and the losses finished so far:
 * stage 1 alone while any of its runs is unfinished (`pending`), else stage 1
 * followed by stage 2. A plan already holding stage 1 is extended, never rewritten.
 */
export function planLrStages(config: SweepConfig, base: Plan, lossOf: (id: string) => number | undefined): { plan: Plan; pending: boolean } {
  const { runs: stage1, sweep } = lrStageOne(config, base);
  const best = bestSizeLrs(sweep, lossOf);
  if (best === null) return { plan: { ...base, runs: stage1, meta: { ...(base.meta as object), lrSweep: sweep } }, pending: true };
  return { plan: withStageTwo(config, { ...base, runs: stage1, meta: { ...(base.meta as object), lrSweep: sweep } }, best), pending: false };
}

/** `stage1Plan` (a plan holding stage 1 only) with stage 2 at the chosen rates appended. */
export function withStageTwo(config: SweepConfig, stage1Plan: Plan, best: Record<string, number>): Plan {
  const sweep = (stage1Plan.meta as { lrSweep: SizeLrSweep }).lrSweep;
  const rungs = new Map(stage1Plan.runs.map((r) => (r.config as SweepRunConfig).rung).map((r) => [r.name, r]));
  const standIns = new Set(sweep.runs.map((r) => r.id.slice(0, r.id.lastIndexOf(".lr-"))));
  const stage2 = sweep.planned.filter((run) => !standIns.has(run.id)).map((run) => sweepRun(config, run, rungs.get(run.rung)!, run.id, best[run.rung]!));
  return { ...stage1Plan, runs: [...stage1Plan.runs, ...stage2], meta: { ...(stage1Plan.meta as object), lrSweep: { ...sweep, best } } };
}

/** The ids a fit uses: every run except stage-1 runs at a rate their size did not choose (with no choice yet, the lowest finished one stands in). */
export function fittedIds(plan: Plan, lossOf: (id: string) => number | undefined): Set<string> {
  const sweep = (plan.meta as { lrSweep?: SizeLrSweep } | undefined)?.lrSweep;
  const ids = new Set(plan.runs.map((r) => r.id));
  if (!sweep) return ids;
  const chosen = sweep.best ?? provisionalBest(sweep, lossOf);
  for (const r of sweep.runs) if (chosen[r.rung] !== r.lr) ids.delete(r.id);
  return ids;
}

function provisionalBest(sweep: SizeLrSweep, lossOf: (id: string) => number | undefined): Record<string, number> {
  const best: Record<string, { lr: number; loss: number }> = {};
  for (const r of sweep.runs) {
    const loss = lossOf(r.id);
    if (loss !== undefined && Number.isFinite(loss) && !(loss >= (best[r.rung]?.loss ?? Infinity))) best[r.rung] = { lr: r.lr, loss };
  }
  return Object.fromEntries(Object.entries(best).map(([k, v]) => [k, v.lr]));
}

/** The report's section on the sweep: final loss at each multiple of the ladder's rate, per size (chosen in bold), and where the choice sits. */
export function lrSweepSection(sweep: SizeLrSweep, lossOf: (id: string) => number | undefined): string[] {
  const sizes = [...new Set(sweep.runs.map((r) => r.rung))];
  const lrsOf = (rung: string) => sweep.runs.filter((r) => r.rung === rung).sort((a, b) => a.lr - b.lr);
  const width = sweep.factors.length;
  const edge = sizes.filter((s) => {
    const lrs = lrsOf(s);
    return sweep.best && lrs.length > 1 && (sweep.best[s] === lrs[0]!.lr || sweep.best[s] === lrs.at(-1)!.lr);
  });
  const cell = (r: { id: string; lr: number }, chosen: boolean) => {
    const loss = lossOf(r.id);
    const text = `${r.lr}: ${loss === undefined ? "—" : loss.toFixed(4)}`;
    return chosen ? `**${text}**` : text;
  };
  return [
    "## Learning rate per size",
    "",
    `Stage 1 trained every size at its cheapest budget of the plan at ${sweep.factors.map((f) => `${f}×`).join(", ")} its ladder learning rate; the lowest final validation loss (bold) chose the peak learning rate of all its runs.${sweep.best ? "" : " Stage 2 is not planned yet (stage 1 unfinished)."}${edge.length ? ` At the edge of the swept range (a wider sweep could choose otherwise): ${edge.join(", ")}.` : ""}`,
    "",
    `| size | ${[...sweep.factors].sort((a, b) => a - b).map((f) => `${f}× ladder lr`).join(" | ")} | chosen |`,
    `|---|${"---|".repeat(width)}---|`,
    ...sizes.map((s) => {
      const lrs = lrsOf(s);
      const cells = Array.from({ length: width }, (_, i) => (lrs[i] ? cell(lrs[i]!, sweep.best?.[s] === lrs[i]!.lr) : ""));
      return `| ${s} | ${cells.join(" | ")} | ${sweep.best?.[s] ?? "—"} |`;
    }),
    "",
    "![final validation loss against peak learning rate, per size](lr.svg)",
  ];
}

/** Final validation loss against peak learning rate (log axis), one line per size. */
export function lrSweepSvg(sweep: SizeLrSweep, lossOf: (id: string) => number | undefined): string {
  const sizes = [...new Set(sweep.runs.map((r) => r.rung))];
  return plotSvg({
    title: "learning-rate sweep: final validation loss at each size's cheapest budget",
    x: { label: "peak learning rate", log: true },
    y: { label: "final validation loss (nats/token)" },
    series: sizes.map((name) => ({
      name, marker: "circle" as const,
      points: sweep.runs.filter((r) => r.rung === name).sort((a, b) => a.lr - b.lr).flatMap((r) => {
        const loss = lossOf(r.id);
        return loss === undefined || !Number.isFinite(loss) ? [] : [[r.lr, loss] as const];
      }),
    })),
  });
}
