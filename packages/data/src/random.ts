import { defaultGenerator, Generator, philox, Tensor } from '@tessera/tensor';

// Random numbers drawn on the JS side from a tensor `Generator`, with the same Philox layout as
// the tensor package (element i of a draw at offset o is word i % 4 of philox(seed, o + i / 4)),
// so `uniforms(g, n)` equals `rand([n], { generator: g })` and the stream is the same on every
// platform. Data pipelines draw a handful of numbers per sample; doing it here avoids a tensor
// round trip per decision.

const TWO32 = 4294967296;
/** 2^-24: a 24-bit integer times this is a float in [0, 1), exact in float32. */
const U24 = 2 ** -24;

/** Reserves `n` words on `gen` and returns them (32-bit unsigned). */
export function randomWords(gen: Generator, n: number): Uint32Array {
  const out = new Uint32Array(n);
  if (n === 0) return out;
  const offset = gen.advance(n);
  const k0 = Number(gen.seed & 0xffffffffn);
  const k1 = Number((gen.seed >> 32n) & 0xffffffffn);
  const c0 = Number(offset & 0xffffffffn);
  const c1 = Number((offset >> 32n) & 0xffffffffn);
  const words = new Uint32Array(4);
  for (let blk = 0; blk * 4 < n; blk++) {
    const lo = c0 + blk;
    philox(k0, k1, lo % TWO32, (c1 + Math.floor(lo / TWO32)) % TWO32, words);
    const m = Math.min(4, n - blk * 4);
    for (let j = 0; j < m; j++) out[blk * 4 + j] = words[j]!;
  }
  return out;
}

/** `n` uniform numbers in [0, 1) (24 random bits each, exactly `rand([n], { generator })`). */
export function uniforms(gen: Generator, n: number): Float64Array {
  const w = randomWords(gen, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (w[i]! >>> 8) * U24;
  return out;
}

/** `n` standard normal numbers (Box-Muller on pairs of uniforms, as `randn`). */
export function normals(gen: Generator, n: number): Float64Array {
  const w = randomWords(gen, n + (n & 1));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - (w[i]! >>> 8) * U24;
    const u2 = (w[i + 1]! >>> 8) * U24;
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** An integer uniform in [0, n) from two words (53 bits, so no visible modulo bias). */
export function wordsToIndex(hi: number, lo: number, n: number): number {
  const u = ((hi >>> 5) * 67108864 + (lo >>> 6)) / 9007199254740992;
  return Math.floor(u * n);
}

/** A random permutation of 0..n-1 (Fisher-Yates), drawn from `gen`. */
export function permutation(gen: Generator, n: number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const w = randomWords(gen, 2 * n);
  for (let i = n - 1; i > 0; i--) {
    const j = wordsToIndex(w[2 * i]!, w[2 * i + 1]!, i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/** SplitMix64 finaliser: a well-mixed 64-bit value from any 64-bit input. */
function mix64(x: bigint): bigint {
  x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
  x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
  x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
  return x ^ (x >> 31n);
}

/**
 * A fresh generator for epoch `epoch` of a stream seeded by `seed`: the epoch counter is mixed
 * into the seed, so each epoch is reproducible on its own and differs from the others.
 */
export function epochGenerator(seed: bigint, epoch: number): Generator {
  return new Generator(mix64(seed ^ mix64(BigInt(epoch) + 0x632be59bd9b4e019n)));
}

/** A 64-bit seed drawn from `gen` (the global generator by default, so `manualSeed` controls it). */
export function drawSeed(gen: Generator = defaultGenerator): bigint {
  const w = randomWords(gen, 2);
  return (BigInt(w[1]!) << 32n) | BigInt(w[0]!);
}

/** Throws unless `g` is a tensor Generator (or undefined). */
export function checkGenerator(op: string, g: unknown): Generator | undefined {
  if (g === undefined) return undefined;
  if (!(g instanceof Generator)) {
    throw new TypeError(`${op}: generator must be a Generator from @tessera/tensor, got ${describeValue(g)}`);
  }
  return g;
}

/** Short description of a value for error messages. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (x instanceof Tensor) return `a tensor of shape [${x.shape.join(',')}] (${x.dtype})`;
  if (typeof x === 'object') {
    const name = (x as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  if (typeof x === 'string')
    return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x)}`;
  return `${typeof x} ${String(x)}`;
}
