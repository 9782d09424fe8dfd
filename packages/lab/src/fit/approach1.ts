/**
 * @file Approach 1 of Hoffmann et al. 2022 (Chinchilla, §3.1): train each
 * model size with several cosine horizons, read every curve as loss against
 * compute `C = 6·N·D`, take at each C of a log-spaced grid the lowest loss
 * over all curves (the lower envelope), which names N_opt(C) and
 * D_opt(C) = C / (6·N_opt), then fit N_opt ∝ C^a and D_opt ∝ C^b by least
 * squares in log-log space, with bootstrap intervals that resample curves
 * within each model size.
 */
import { powerLaw, type PowerLaw } from "./isoflop.js";
import { percentileInterval, resampleIndices, seededRandom } from "./stats.js";

/** One training run's curve: its parameter count and (tokens seen, loss) at each logged step. */
export interface TrainingCurve {
  N: number;
  points: readonly { D: number; loss: number }[];
}

/** The lowest loss over all curves at one compute budget. */
export interface EnvelopePoint {
  C: number;
  /** The size whose curve is lowest at C, and the tokens it has seen there (`C / (6·N)`). */
  N: number;
  D: number;
  loss: number;
  /** Index of that curve in the input. */
  curve: number;
  /** A smaller and a larger size both have curves reaching C, so N is an interior minimum (otherwise the optimum may lie beyond it). */
  bracketed: boolean;
}

/** Options of {@link fitApproach1}. */
export interface Approach1Options {
  /** Log-spaced compute budgets in the grid (default 100; Chinchilla used 1,500). */
  gridPoints?: number;
  /** The grid's range (default: from the lowest budget any curve logs to the highest). */
  cRange?: [number, number];
  /** Fit unbracketed points too (default false: an unbracketed N_opt is a bound, not an estimate). */
  includeEdges?: boolean;
  /** Bootstrap resamples for the exponents' 95% intervals (default 400; 0 for none). */
  resamples?: number;
  seed?: number;
}

/** The whole Approach 1 result. */
export interface Approach1Fit {
  envelope: EnvelopePoint[];
  cRange: [number, number];
  /** N_opt ∝ C^a and D_opt ∝ C^b over the fitted envelope points (`budgets` = their count), or null when N_opt never changes. */
  nOpt: PowerLaw | null;
  dOpt: PowerLaw | null;
  message: string;
}

/** A curve's loss at compute C, linear in ln C between its logged points; undefined outside them. */
function lossAt(curve: TrainingCurve, lnC: number): number | undefined {
  const pts = curve.points;
  const x = (i: number) => Math.log(6 * curve.N * pts[i]!.D);
  if (pts.length === 0 || lnC < x(0) || lnC > x(pts.length - 1)) return undefined;
  let i = 1;
  while (i < pts.length - 1 && x(i) < lnC) i++;
  const [x0, x1] = [x(i - 1), x(i)];
  const t = x1 === x0 ? 1 : (lnC - x0) / (x1 - x0);
  return pts[i - 1]!.loss + t * (pts[i]!.loss - pts[i - 1]!.loss);
}

/** Checks the curves and returns them with points sorted by D. */
function validated(curves: readonly TrainingCurve[]): TrainingCurve[] {
  if (curves.length === 0) throw new RangeError("fitApproach1: no curves");
  return curves.map((c, i) => {
    if (!(c.N > 0 && Number.isFinite(c.N))) throw new RangeError(`fitApproach1: curve ${i} has N = ${c.N}; N must be a positive number`);
    if (c.points.length === 0) throw new RangeError(`fitApproach1: curve ${i} (N = ${c.N}) has no points`);
    const bad = c.points.findIndex((p) => !(p.D > 0 && Number.isFinite(p.D) && Number.isFinite(p.loss)));
    if (bad >= 0) throw new RangeError(`fitApproach1: curve ${i} (N = ${c.N}) point ${bad} has D = ${c.points[bad]!.D}, loss = ${c.points[bad]!.loss}; D must be positive and loss finite`);
    return { N: c.N, points: [...c.points].sort((p, q) => p.D - q.D) };
  });
}

/** From the lowest budget any curve logs to the highest. */
function fullRange(curves: readonly TrainingCurve[]): [number, number] {
  return [Math.min(...curves.map((c) => 6 * c.N * c.points[0]!.D)), Math.max(...curves.map((c) => 6 * c.N * c.points.at(-1)!.D))];
}

/** The lower envelope of `curves` at `gridPoints` log-spaced budgets over `cRange` (budgets no curve reaches are skipped). */
export function lowerEnvelope(curves: readonly TrainingCurve[], cRange: [number, number], gridPoints = 100): EnvelopePoint[] {
  const [l0, l1] = [Math.log(cRange[0]), Math.log(cRange[1])];
  const out: EnvelopePoint[] = [];
  for (let g = 0; g < gridPoints; g++) {
    const lnC = gridPoints === 1 ? l0 : l0 + ((l1 - l0) * g) / (gridPoints - 1);
    let loss = Infinity;
    let curve = -1;
    const reaching: number[] = [];
    for (let i = 0; i < curves.length; i++) {
      const l = lossAt(curves[i]!, lnC);
      if (l === undefined) continue;
      reaching.push(curves[i]!.N);
      if (l < loss) [loss, curve] = [l, i];
    }
    if (curve < 0) continue;
    const C = Math.exp(lnC);
    const N = curves[curve]!.N;
    out.push({ C, N, D: C / (6 * N), loss, curve, bracketed: reaching.some((n) => n < N) && reaching.some((n) => n > N) });
  }
  return out;
}

/** The envelope points a fit uses, or null when their N_opt never changes (a slope of nothing). */
function fitted(envelope: readonly EnvelopePoint[], includeEdges: boolean): EnvelopePoint[] | null {
  const used = envelope.filter((p) => includeEdges || p.bracketed);
  return new Set(used.map((p) => p.N)).size >= 2 ? used : null;
}

/**
 * Approach 1 on training curves: the lower envelope of loss against compute,
 * N_opt(C) and D_opt(C) along it, and their power laws with 95% bootstrap
 * intervals (curves resampled with replacement within each model size).
 */
export function fitApproach1(input: readonly TrainingCurve[], opts: Approach1Options = {}): Approach1Fit {
  const { gridPoints = 100, includeEdges = false, resamples = 400, seed = 0 } = opts;
  if (!(Number.isInteger(gridPoints) && gridPoints >= 2)) throw new RangeError(`fitApproach1: gridPoints must be an integer ≥ 2, got ${gridPoints}`);
  const curves = validated(input);
  const cRange = opts.cRange ?? fullRange(curves);
  if (!(cRange[0] > 0 && cRange[1] > cRange[0])) {
    throw new RangeError(`fitApproach1: the compute range [${cRange[0].toExponential(2)}, ${cRange[1].toExponential(2)}] is empty; ${opts.cRange ? "pass a range with 0 < low < high" : "the curves all sit at one budget"}`);
  }
  const envelope = lowerEnvelope(curves, cRange, gridPoints);
  const used = fitted(envelope, includeEdges);
  const sizes = new Set(envelope.map((p) => p.N)).size;
  const edges = envelope.filter((p) => !p.bracketed).length;
  const edgeText = `${edges} of ${envelope.length} envelope points not bracketed by a smaller and a larger size${includeEdges ? "" : " (left out of the fit)"}`;
  if (used === null) return { envelope, cRange, nOpt: null, dOpt: null, message: `N_opt takes fewer than 2 sizes along the fitted envelope (${sizes} along the whole of it; ${edgeText}); no power law` };
  const nOpt = powerLaw(used.map((p) => p.C), used.map((p) => p.N));
  const dOpt = powerLaw(used.map((p) => p.C), used.map((p) => p.D));
  if (resamples > 0) {
    const bySize = new Map<number, TrainingCurve[]>();
    for (const c of curves) bySize.set(c.N, [...(bySize.get(c.N) ?? []), c]);
    const random = seededRandom(seed);
    const as: number[] = [];
    const bs: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const sample = [...bySize.values()].flatMap((group) => resampleIndices(group.length, random).map((i) => group[i]!));
      const pts = fitted(lowerEnvelope(sample, cRange, gridPoints), includeEdges);
      if (pts === null) continue;
      as.push(powerLaw(pts.map((p) => p.C), pts.map((p) => p.N)).exponent);
      bs.push(powerLaw(pts.map((p) => p.C), pts.map((p) => p.D)).exponent);
    }
    if (as.length >= 10) {
      nOpt.ci = percentileInterval(as);
      dOpt.ci = percentileInterval(bs);
    }
  }
  return { envelope, cRange, nOpt, dOpt, message: `${used.length} envelope points over ${new Set(used.map((p) => p.N)).size} sizes fitted; ${edgeText}` };
}
