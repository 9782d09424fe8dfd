/**
 * @file The report's "Three approaches" section, as Chinchilla's Table 2:
 * the exponents a (N_opt ∝ C^a) and b (D_opt ∝ C^b) from Approach 1 (the
 * lower envelope of the training curves), Approach 2 (IsoFLOP profiles) and
 * Approach 3 (the parametric law), each with its 95% bootstrap interval,
 * beside Hoffmann et al.'s estimates, Epoch AI's refit of Approach 3
 * (Besiroglu et al. 2024: the only approach whose data could be
 * reconstructed from the paper) and Kaplan et al.'s.
 */
import { KAPLAN_A, REFERENCE_FITS, type ScalingAnalysis } from "../../fit/index.js";

/** Hoffmann et al. 2022, Table 2: the point estimates of a and b by approach. */
export const CHINCHILLA_TABLE2 = { approach1: { a: 0.5, b: 0.5 }, approach2: { a: 0.49, b: 0.51 }, approach3: { a: 0.46, b: 0.54 } } as const;

type Estimate = { value: number; ci: [number, number] | null | undefined } | null;

const cell = (e: Estimate) => (e === null ? "—" : `${e.value.toFixed(3)}${e.ci ? ` [${e.ci[0].toFixed(3)}, ${e.ci[1].toFixed(3)}]` : ""}`);

/** The section's Markdown lines. */
export function approachesSection(an: ScalingAnalysis): string[] {
  const a1 = an.approach1;
  const law = an.law;
  const epochA = REFERENCE_FITS.find((r) => r.name.startsWith("Epoch"))!.a;
  const epoch = (a: number | null) => (a === null ? "— | —" : `${a.toFixed(2)} | ${(1 - a).toFixed(2)}`);
  const rows: [string, Estimate, Estimate, { a: number; b: number }][] = [
    ["1. Lower envelope of the training curves", a1?.nOpt ? { value: a1.nOpt.exponent, ci: a1.nOpt.ci } : null, a1?.dOpt ? { value: a1.dOpt.exponent, ci: a1.dOpt.ci } : null, CHINCHILLA_TABLE2.approach1],
    ["2. IsoFLOP profiles", an.isoflop.nOpt ? { value: an.isoflop.nOpt.exponent, ci: an.isoflop.nOpt.ci } : null, an.isoflop.dOpt ? { value: an.isoflop.dOpt.exponent, ci: an.isoflop.dOpt.ci } : null, CHINCHILLA_TABLE2.approach2],
    ["3. Parametric fit of the loss", law ? { value: law.a, ci: law.bootstrap?.ci.a } : null, law ? { value: law.b, ci: law.bootstrap?.ci.b } : null, CHINCHILLA_TABLE2.approach3],
  ];
  const L = [
    "## Three approaches",
    "",
    "| approach | kiln a [95% CI] | kiln b [95% CI] | Chinchilla a | Chinchilla b | Epoch AI a | Epoch AI b |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(([name, a, b, c], i) => `| ${name} | ${cell(a)} | ${cell(b)} | ${c.a.toFixed(2)} | ${c.b.toFixed(2)} | ${epoch(i === 2 ? epochA : null)} |`),
    `| Kaplan et al. 2020 | | | ${KAPLAN_A.toFixed(2)} | ${(1 - KAPLAN_A).toFixed(2)} | | |`,
    "",
    "N_opt ∝ C^a, D_opt ∝ C^b. Chinchilla's columns are the point estimates of Hoffmann et al. 2022, Table 2 (their brackets are 10th–90th percentiles of a bootstrap, not 95% intervals). Epoch AI (Besiroglu et al. 2024) refitted Approach 3 only, on data reconstructed from Chinchilla's Figure 4; its a = β/(α+β) of their law. kiln's intervals are percentile bootstraps: Approach 1 resamples curves within each model size, Approach 2 runs within each budget, Approach 3 all points.",
    "",
    `Approach 1: ${a1 ? a1.message : an.approach1Error}.`,
  ];
  return L;
}
