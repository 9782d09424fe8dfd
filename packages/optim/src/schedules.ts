/**
 * @file Learning-rate schedules as pure functions `(step) => lr`, where `step`
 * is the 0-based index of the optimizer step about to be taken. Warmup follows
 * nanoGPT: `lr(s) = peak·(s+1)/(W+1)` for s < W, so no step runs at lr 0 and
 * `lr(W) = peak`, where the decay phase starts. Decays interpolate as
 * `c·peak + (1 − c)·min`, exact at both ends. Past the end, every decaying
 * schedule holds its floor `minLrRatio · peak`.
 */

/** A learning-rate schedule: the lr for 0-based optimizer step `step`. */
export type Schedule = (step: number) => number;

/** A cooldown shape: progress `r ∈ [0, 1]` through the cooldown → fraction of the way from floor to peak (1 → 0). */
export type CooldownShape = "linear" | "cosine" | "1-sqrt" | ((progress: number) => number);

/** Peak and warmup, shared by every schedule below. */
export interface WarmupOptions {
  /** The lr reached at the end of warmup. */
  peakLr: number;
  /** Steps of linear warmup (0 = none). */
  warmupSteps?: number;
}

/** Options of a schedule that decays to a floor by `totalSteps`. */
export interface DecayOptions extends WarmupOptions {
  /** The step at which the lr reaches its floor (warmup included). */
  totalSteps: number;
  /** Floor as a fraction of the peak (LLaMA: 0.1). */
  minLrRatio?: number;
}

/** Options of `warmupStableDecay`. */
export interface WsdOptions extends DecayOptions {
  /** Length of the final cooldown, in steps; or give `cooldownFraction`. */
  cooldownSteps?: number;
  /** Cooldown as a fraction of `totalSteps` when `cooldownSteps` is not given (default 0.2). */
  cooldownFraction?: number;
  /** How the lr falls during the cooldown (default "1-sqrt", best in Hägele et al. 2024). */
  shape?: CooldownShape;
}

const SHAPES: Record<Exclude<CooldownShape, (r: number) => number>, (r: number) => number> = {
  linear: (r) => 1 - r,
  cosine: (r) => 0.5 * (1 + Math.cos(Math.PI * r)),
  "1-sqrt": (r) => 1 - Math.sqrt(r),
};

function check(name: string, field: string, value: number, ok: boolean, want: string): void {
  if (!ok) throw new RangeError(`${name}: ${field} must be ${want}, got ${value}`);
}

const isCount = (n: number) => Number.isInteger(n) && n >= 0;

/** Validates the shared options; returns warmup steps and the floor lr. */
function common(name: string, o: WarmupOptions & { minLrRatio?: number; totalSteps?: number }): { W: number; minLr: number } {
  const W = o.warmupSteps ?? 0;
  check(name, "peakLr", o.peakLr, o.peakLr >= 0 && Number.isFinite(o.peakLr), "a finite number ≥ 0");
  check(name, "warmupSteps", W, isCount(W), "an integer ≥ 0");
  const ratio = o.minLrRatio ?? 0;
  check(name, "minLrRatio", ratio, ratio >= 0 && ratio <= 1, "in [0, 1]");
  if (o.totalSteps !== undefined) check(name, "totalSteps", o.totalSteps, isCount(o.totalSteps) && o.totalSteps >= W, `an integer ≥ warmupSteps (${W})`);
  return { W, minLr: o.peakLr * ratio };
}

/** Wraps `fn` with a check that the step is a number ≥ 0. */
function schedule(name: string, fn: Schedule): Schedule {
  return (step) => {
    if (!(step >= 0)) throw new RangeError(`${name}: step must be ≥ 0, got ${step}`);
    return fn(step);
  };
}

/** The same lr at every step. */
export function constantLr(lr: number): Schedule {
  common("constantLr", { peakLr: lr });
  return schedule("constantLr", () => lr);
}

/** Linear warmup to `peakLr`, then constant: `peak·(s+1)/(W+1)` for s < W, else `peak`. */
export function linearWarmup(o: WarmupOptions): Schedule {
  const { W } = common("linearWarmup", o);
  const peak = o.peakLr;
  return schedule("linearWarmup", (s) => (s < W ? (peak * (s + 1)) / (W + 1) : peak));
}

/**
 * Linear warmup, then cosine decay to `minLrRatio · peak` at `totalSteps`, constant after
 * (Loshchilov & Hutter, SGDR; LLaMA: minLrRatio 0.1, the default here):
 * `c·peak + (1 − c)·min` with `c = ½(1 + cos(π·(s−W)/(T−W)))`.
 */
export function warmupCosine(o: DecayOptions): Schedule {
  const { W, minLr } = common("warmupCosine", { ...o, minLrRatio: o.minLrRatio ?? 0.1 });
  const { peakLr: peak, totalSteps: T } = o;
  return schedule("warmupCosine", (s) => {
    if (s < W) return (peak * (s + 1)) / (W + 1);
    if (s >= T) return minLr;
    const c = 0.5 * (1 + Math.cos(Math.PI * ((s - W) / (T - W))));
    return c * peak + (1 - c) * minLr;
  });
}

/** Linear warmup, then linear decay to `minLrRatio · peak` (default 0) at `totalSteps`: `c·peak + (1 − c)·min`, `c = 1 − (s−W)/(T−W)`. */
export function linearDecay(o: DecayOptions): Schedule {
  const { W, minLr } = common("linearDecay", o);
  const { peakLr: peak, totalSteps: T } = o;
  return schedule("linearDecay", (s) => {
    if (s < W) return (peak * (s + 1)) / (W + 1);
    if (s >= T) return minLr;
    const c = 1 - (s - W) / (T - W);
    return c * peak + (1 - c) * minLr;
  });
}

/**
 * Warmup-stable-decay (WSD; Hu et al. 2024, MiniCPM; Hägele et al. 2024): linear warmup,
 * `peak` until `totalSteps − cooldown`, then `c·peak + (1 − c)·min` with `c = shape(r)`, r going 0 → 1
 * over the cooldown; `minLrRatio · peak` (default 0) from `totalSteps` on.
 */
export function warmupStableDecay(o: WsdOptions): Schedule {
  const name = "warmupStableDecay";
  const { W, minLr } = common(name, o);
  const { peakLr: peak, totalSteps: T } = o;
  const C = o.cooldownSteps ?? Math.round((o.cooldownFraction ?? 0.2) * T);
  if (o.cooldownSteps === undefined && o.cooldownFraction !== undefined) {
    check(name, "cooldownFraction", o.cooldownFraction, o.cooldownFraction >= 0 && o.cooldownFraction <= 1, "in [0, 1]");
  }
  check(name, "cooldownSteps", C, isCount(C) && C <= T - W, `an integer in [0, totalSteps − warmupSteps] = [0, ${T - W}]`);
  const shape = typeof o.shape === "function" ? o.shape : SHAPES[o.shape ?? "1-sqrt"];
  if (shape === undefined) throw new RangeError(`${name}: shape must be one of ${Object.keys(SHAPES).join(", ")} or a function, got ${String(o.shape)}`);
  const start = T - C;
  return schedule(name, (s) => {
    if (s < W) return (peak * (s + 1)) / (W + 1);
    if (s >= T) return minLr;
    if (s < start) return peak;
    const c = shape((s - start) / C);
    return c * peak + (1 - c) * minLr;
  });
}
