import { noGrad } from '@tessera/autograd';
import { checkOptions, type Tensor } from '@tessera/tensor';
import { batchNorm } from './normalization.js';
import { checkFloat, fmt } from './util.js';

/** Options of F.instanceNorm. */
export interface InstanceNormOptions {
  /** Running mean [C], updated in place when useInputStats (optional). */
  runningMean?: Tensor | null;
  /** Running variance [C] (unbiased), updated in place when useInputStats (optional). */
  runningVar?: Tensor | null;
  /** Per-channel scale [C] (optional). */
  weight?: Tensor | null;
  /** Per-channel shift [C] (optional). */
  bias?: Tensor | null;
  /** Normalise by each instance's own statistics (default true) or by the running ones. */
  useInputStats?: boolean;
  /** Weight of the new statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

const INSTANCE_NORM_F = {
  runningMean: 'tensor|null',
  runningVar: 'tensor|null',
  weight: 'tensor|null',
  bias: 'tensor|null',
  useInputStats: 'boolean',
  momentum: 'number',
  eps: 'number',
} as const;

/**
 * Instance normalisation (PyTorch's F.instance_norm) of x [N, C, *spatial]: every (sample,
 * channel) slice is normalised by its own mean and biased variance, then scaled and shifted per
 * channel. As in PyTorch it is batch norm over x seen as [1, N*C, *spatial]; the running
 * statistics, when given, get the average over the batch of the per-instance statistics.
 */
export function instanceNorm(x: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = 'instanceNorm';
  checkOptions(op, opts, INSTANCE_NORM_F);
  checkFloat(op, x);
  if (x.ndim < 3)
    throw new RangeError(
      `${op}: input must have at least 3 dims [N, C, *spatial], got shape ${fmt(x.shape)}`,
    );
  const [N, C] = x.shape as [number, number];
  const useInput = opts.useInputStats ?? true;
  const rm = opts.runningMean ?? null;
  const rv = opts.runningVar ?? null;
  if ((rm === null) !== (rv === null))
    throw new TypeError(`${op}: runningMean and runningVar must both be given or both be null`);
  if (!useInput && rm === null)
    throw new TypeError(`${op}: useInputStats false needs runningMean and runningVar`);
  for (const [t, what] of [
    [rm, 'runningMean'],
    [rv, 'runningVar'],
    [opts.weight ?? null, 'weight'],
    [opts.bias ?? null, 'bias'],
  ] as const) {
    if (t !== null && t.numel() !== C)
      throw new RangeError(
        `${op}: ${what} must have ${C} elements (one per channel of input ${fmt(x.shape)}), got shape ${fmt(t.shape)}`,
      );
  }
  const spatialSize = x.numel() / Math.max(N * C, 1);
  if (useInput && spatialSize <= 1)
    throw new RangeError(
      `${op}: expected more than 1 spatial element per instance, got input shape ${fmt(x.shape)}`,
    );
  const rep = (t: Tensor | null | undefined) =>
    t === null || t === undefined ? null : t.reshape(C).repeat(N);
  const rmN = rm === null ? null : noGrad(() => rep(rm)!.clone());
  const rvN = rv === null ? null : noGrad(() => rep(rv)!.clone());
  const y = batchNorm(x.reshape([1, N * C, ...x.shape.slice(2)]), rmN, rvN, {
    weight: rep(opts.weight),
    bias: rep(opts.bias),
    training: useInput,
    momentum: opts.momentum ?? 0.1,
    eps: opts.eps ?? 1e-5,
  });
  if (useInput && rm !== null && rv !== null) {
    noGrad(() => {
      rm.copy_(rmN!.reshape(N, C).mean(0).reshape(rm.shape));
      rv.copy_(rvN!.reshape(N, C).mean(0).reshape(rv.shape));
    });
  }
  return y.reshape(x.shape);
}
