import { checkOptions, sameShape, type Tensor, where } from '@tessera/tensor';
import { REDUCTION } from '../option-specs.js';
import { checkFloat, checkReduction, checkSameShape, fmt, type Reduction, readable, reduce } from './util.js';

/** The reduction option shared by every loss. */
export interface ReductionOptions {
  /** 'mean' (default): average of the elementwise losses; 'sum'; 'none': the elementwise losses. */
  reduction?: Reduction;
}

/** Checks a regression loss's operands: floating tensors of one shape. */
function operands(op: string, input: Tensor, target: Tensor, reduction: unknown): void {
  checkFloat(op, input);
  checkFloat(op, target, 'target');
  checkSameShape(op, input, target);
  checkReduction(op, reduction);
}

/** Mean squared error (PyTorch's F.mse_loss): (input - target)^2, reduced. */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions('mseLoss', opts, REDUCTION);
  const reduction = opts.reduction ?? 'mean';
  operands('mseLoss', input, target, reduction);
  return reduce(input.sub(target).square(), reduction);
}

/** Mean absolute error (PyTorch's F.l1_loss): |input - target|, reduced. */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions('l1Loss', opts, REDUCTION);
  const reduction = opts.reduction ?? 'mean';
  operands('l1Loss', input, target, reduction);
  return reduce(input.sub(target).abs(), reduction);
}

/**
 * Huber loss (PyTorch's F.huber_loss): 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta),
 * with d = input - target.
 */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  opts: ReductionOptions & { delta?: number } = {},
): Tensor {
  checkOptions('huberLoss', opts, { ...REDUCTION, delta: 'number' });
  const reduction = opts.reduction ?? 'mean';
  const delta = opts.delta ?? 1;
  operands('huberLoss', input, target, reduction);
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const ad = d.abs();
  return reduce(where(ad.lt(delta), d.square().mul(0.5), ad.sub(0.5 * delta).mul(delta)), reduction);
}

/**
 * Smooth L1 loss (PyTorch's F.smooth_l1_loss): 0.5 d^2 / beta where |d| < beta, else
 * |d| - 0.5 beta; beta = 0 is the L1 loss.
 */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  opts: ReductionOptions & { beta?: number } = {},
): Tensor {
  checkOptions('smoothL1Loss', opts, { ...REDUCTION, beta: 'number' });
  const reduction = opts.reduction ?? 'mean';
  const beta = opts.beta ?? 1;
  operands('smoothL1Loss', input, target, reduction);
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const ad = input.sub(target).abs();
  if (beta === 0) return reduce(ad, reduction);
  return reduce(where(ad.lt(beta), ad.square().mul(0.5 / beta), ad.sub(0.5 * beta)), reduction);
}

/** Options of F.gaussianNllLoss. */
export interface GaussianNllLossOptions extends ReductionOptions {
  /** Add the constant 0.5 log(2 pi) (default false). */
  full?: boolean;
  /** Variances are clamped to at least eps (without affecting their gradient), default 1e-6. */
  eps?: number;
}

/**
 * Gaussian negative log likelihood (PyTorch's F.gaussian_nll_loss) of `target` under
 * N(input, variance): 0.5 (log var + (input - target)^2 / var) [+ 0.5 log 2 pi]. `variance` has
 * the input's shape, or it without the last dim, or it with a last dim of 1 (one variance shared
 * by the last dim). Negative variances are an error.
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor,
  opts: GaussianNllLossOptions = {},
): Tensor {
  checkOptions('gaussianNllLoss', opts, { ...REDUCTION, full: 'boolean', eps: 'number' });
  const op = 'gaussianNllLoss';
  const reduction = opts.reduction ?? 'mean';
  operands(op, input, target, reduction);
  checkFloat(op, variance, 'var');
  const eps = opts.eps ?? 1e-6;
  let v = variance;
  if (!sameShape(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (sameShape(v.shape, lead)) v = v.unsqueeze(-1);
    else if (!(sameShape(v.shape.slice(0, -1), lead) && v.shape[v.ndim - 1] === 1 && v.ndim === input.ndim)) {
      throw new RangeError(
        `${op}: var shape ${fmt(v.shape)} does not fit input shape ${fmt(input.shape)} (expected ${fmt(input.shape)}, ${fmt(lead)} or ${fmt([...lead, 1])})`,
      );
    }
  }
  if (readable(v) && v.lt(0).any().item()) throw new RangeError(`${op}: var has negative entries`);
  // Clamped value, identity gradient (PyTorch clamps a clone in place under no_grad).
  const vc = v.add(v.detach().clamp(eps).sub(v.detach()));
  let loss = vc.log().add(input.sub(target).square().div(vc)).mul(0.5);
  if (opts.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return reduce(loss, reduction);
}

/** Options of F.klDiv. */
export interface KlDivOptions {
  /** 'mean' (default; over all elements), 'batchmean' (sum / batch size: the true KL divergence), 'sum' or 'none'. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities (default false). */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence loss (PyTorch's F.kl_div): `input` holds log-probabilities and
 * `target` probabilities (or log-probabilities with `logTarget`); the pointwise loss is
 * target (log target - input), taken as 0 where target is 0.
 */
export function klDiv(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  checkOptions('klDiv', opts, { ...REDUCTION, logTarget: 'boolean' });
  const op = 'klDiv';
  const reduction = opts.reduction ?? 'mean';
  checkFloat(op, input);
  checkFloat(op, target, 'target');
  checkSameShape(op, input, target);
  checkReduction(op, reduction, ['batchmean']);
  let loss: Tensor;
  if (opts.logTarget) loss = target.exp().mul(target.sub(input));
  else {
    const zero = target.eq(0);
    const xlogx = where(zero, 0, target.mul(where(zero, 1, target).log()));
    loss = xlogx.sub(target.mul(input));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  return reduce(loss, reduction);
}

/** Options of F.cosineEmbeddingLoss. */
export interface CosineEmbeddingLossOptions extends ReductionOptions {
  /** Dissimilar pairs are penalised only above this cosine (default 0). */
  margin?: number;
}

/**
 * Cosine embedding loss (PyTorch's F.cosine_embedding_loss) of pairs x1, x2 [N, D] (or [D]) with
 * labels y [N] (or []) in {1, -1}: 1 - cos for y = 1, max(0, cos - margin) for y = -1.
 */
export function cosineEmbeddingLoss(
  x1: Tensor,
  x2: Tensor,
  y: Tensor,
  opts: CosineEmbeddingLossOptions = {},
): Tensor {
  checkOptions('cosineEmbeddingLoss', opts, { ...REDUCTION, margin: 'number' });
  const op = 'cosineEmbeddingLoss';
  const reduction = opts.reduction ?? 'mean';
  const margin = opts.margin ?? 0;
  checkFloat(op, x1, 'input1');
  checkFloat(op, x2, 'input2');
  checkSameShape(op, x1, x2, 'input1', 'input2');
  checkReduction(op, reduction);
  if (x1.ndim !== 1 && x1.ndim !== 2)
    throw new RangeError(`${op}: inputs must be [N, D] or [D], got shape ${fmt(x1.shape)}`);
  const want = x1.shape.slice(0, -1);
  if (y.ndim !== want.length || y.shape.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `${op}: target shape ${fmt(y.shape)} must be ${fmt(want)} for inputs of shape ${fmt(x1.shape)}`,
    );
  }
  const EPS = 1e-12;
  const prod = x1.mul(x2).sum(-1);
  const m1 = x1.square().sum(-1).add(EPS);
  const m2 = x2.square().sum(-1).add(EPS);
  const cos = prod.div(m1.mul(m2).sqrt());
  const pos = where(y.eq(1), cos.neg().add(1), 0);
  const neg = where(y.eq(-1), cos.sub(margin).clamp(0), 0);
  return reduce(pos.add(neg), reduction);
}
