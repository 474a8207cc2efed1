// Random creation functions, drawing from the counter-based Philox stream (random.ts).
import type { Backend } from '../backend.js';
import {
  backendFor,
  dtypeOpt,
  finish,
  type RandomOptions,
  randomOptions,
  type SizeArgs,
  shapeArg,
  sizeArgs,
} from '../creation-args.js';
import { runOp } from '../dispatch.js';
import { allocArray, type DType, isFloating } from '../dtype.js';
import { BERNOULLI_OP } from '../ops/index-decls.js';
import { checkTensor, emptyOut, syncValues } from '../ops/util.js';
import { defaultGenerator, Generator, philox } from '../random.js';
import { checkShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { fromTypedArray, likeOpts } from './factories.js';

function generatorOf(op: string, opts: RandomOptions | undefined): Generator {
  const gen = opts?.generator ?? defaultGenerator;
  if (!(gen instanceof Generator)) throw new TypeError(`${op}: generator must be a Generator`);
  return gen;
}

function draw(
  op: string,
  shape: number[],
  dist: 'uniform' | 'normal' | 'randint',
  params: { low: number; high: number; mean: number; std: number },
  opts: RandomOptions | undefined,
  dflt: DType,
): Tensor {
  randomOptions(op, opts);
  const dtype = dtypeOpt(op, opts, dflt);
  if (dist === 'randint' && dtype === 'int32') checkInt32Range(op, params.low, params.high);
  if (dist !== 'randint' && !isFloating(dtype))
    throw new TypeError(`${op}: dtype must be floating point, got ${dtype}`);
  if (dist === 'randint' && dtype === 'bool') throw new TypeError(`${op}: dtype must be numeric, got bool`);
  const gen = generatorOf(op, opts);
  const b = backendFor(op, opts, dtype);
  const out = emptyOut(b, dtype, shape);
  const n = out.numel();
  const offset = gen.advance(n);
  if (n > 0) b.random(out.viewFor(op), dist, { seed: gen.seed, offset, ...params });
  return finish(out, opts);
}

/** Uniform samples in [0, 1): `rand([2, 3])` or `rand(2, 3)`, options last. */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const { shape, opts } = sizeArgs<RandomOptions>('rand', args);
  return draw('rand', shape, 'uniform', { low: 0, high: 1, mean: 0, std: 1 }, opts, 'float32');
}

/** Standard normal samples: `randn([2, 3])` or `randn(2, 3)`, options last. */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const { shape, opts } = sizeArgs<RandomOptions>('randn', args);
  return draw('randn', shape, 'normal', { low: 0, high: 1, mean: 0, std: 1 }, opts, 'float32');
}

/** Throws unless every value of [low, high) fits int32 (randint would wrap otherwise). */
function checkInt32Range(op: string, low: number, high: number): void {
  if (low < -(2 ** 31) || high - 1 > 2 ** 31 - 1) {
    throw new RangeError(
      `${op}: range [${low}, ${high}) does not fit int32 [-2147483648, 2147483647]; pass dtype 'float64'`,
    );
  }
}

/** Uniform samples in [low, high) (PyTorch's `uniform_`). */
export function uniform(
  shape: number | readonly number[],
  low: number,
  high: number,
  opts?: RandomOptions,
): Tensor {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(high >= low)) {
    throw new RangeError(`uniform: expected finite low <= high, got low ${low} and high ${high}`);
  }
  return draw(
    'uniform',
    shapeArg('uniform', shape),
    'uniform',
    { low, high, mean: 0, std: 1 },
    opts,
    'float32',
  );
}

/** Normal samples with the given mean and standard deviation (PyTorch's `normal_`). */
export function normal(
  shape: number | readonly number[],
  mean: number,
  std: number,
  opts?: RandomOptions,
): Tensor {
  if (!Number.isFinite(mean)) throw new RangeError(`normal: mean must be finite, got ${mean}`);
  if (!(std >= 0) || !Number.isFinite(std))
    throw new RangeError(`normal: std must be finite and non-negative, got ${std}`);
  return draw('normal', shapeArg('normal', shape), 'normal', { low: 0, high: 1, mean, std }, opts, 'float32');
}

/**
 * Integers uniform in [low, high) (int32 unless `opts.dtype`). `randint(high, shape)` draws
 * from [0, high), as PyTorch's.
 */
export function randint(
  low: number,
  high: number | readonly number[],
  shape?: number | readonly number[] | RandomOptions,
  opts?: RandomOptions,
): Tensor {
  if (typeof high !== 'number') {
    if (shape !== undefined && (typeof shape !== 'object' || Array.isArray(shape))) {
      throw new TypeError('randint: expected randint(low, high, shape) or randint(high, shape)');
    }
    opts = shape as RandomOptions | undefined;
    shape = high;
    high = low;
    low = 0;
  }
  if (shape === undefined || (typeof shape === 'object' && !Array.isArray(shape))) {
    throw new TypeError('randint: a shape is required: randint(low, high, shape) or randint(high, shape)');
  }
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: expected integers low < high, got low ${low} and high ${high}`);
  }
  if (high - low > 2 ** 32) throw new RangeError(`randint: range ${high - low} is larger than 2^32`);
  const s = shapeArg('randint', shape as number | readonly number[]);
  return draw('randint', s, 'randint', { low, high, mean: 0, std: 1 }, opts, 'int32');
}

/** rand with `t`'s shape, dtype and device. */
export const randLike = (t: Tensor, opts?: RandomOptions): Tensor =>
  rand(t.shape, { ...likeOpts('randLike', t, opts), generator: opts?.generator });
/** randn with `t`'s shape, dtype and device. */
export const randnLike = (t: Tensor, opts?: RandomOptions): Tensor =>
  randn(t.shape, { ...likeOpts('randnLike', t, opts), generator: opts?.generator });

/**
 * Samples 1 with probability `p` else 0. `p` is a number (with `opts.shape`, default a 0-d
 * result) or a tensor of probabilities in [0, 1] (one sample per element, recorded as the
 * non-differentiable op `bernoulli`). The result has p's floating dtype (float32 otherwise) or
 * `opts.dtype`. Draws the same uniform stream as `rand`: element i is 1 when u_i < p_i.
 */
export function bernoulli(p: Tensor | number, opts?: RandomOptions & { shape?: readonly number[] }): Tensor {
  randomOptions('bernoulli', opts, { shape: 'array' });
  const gen = generatorOf('bernoulli', opts);
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
    const shape = checkShape('bernoulli', opts?.shape ?? []);
    const dtype = dtypeOpt('bernoulli', opts, 'float32');
    const b = backendFor('bernoulli', opts, dtype);
    return finish(sampleBernoulli(b, gen, shape, null, p, dtype), opts);
  }
  checkTensor('bernoulli', p);
  if (opts?.shape !== undefined)
    throw new TypeError('bernoulli: opts.shape is only for a number p; p is a tensor');
  if (opts?.device !== undefined && opts.device !== p.device) {
    throw new Error(`bernoulli: p is on ${p.device} but device ${opts.device} was requested`);
  }
  const dtype = dtypeOpt('bernoulli', opts, isFloating(p.dtype) ? p.dtype : 'float32');
  checkProbabilities(p);
  const out = runOp(BERNOULLI_OP, [p], undefined, () =>
    sampleBernoulli(p.storage('bernoulli').backend, gen, p.shape, p, 0, dtype),
  );
  return finish(out, opts);
}

/**
 * Throws, as PyTorch does, when a probability tensor holds a value outside [0, 1] (or NaN). Only
 * where the values can be read synchronously (see syncValues).
 */
function checkProbabilities(p: Tensor): void {
  const v = syncValues(p);
  if (v === null) return;
  for (let i = 0; i < v.length; i++) {
    const x = Number(v[i]);
    if (!(x >= 0 && x <= 1)) {
      throw new RangeError(
        `bernoulli: p must be in [0, 1], got ${x} at flat index ${i} of p with shape [${p.shape.join(', ')}]`,
      );
    }
  }
}

/** Kernel-only bernoulli sampling: uniform draws compared with p (a tensor, or the number pv). */
function sampleBernoulli(
  b: Backend,
  gen: Generator,
  shape: readonly number[],
  p: Tensor | null,
  pv: number,
  dtype: DType,
): Tensor {
  const udt: DType = p !== null && p.dtype === 'float64' ? 'float64' : 'float32';
  const u = emptyOut(b, udt, shape);
  const n = u.numel();
  const offset = gen.advance(n);
  const out = emptyOut(b, dtype, shape);
  if (n === 0) {
    u.dispose();
    return out;
  }
  b.random(u.viewFor('bernoulli'), 'uniform', { seed: gen.seed, offset, low: 0, high: 1, mean: 0, std: 1 });
  let pt: Tensor;
  if (p === null) {
    pt = emptyOut(b, udt, []);
    b.fill(pt.viewFor('bernoulli'), pv);
  } else if (p.dtype !== udt) {
    pt = emptyOut(b, udt, p.shape);
    b.copy(pt.viewFor('bernoulli'), p.viewFor('bernoulli'));
  } else {
    pt = p;
  }
  const mask = emptyOut(b, 'bool', shape);
  const pv2 = pt.viewFor('bernoulli');
  const pview = pt.ndim === 0 && shape.length > 0 ? { ...pv2, shape, strides: shape.map(() => 0) } : pv2;
  b.binary('lt', mask.viewFor('bernoulli'), u.viewFor('bernoulli'), pview);
  b.copy(out.viewFor('bernoulli'), mask.viewFor('bernoulli'));
  mask.dispose();
  u.dispose();
  if (pt !== p) pt.dispose();
  return out;
}

/**
 * A random permutation of 0..n-1 (int32 unless `opts.dtype`), by Fisher-Yates on the host from
 * the generator's Philox stream: swap i with j = word_i mod (i + 1), for i = n-1 down to 1, where
 * word_i is the 32-bit word a draw of n elements would give element i.
 */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  randomOptions('randperm', opts);
  const dtype = dtypeOpt('randperm', opts, 'int32');
  if (dtype === 'bool') throw new TypeError('randperm: dtype must be numeric, got bool');
  if (dtype === 'float32' && n > 2 ** 24)
    throw new RangeError(`randperm: n ${n} is too large for float32 values`);
  const gen = generatorOf('randperm', opts);
  const offset = gen.advance(n);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const words = new Uint32Array(4);
  const k0 = Number(gen.seed & 0xffffffffn);
  const k1 = Number((gen.seed >> 32n) & 0xffffffffn);
  let block = -1;
  for (let i = n - 1; i > 0; i--) {
    const blk = Math.floor(i / 4);
    if (blk !== block) {
      const c = offset + BigInt(blk);
      philox(k0, k1, Number(c & 0xffffffffn), Number((c >> 32n) & 0xffffffffn), words);
      block = blk;
    }
    const j = words[i % 4]! % (i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const data = dtype === 'int32' ? perm : allocArray(dtype, n);
  if (data !== perm) data.set(perm);
  return finish(fromTypedArray(data, [n], dtype, opts?.device), opts);
}
