/**
 * @file Tick values for a linear axis and their labels, shared by every kiln
 * plot. Ticks are whole multiples of a 1, 2, 2.5 or 5 × 10^k step, and each
 * label prints its value exactly (2.25 is "2.25", never "2.3").
 */

/** One tick: its value and its label. */
export interface Tick {
  value: number;
  label: string;
}

/** The smallest step of 1, 2, 2.5 or 5 × 10^k that splits `span` into at most about `target` parts. */
export function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-12)) ?? 10 * mag;
}

/** Decimal places that print every multiple of `step` exactly (0.25 → 2, 5 → 0, 0.5 → 1). */
export function decimalsOf(step: number): number {
  for (let d = 0; d < 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/** `v` printed with the decimals of `step`, with a k/M suffix from 10³/10⁶ when the step needs at most 2 decimals of it (1.25M, 250k, 3.25). */
export function formatTick(v: number, step: number): string {
  for (const [unit, suffix] of [[1e6, "M"], [1e3, "k"]] as const) {
    if (step >= unit / 100 && Math.abs(v) >= unit) return `${(v / unit).toFixed(decimalsOf(step / unit))}${suffix}`;
  }
  const s = v.toFixed(decimalsOf(step));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Ticks covering [lo, hi]: every multiple of a nice step, about `target` of them, each labelled exactly. */
export function linearTicks(lo: number, hi: number, target = 6): Tick[] {
  if (!(hi > lo)) return [{ value: lo, label: formatTick(lo, 1) }];
  const step = niceStep(hi - lo, target);
  const ticks: Tick[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    const value = Number((k * step).toPrecision(12));
    ticks.push({ value, label: formatTick(value, step) });
  }
  return ticks;
}
