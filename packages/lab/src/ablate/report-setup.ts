/**
 * @file The "Setup" section of an ablation report: everything needed to
 * rerun it, in visible Markdown — base config and every override, model
 * shape, batch, steps and schedule, seeds, what the validation loss was
 * measured on (with its standard error) and the n-gram baselines.
 */
import { formatCount, formatDuration } from "@kiln/train";
import type { AblationReport } from "./report.js";

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

function budgetText(r: AblationReport): string {
  const b = "tokens" in r.budget ? `${formatCount(r.budget.tokens)} tokens` : `${r.budget.steps} steps`;
  return r.equal === "flops" ? `equal training FLOPs (the baseline's ${b})` : `${b} per run (equal tokens)`;
}

/** The Setup section's lines (Markdown bullets). */
export function setupLines(r: AblationReport): string[] {
  const s = r.setup;
  const overrides = Object.entries(r.set ?? {});
  const L = [`- Base config: \`${r.baseSource}\`; baseline variant: **${r.baseline}**.`];
  if (s) L.push(
    `- Overrides for every variant: ${overrides.length ? overrides.map(([k, v]) => `\`${k}=${show(v)}\``).join(", ") : "none"}; the ablation itself sets \`train.steps\`, \`train.seed\` and \`train.evalInterval\` (${s.evalInterval} steps). Each variant's own overrides are in the "change" column below.`,
    `- Model (baseline): ${s.layers} layers, hidden size ${s.hidden}, ${s.heads} attention heads (${s.kvHeads} key/value), FFN ${s.intermediate}, vocabulary ${s.vocab}, context ${s.context}.`,
    `- Training (baseline): batch ${s.batchSize} × ${s.gradAccum} × ${s.context} = ${(s.batchSize * s.gradAccum * s.context).toLocaleString("en-US")} tokens/step, ${s.steps} steps; ${s.schedule} schedule, peak lr ${s.lr}, ${s.warmupSteps} warmup steps.`,
  );
  L.push(
    `- Budget: ${budgetText(r)}. Seeds: ${r.seeds.join(", ")} — paired: every variant trains once per seed with that seed's data order and init seed.`,
  );
  const v = r.validation ?? null;
  L.push(v
    ? `- Final validation loss: mean cross-entropy (nats/token) on ${v.definition}, the same windows for every run; its standard error over those windows is ${v.stdErr[0].toFixed(4)}–${v.stdErr[2].toFixed(4)} (median ${v.stdErr[1].toFixed(4)}), the sampling error of one run's number (the intervals below use the spread over seeds).`
    : "- Final validation loss: mean cross-entropy (nats/token) on the same validation windows for every run (these results predate recording the definition and standard error).");
  const b = r.baselines ?? null;
  L.push(b
    ? `- Baselines (n-gram models fitted on the training split, scored on the whole validation split): unigram ${b.unigram.toFixed(4)}, bigram ${b.bigram.toFixed(4)} nats/token.`
    : "- Baselines: not recorded with these results.");
  const p = r.power;
  if (p) L.push(`- Power, planned before the full study: the pilot's ${p.pilotSeeds} paired seeds gave a spread of paired differences of ${p.sd.toFixed(4)} nats (worst comparison: ${p.worst}; pooled ${p.pooled.sd.toFixed(4)}), so ${p.seeds} seeds were expected to give a 95% half-width of ±${p.halfWidth.toFixed(3)}${p.target !== null ? ` (target ±${p.target.toFixed(3)}: ${p.message})` : ""}.`);
  if (r.seeds.length < 2) L.push(`- One seed: no interval and no standard deviation over seeds can be given; differences are single paired runs.`);
  L.push(`- Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}; ${r.runsDone} runs took ${formatDuration(r.trainingSeconds)} of training and evaluation. Generated ${r.generated}.`);
  for (const w of r.warnings) L.push(`- Caveat: ${w}.`);
  return L;
}
