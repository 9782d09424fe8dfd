/**
 * @file The seeded random generator: xoshiro128** (Blackman & Vigna, 2018)
 * seeded through splitmix32, with Box–Muller normals. State can be saved and
 * restored exactly, so a resumed run draws the very same numbers.
 */

/** A generator's complete state, JSON-serialisable. */
export interface GeneratorState {
  algorithm: "xoshiro128**";
  /** The four 32-bit words of xoshiro128** state. */
  s: [number, number, number, number];
  /** A normal deviate left over from the last Box–Muller pair, or null. */
  spareNormal: number | null;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seeded pseudo-random number generator (PyTorch's `torch.Generator`). */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** A generator seeded with `seed` (any safe integer). */
  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Re-seeds this generator in place (splitmix32 expands the seed to 128 bits). */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) throw new TypeError(`Generator.manualSeed: seed must be a safe integer, got ${seed}`);
    // two splitmix32 streams, one from each 32-bit half of the seed: s0 is a bijection of the low
    // word and s2 of the high word, so distinct safe-integer seeds never share a state
    const stream = (x: number) => () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const low = stream(seed >>> 0);
    const high = stream((Math.floor(seed / 2 ** 32) >>> 0) ^ 0x6a09e667);
    this.s0 = low();
    this.s1 = low();
    this.s2 = high();
    this.s3 = high();
    this.spare = null;
    return this;
  }

  /** The next uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [low, high). */
  randint(low: number, high: number): number {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new RangeError(`Generator.randint: need integers low < high, got [${low}, ${high})`);
    }
    return low + Math.floor(this.random() * (high - low));
  }

  /** A standard normal deviate (Box–Muller; the second of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.random(); // (0, 1]: log is finite
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A copy of the complete state (`torch.Generator.get_state`). */
  getState(): GeneratorState {
    return { algorithm: "xoshiro128**", s: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spare };
  }

  /** Restores a state from {@link getState}; later draws repeat exactly. */
  setState(state: GeneratorState): this {
    const s = state?.s;
    if (state?.algorithm !== "xoshiro128**" || !Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w))) {
      throw new TypeError(`Generator.setState: not a xoshiro128** state: ${JSON.stringify(state)}`);
    }
    if (s.every((w) => w >>> 0 === 0)) throw new RangeError("Generator.setState: the all-zero state is invalid");
    [this.s0, this.s1, this.s2, this.s3] = s.map((w) => w >>> 0) as [number, number, number, number];
    this.spare = state.spareNormal ?? null;
    return this;
  }

  /** An independent copy with the same state. */
  clone(): Generator {
    return new Generator().setState(this.getState());
  }
}

/** The generator used when none is passed (PyTorch's default generator). */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator (`torch.manual_seed`). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
