/**
 * @file Weight-decay parameter groups as LLaMA and nanoGPT build them
 * (nanoGPT's `configure_optimizers`): decay every matrix (≥ 2 dims), never
 * norms' scales or biases (1-D), with embeddings configurable.
 */
import type { Tensor } from "@kiln/tensor";

/** Named parameters: a `Map`, an array of `[name, tensor]` pairs, or a plain record. */
export type NamedParameters = Iterable<readonly [string, Tensor]> | Record<string, Tensor>;

/** Options of `weightDecayGroups`. */
export interface WeightDecayGroupsOptions {
  /** Decay of the "decay" group (LLaMA: 0.1). */
  weightDecay: number;
  /** Decay embedding tables too (default true, as nanoGPT: they are matrices). */
  decayEmbeddings?: boolean;
  /** Which parameters are embeddings; default: 2-D with a name matching `embed`, `wte` or `wpe`. */
  isEmbedding?: (name: string, param: Tensor) => boolean;
}

/** One side of the split. */
export interface GroupCount {
  /** Parameter names, in input order. */
  names: string[];
  /** Number of tensors. */
  tensors: number;
  /** Number of scalar parameters. */
  numel: number;
}

/** Two groups for an optimizer plus what went where. */
export interface WeightDecayGroups {
  /** `[{ name: "decay", weightDecay }, { name: "no_decay", weightDecay: 0 }]`, always both (either may be empty). */
  groups: [{ name: string; params: Tensor[]; weightDecay: number }, { name: string; params: Tensor[]; weightDecay: number }];
  decay: GroupCount;
  noDecay: GroupCount;
  /** Names skipped: frozen (`requiresGrad` false) or a second name for an already-seen tensor (tied weights). */
  skipped: string[];
  /** One line, e.g. `decay: 26 tensors, 10,740,736 params | no decay: 13 tensors, 4,992 params`. */
  summary: string;
}

const EMBEDDING_NAME = /embed|(^|\.)(wte|wpe)(\.|$)/i;

/** The default embedding test: a 2-D parameter whose name mentions `embed`, `wte` or `wpe`. */
export function looksLikeEmbedding(name: string, param: Tensor): boolean {
  return param.ndim === 2 && EMBEDDING_NAME.test(name);
}

/**
 * Splits named parameters into a decayed group (≥ 2 dims; embeddings only if
 * `decayEmbeddings`) and an undecayed one (norm scales, biases, other 1-D/0-D).
 * A tensor seen under two names (tied embedding/output) is counted once.
 */
export function weightDecayGroups(named: NamedParameters, opts: WeightDecayGroupsOptions): WeightDecayGroups {
  if (!(opts.weightDecay >= 0 && Number.isFinite(opts.weightDecay))) {
    throw new RangeError(`weightDecayGroups: weightDecay must be a finite number ≥ 0, got ${opts.weightDecay}`);
  }
  const pairs: Iterable<readonly [string, Tensor]> = Symbol.iterator in named ? (named as Iterable<readonly [string, Tensor]>) : Object.entries(named);
  const isEmbedding = opts.isEmbedding ?? looksLikeEmbedding;
  const decayEmbeddings = opts.decayEmbeddings ?? true;
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  const counts = { decay: { names: [], tensors: 0, numel: 0 } as GroupCount, noDecay: { names: [], tensors: 0, numel: 0 } as GroupCount };
  const skipped: string[] = [];
  const seen = new Set<Tensor>();
  for (const [name, p] of pairs) {
    if (!p.requiresGrad || seen.has(p)) {
      skipped.push(name);
      continue;
    }
    seen.add(p);
    const decayed = p.ndim >= 2 && (decayEmbeddings || !isEmbedding(name, p));
    (decayed ? decay : noDecay).push(p);
    const c = decayed ? counts.decay : counts.noDecay;
    c.names.push(name);
    c.tensors++;
    c.numel += p.numel;
  }
  const fmt = (c: GroupCount) => `${c.tensors} tensors, ${c.numel.toLocaleString("en-US")} params`;
  return {
    groups: [
      { name: "decay", params: decay, weightDecay: opts.weightDecay },
      { name: "no_decay", params: noDecay, weightDecay: 0 },
    ],
    ...counts,
    skipped,
    summary: `decay: ${fmt(counts.decay)} | no decay: ${fmt(counts.noDecay)}${skipped.length > 0 ? ` | skipped ${skipped.length} (frozen or tied)` : ""}`,
  };
}
