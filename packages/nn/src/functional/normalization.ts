import { noGrad } from '@tessera/autograd';
import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { BATCH_NORM_F, NORM_F } from '../option-specs.js';
import { checkFloat, checkTensor, fmt } from './util.js';

/** Options of F.batchNorm. */
export interface BatchNormOptions {
  /** Per-channel scale gamma [C] (optional). */
  weight?: Tensor | null;
  /** Per-channel shift beta [C] (optional). */
  bias?: Tensor | null;
  /** Use batch statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (default 0.1). */
  momentum?: number;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}

/** Checks an optional per-channel vector. */
function checkVector(op: string, t: Tensor | null | undefined, n: number, what: string): void {
  if (t === undefined || t === null) return;
  checkTensor(op, t, what);
  if (t.numel() !== n)
    throw new RangeError(
      `${op}: ${what} must have ${n} elements (one per channel), got shape ${fmt(t.shape)}`,
    );
}

/**
 * Batch normalisation (PyTorch's F.batch_norm) of x [N, C, *]: each channel is normalised by the
 * batch's mean and biased variance in training (updating `runningMean`/`runningVar` in place with
 * the unbiased variance, as PyTorch does), or by the running statistics otherwise, then scaled by
 * `weight` and shifted by `bias`. Running statistics may be null (batch statistics always used).
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  checkOptions('batchNorm', opts, BATCH_NORM_F);
  const op = 'batchNorm';
  checkFloat(op, x);
  if (x.ndim < 2)
    throw new RangeError(`${op}: input must have at least 2 dims [N, C, ...], got shape ${fmt(x.shape)}`);
  const C = x.shape[1]!;
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  const training = opts.training ?? false;
  checkVector(op, runningMean, C, 'runningMean');
  checkVector(op, runningVar, C, 'runningVar');
  checkVector(op, opts.weight, C, 'weight');
  checkVector(op, opts.bias, C, 'bias');
  if ((runningMean === null) !== (runningVar === null)) {
    throw new TypeError(`${op}: runningMean and runningVar must both be given or both be null`);
  }
  const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const w = opts.weight ? opts.weight.reshape(shape) : null;
  const b = opts.bias ? opts.bias.reshape(shape) : null;
  if (training || runningMean === null || runningVar === null) {
    const n = x.numel() / Math.max(C, 1);
    if (training && n <= 1) {
      throw new RangeError(
        `${op}: expected more than 1 value per channel when training, got input shape ${fmt(x.shape)}`,
      );
    }
    const mean = x.mean(dims, true);
    const xc = x.sub(mean);
    const variance = xc.square().mean(dims, true);
    if (training && runningMean !== null && runningVar !== null) {
      noGrad(() => {
        runningMean.mul_(1 - momentum).add_(mean.detach().reshape(runningMean.shape), momentum);
        runningVar.mul_(1 - momentum).add_(
          variance
            .detach()
            .reshape(runningVar.shape)
            .mul(n / (n - 1)),
          momentum,
        );
      });
    }
    let scale = variance.add(eps).rsqrt();
    if (w !== null) scale = scale.mul(w);
    const y = xc.mul(scale);
    return b === null ? y : y.add(b);
  }
  // Evaluation: one scale and one shift per channel, folded before touching x.
  let scale = runningVar.reshape(shape).add(eps).rsqrt();
  if (w !== null) scale = scale.mul(w);
  let shift = runningMean.reshape(shape).mul(scale).neg();
  if (b !== null) shift = shift.add(b);
  return x.mul(scale).add(shift);
}

/** Options of F.layerNorm and F.groupNorm. */
export interface NormOptions {
  /** Elementwise scale (optional). */
  weight?: Tensor | null;
  /** Elementwise shift (optional). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Layer normalisation (PyTorch's F.layer_norm): normalises over the last
 * `normalizedShape.length` dims (mean and biased variance), then applies the optional
 * elementwise `weight` and `bias` of shape `normalizedShape`.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  opts: NormOptions = {},
): Tensor {
  checkOptions('layerNorm', opts, NORM_F);
  const op = 'layerNorm';
  checkFloat(op, x);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || k > x.ndim || ns.some((d, i) => d !== x.shape[x.ndim - k + i])) {
    throw new RangeError(`${op}: input shape ${fmt(x.shape)} does not end with normalizedShape ${fmt(ns)}`);
  }
  for (const [t, what] of [
    [opts.weight, 'weight'],
    [opts.bias, 'bias'],
  ] as const) {
    if (t !== undefined && t !== null && (t.ndim !== k || t.shape.some((d, i) => d !== ns[i]))) {
      throw new RangeError(`${op}: ${what} must have shape ${fmt(ns)}, got ${fmt(t.shape)}`);
    }
  }
  const dims = ns.map((_, i) => x.ndim - k + i);
  const mean = x.mean(dims, true);
  const xc = x.sub(mean);
  const variance = xc.square().mean(dims, true);
  let y = xc.mul(variance.add(opts.eps ?? 1e-5).rsqrt());
  if (opts.weight) y = y.mul(opts.weight);
  if (opts.bias) y = y.add(opts.bias);
  return y;
}

/**
 * Group normalisation (PyTorch's F.group_norm) of x [N, C, *]: the C channels are split into
 * `numGroups` groups, each normalised over its channels and spatial positions, then the optional
 * per-channel `weight` and `bias` [C] are applied.
 */
export function groupNorm(x: Tensor, numGroups: number, opts: NormOptions = {}): Tensor {
  checkOptions('groupNorm', opts, NORM_F);
  const op = 'groupNorm';
  checkFloat(op, x);
  if (x.ndim < 2)
    throw new RangeError(`${op}: input must have at least 2 dims [N, C, ...], got shape ${fmt(x.shape)}`);
  const [N, C] = x.shape as [number, number];
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new RangeError(
      `${op}: the ${C} channels of input ${fmt(x.shape)} are not divisible into numGroups=${numGroups} groups`,
    );
  }
  checkVector(op, opts.weight, C, 'weight');
  checkVector(op, opts.bias, C, 'bias');
  const g = x.reshape(N, numGroups, -1);
  const mean = g.mean(2, true);
  const gc = g.sub(mean);
  const variance = gc.square().mean(2, true);
  let y = gc.mul(variance.add(opts.eps ?? 1e-5).rsqrt()).reshape(x.shape);
  const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
  if (opts.weight) y = y.mul(opts.weight.reshape(shape));
  if (opts.bias) y = y.add(opts.bias.reshape(shape));
  return y;
}

/**
 * Lp normalisation along `dim` (PyTorch's F.normalize): x / max(||x||_p, eps).
 */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  checkFloat('normalize', x);
  return x.div(x.norm(p, dim, true).clamp(eps));
}
