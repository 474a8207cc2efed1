/**
 * Seeded, counter-based random numbers (Philox4x32-10, Salmon et al. 2011), so every backend and
 * platform produces the same stream: the numbers depend only on (seed, counter), never on order
 * of evaluation or thread count.
 *
 * Layout of a draw of n elements at generator offset `o` (see BACKENDS.md):
 * - the key is the 64-bit seed split into (low 32 bits, high 32 bits);
 * - element i uses the four 32-bit words of philox(key, counter = o + floor(i / 4)), with the
 *   64-bit counter split the same way into (c0, c1) and c2 = c3 = 0, and takes word w = i % 4;
 * - uniform: low + (w >>> 8) * 2^-24 * (high - low), i.e. 24 random bits, exact in float32 (a value
 *   that rounds up to `high` in the output dtype is replaced by the largest value below `high`);
 * - normal: Box-Muller on the pairs of words (0, 1) and (2, 3) of a block: u1 = 1 - uniform(first),
 *   u2 = uniform(second), r = sqrt(-2 ln u1); the even element gets mean + std * r cos(2 pi u2),
 *   the odd one mean + std * r sin(2 pi u2);
 * - randint: low + (word mod (high - low)).
 * A draw advances the generator by ceil(n / 4) counters, so consecutive draws never overlap.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the unsigned 64-bit product a*b. */
function mulhi(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1); writes 4 words into `out`. The
 * stream uses c2 = c3 = 0. Exported so other backends can test their ports against it.
 */
export function philox(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  out: Uint32Array,
  c2 = 0,
  c3 = 0,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** The float in [0, 1) a word maps to (24 random bits, exact in float32). */
export function wordToUniform(w: number): number {
  return (w >>> 8) * 2 ** -24;
}

const DEFAULT_SEED = 67280421310721n;

/**
 * A random-number generator: a 64-bit seed and a counter offset. Pass one to random functions
 * (`rand(shape, { generator })`) for a stream independent of the global one.
 */
export class Generator {
  seed: bigint;
  offset = 0n;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.seed = toSeed(seed);
  }

  /** Resets to `seed` with the counter at 0; returns this. */
  manualSeed(seed: number | bigint): this {
    this.seed = toSeed(seed);
    this.offset = 0n;
    return this;
  }

  /** The seed. */
  initialSeed(): bigint {
    return this.seed;
  }

  /** Reserves counters for `n` elements and returns the offset to draw them at. */
  advance(n: number): bigint {
    const at = this.offset;
    this.offset += BigInt(Math.ceil(n / 4));
    return at;
  }

  /** Serialisable state (for checkpoints). */
  getState(): { seed: string; offset: string } {
    return { seed: this.seed.toString(), offset: this.offset.toString() };
  }

  /** Restores a state from `getState()`. */
  setState(state: { seed: string; offset: string }): this {
    this.seed = BigInt(state.seed);
    this.offset = BigInt(state.offset);
    return this;
  }
}

function toSeed(seed: number | bigint): bigint {
  if (typeof seed === 'number') {
    if (!Number.isInteger(seed)) throw new TypeError(`manualSeed: seed must be an integer, got ${seed}`);
    seed = BigInt(seed);
  }
  return BigInt.asUintN(64, seed);
}

/** The global generator used when no generator is passed. */
export const defaultGenerator = new Generator();

/** Seeds the global generator (PyTorch's `torch.manual_seed`). */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
