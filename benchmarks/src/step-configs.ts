/**
 * @file The three training-step configs of the benchmark suite (tied embeddings, kiln's default
 * SwiGLU hidden size: 2/3·4·dim rounded up to a multiple of 32), shared by kiln's runner and the
 * peer scripts (which get them as JSON).
 */

/** One training-step config: model sizes, batch, and how many timed samples to take. */
export interface StepConfig {
  vocab: number;
  dim: number;
  layers: number;
  heads: number;
  ctx: number;
  batch: number;
  /** SwiGLU hidden size (kiln's default rule, passed to the peers so they build the same model). */
  hidden: number;
  /** Timed samples kiln takes (after 3 warm-up steps). */
  samples: number;
}

/** kiln's default SwiGLU width: `32·⌈⌊8·dim/3⌋ / 32⌉`. */
const hidden = (dim: number) => 32 * Math.ceil(Math.floor((8 * dim) / 3) / 32);

const make = (vocab: number, dim: number, layers: number, heads: number, ctx: number, batch: number, samples: number): StepConfig => ({
  vocab, dim, layers, heads, ctx, batch, hidden: hidden(dim), samples,
});

/** tiny / small / medium, as the kernels issue defines them. */
export const STEP_CONFIGS: Record<string, StepConfig> = {
  tiny: make(512, 64, 2, 4, 128, 16, 15),
  small: make(1024, 128, 4, 4, 128, 16, 11),
  medium: make(2048, 256, 6, 8, 256, 8, 7),
};

/** Training FLOPs per token, `6N + 12·L·d·T` (PaLM App. B; N = non-embedding weights + the tied head). */
export function flopsPerToken(c: StepConfig): number {
  const n = c.layers * (4 * c.dim * c.dim + 3 * c.dim * c.hidden) + c.vocab * c.dim;
  return 6 * n + 12 * c.layers * c.dim * c.ctx;
}
