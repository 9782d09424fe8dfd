/**
 * @file Batch samplers over a token stream: random windows for training (seeded,
 * resumable) and sequential windows for evaluation (every target exactly once).
 * Targets are the inputs shifted by one token, as in nanoGPT's `get_batch`.
 */
import { tensor, type Generator, type GeneratorState, type Tensor } from "@kiln/tensor";

/** A batch as int32 tensors of shape `[B, T]`. */
export interface Batch {
  /** Token ids `x[b, t] = stream[start_b + t]`. */
  readonly inputs: Tensor<"int32">;
  /** Next-token targets `y[b, t] = stream[start_b + t + 1]`. */
  readonly targets: Tensor<"int32">;
}

/** A batch as flat row-major Int32Arrays plus its shape. */
export interface BatchArrays {
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  /** `[B, T]`. */
  readonly shape: readonly [number, number];
}

/** Options for {@link RandomBatches}. */
export interface RandomBatchesOptions {
  /** Rows per batch (B). */
  readonly batchSize: number;
  /** Tokens per row (T). */
  readonly contextLength: number;
  /** Source of window starts; give the sampler its own generator so batches do not depend on other draws. */
  readonly generator: Generator;
}

/** Serialisable state of a {@link RandomBatches} sampler (save it in a checkpoint). */
export interface RandomBatchesState {
  readonly batchSize: number;
  readonly contextLength: number;
  /** Length of the token stream the sampler was created on. */
  readonly streamLength: number;
  /** Batches drawn so far. */
  readonly step: number;
  /** The generator's state at that point. */
  readonly generator: GeneratorState;
}

/** Options for {@link SequentialBatches}. */
export interface SequentialBatchesOptions {
  /** Rows per batch (the last batch of full windows may have fewer). */
  readonly batchSize: number;
  /** Tokens per row (the final remainder batch is `[1, r]` with r < T). */
  readonly contextLength: number;
}

function checkSizes(where: string, n: number, batchSize: number, contextLength: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${where}: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(contextLength) || contextLength < 1) throw new RangeError(`${where}: contextLength must be a positive integer, got ${contextLength}`);
  if (n < contextLength + 1) throw new RangeError(`${where}: the token stream has ${n} tokens, too few for contextLength ${contextLength} (needs ≥ ${contextLength + 1})`);
}

/** Copies windows starting at `starts` into a `[starts.length, T]` batch. */
export function gatherWindows(tokens: Int32Array, starts: ArrayLike<number>, contextLength: number): BatchArrays {
  const rows = starts.length;
  const inputs = new Int32Array(rows * contextLength);
  const targets = new Int32Array(rows * contextLength);
  for (let r = 0; r < rows; r++) {
    const s = starts[r]!;
    inputs.set(tokens.subarray(s, s + contextLength), r * contextLength);
    targets.set(tokens.subarray(s + 1, s + 1 + contextLength), r * contextLength);
  }
  return { inputs, targets, shape: [rows, contextLength] };
}

/** Wraps flat arrays as `[B, T]` int32 tensors. */
export function toTensors(batch: BatchArrays): Batch {
  const shape = [...batch.shape];
  return {
    inputs: tensor(batch.inputs, { dtype: "int32" }).reshape(shape),
    targets: tensor(batch.targets, { dtype: "int32" }).reshape(shape),
  };
}

/**
 * Infinite sampler of random windows: each row starts at `generator.randint(0, N - T)`.
 * The batch sequence depends only on the generator's state, which `getState` /
 * `setState` capture, so a resumed run draws the same batches.
 */
export class RandomBatches implements Iterable<Batch> {
  readonly batchSize: number;
  readonly contextLength: number;
  private readonly tokens: Int32Array;
  private readonly generator: Generator;
  private step = 0;

  constructor(tokens: Int32Array, options: RandomBatchesOptions) {
    checkSizes("randomBatches", tokens.length, options.batchSize, options.contextLength);
    this.tokens = tokens;
    this.batchSize = options.batchSize;
    this.contextLength = options.contextLength;
    this.generator = options.generator;
  }

  /** The next batch as flat arrays. */
  nextArrays(): BatchArrays {
    const starts = new Array<number>(this.batchSize);
    const hi = this.tokens.length - this.contextLength;
    for (let b = 0; b < this.batchSize; b++) starts[b] = this.generator.randint(0, hi);
    this.step++;
    return gatherWindows(this.tokens, starts, this.contextLength);
  }

  /** The next batch as `[B, T]` int32 tensors. */
  next(): Batch {
    return toTensors(this.nextArrays());
  }

  *[Symbol.iterator](): Iterator<Batch> {
    for (;;) yield this.next();
  }

  /** A JSON-serialisable snapshot; `setState` of it replays the following batches. */
  getState(): RandomBatchesState {
    return {
      batchSize: this.batchSize,
      contextLength: this.contextLength,
      streamLength: this.tokens.length,
      step: this.step,
      generator: this.generator.getState(),
    };
  }

  /** Restores a snapshot taken by `getState` on a sampler over the same stream and sizes. */
  setState(state: RandomBatchesState): void {
    for (const [field, want] of [
      ["batchSize", this.batchSize],
      ["contextLength", this.contextLength],
      ["streamLength", this.tokens.length],
    ] as const) {
      if (state?.[field] !== want) throw new Error(`RandomBatches.setState: ${field} ${String(state?.[field])} in the saved state ≠ ${want} here`);
    }
    this.generator.setState(state.generator);
    this.step = state.step;
  }
}

/**
 * Evaluation windows over the whole stream, in order: full `[B, T]` batches of
 * back-to-back windows, then one `[1, r]` batch for the remainder, so every
 * token except the first is a target exactly once (`numTargets = N - 1`).
 */
export class SequentialBatches implements Iterable<Batch> {
  readonly batchSize: number;
  readonly contextLength: number;
  /** Number of target tokens covered: N - 1. */
  readonly numTargets: number;
  /** Number of batches the iteration yields. */
  readonly length: number;
  private readonly tokens: Int32Array;

  constructor(tokens: Int32Array, options: SequentialBatchesOptions) {
    checkSizes("sequentialBatches", tokens.length, options.batchSize, options.contextLength);
    this.tokens = tokens;
    this.batchSize = options.batchSize;
    this.contextLength = options.contextLength;
    this.numTargets = tokens.length - 1;
    const windows = Math.floor(this.numTargets / this.contextLength);
    this.length = Math.ceil(windows / this.batchSize) + (this.numTargets % this.contextLength > 0 ? 1 : 0);
  }

  /** The batches as flat arrays. */
  *arrays(): IterableIterator<BatchArrays> {
    const T = this.contextLength;
    const windows = Math.floor(this.numTargets / T);
    for (let w = 0; w < windows; w += this.batchSize) {
      const rows = Math.min(this.batchSize, windows - w);
      yield gatherWindows(this.tokens, Array.from({ length: rows }, (_, r) => (w + r) * T), T);
    }
    const rest = this.numTargets - windows * T;
    if (rest > 0) yield gatherWindows(this.tokens, [windows * T], rest);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    for (const b of this.arrays()) yield toTensors(b);
  }
}
