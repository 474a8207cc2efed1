import { checkOptions, type Generator, rand, type Tensor, zerosLike } from '@tessera/tensor';
import { DROPOUT } from '../option-specs.js';
import { checkFloat, checkProbability, fmt } from './util.js';

/** Options of the dropout functions. */
export interface DropoutOptions {
  /** Apply dropout (default true); false returns the input unchanged. */
  training?: boolean;
  /** Generator for the mask (default: the global one, seeded by `manualSeed`). */
  generator?: Generator;
}

/**
 * A {0, 1/(1-p)} mask of `shape`: each element kept with probability 1 - p. It is a constant for
 * autograd (the random draw is not recorded as differentiable).
 */
function keepMask(x: Tensor, shape: readonly number[], p: number, generator: Generator | undefined): Tensor {
  const u = rand(shape, { dtype: x.dtype, device: x.device, generator });
  // u >= p keeps with probability 1 - p; scaled so that the expectation is unchanged.
  return u
    .ge(p)
    .cast(x.dtype)
    .mul(1 / (1 - p));
}

/**
 * Inverted dropout (PyTorch's F.dropout): in training, zeroes each element with probability p
 * and scales the others by 1/(1-p), so that evaluation needs no rescaling; identity otherwise.
 */
export function dropout(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  checkOptions('dropout', opts, DROPOUT);
  const op = 'dropout';
  checkFloat(op, x);
  checkProbability(op, 'p', p);
  if (opts.training === false || p === 0) return x;
  if (p === 1) return x.mul(zerosLike(x));
  return x.mul(keepMask(x, x.shape, p, opts.generator));
}

/**
 * Channel dropout (PyTorch's F.dropout2d): zeroes whole channels of x [N, C, H, W] (or unbatched
 * [C, H, W]) with probability p, scaling kept channels by 1/(1-p), in training only.
 */
export function dropout2d(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  return channelDropout('dropout2d', x, p, opts, 4);
}

/** Channel dropout for x [N, C, L] (or [C, L]) (PyTorch's F.dropout1d). */
export function dropout1d(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  return channelDropout('dropout1d', x, p, opts, 3);
}

function channelDropout(op: string, x: Tensor, p: number, opts: DropoutOptions, batchedDims: number): Tensor {
  checkOptions(op, opts, DROPOUT);
  checkFloat(op, x);
  checkProbability(op, 'p', p);
  if (x.ndim !== batchedDims && x.ndim !== batchedDims - 1) {
    const layout = batchedDims === 4 ? '[N, C, H, W] or [C, H, W]' : '[N, C, L] or [C, L]';
    throw new RangeError(`${op}: input must be ${layout}, got shape ${fmt(x.shape)}`);
  }
  if (opts.training === false || p === 0) return x;
  if (p === 1) return x.mul(zerosLike(x));
  const channelDims = x.ndim === batchedDims ? 2 : 1;
  const shape = x.shape.map((d, i) => (i < channelDims ? d : 1));
  return x.mul(keepMask(x, shape, p, opts.generator));
}
