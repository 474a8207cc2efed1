import { checkOptions, type Tensor, where, withOpContext } from '@tessera/tensor';
import { CROSS_ENTROPY, NLL } from '../option-specs.js';
import type { ReductionOptions } from './loss-regression.js';
import {
  checkFloat,
  checkReduction,
  checkSameShape,
  checkTensor,
  fmt,
  isFloat,
  type Reduction,
  readable,
} from './util.js';

/** Options of F.nllLoss. */
export interface NllLossOptions extends ReductionOptions {
  /** Per-class weight [C] (default: all 1). */
  weight?: Tensor | null;
  /** Targets equal to this are ignored: no loss, no weight in the mean (default -100). */
  ignoreIndex?: number;
}

/** Options of F.crossEntropy. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s) target + s / C (default 0). */
  labelSmoothing?: number;
}

/** Input and target of an index-target loss brought to [N, C, ...] and [N, ...]. */
function batched(
  op: string,
  input: Tensor,
  target: Tensor,
): { input: Tensor; target: Tensor; unbatched: boolean } {
  if (input.ndim === 0) throw new RangeError(`${op}: input must be [N, C, ...] or [C], got a 0-d tensor`);
  const unbatched = input.ndim === 1;
  const x = unbatched ? input.unsqueeze(0) : input;
  const t = unbatched && target.ndim === 0 ? target.unsqueeze(0) : target;
  const want = [x.shape[0]!, ...x.shape.slice(2)];
  if (t.ndim !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `${op}: target shape ${fmt(target.shape)} does not match input shape ${fmt(input.shape)} (class-index targets must have shape ${fmt(unbatched ? [] : want)})`,
    );
  }
  return { input: x, target: t, unbatched };
}

/** Throws for class indices outside [0, C) other than ignoreIndex (read back on the CPU only). */
function checkClasses(op: string, target: Tensor, C: number, ignoreIndex: number, input: Tensor): void {
  if (!readable(target)) return;
  const data = target.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if ((v < 0 || v >= C) && v !== ignoreIndex) {
      throw new RangeError(
        `${op}: target class index ${v} is out of range for ${C} classes (input ${fmt(input.shape)}, target ${fmt(target.shape)}); expected 0..${C - 1} or ignoreIndex ${ignoreIndex}`,
      );
    }
  }
}

/** Checks an optional per-class weight vector. */
function checkWeight(op: string, weight: Tensor | null | undefined, C: number): void {
  if (weight === undefined || weight === null) return;
  checkFloat(op, weight, 'weight');
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new RangeError(`${op}: weight must have shape [${C}] (one per class), got ${fmt(weight.shape)}`);
  }
}

/**
 * Negative log likelihood with class-index targets, on log-probabilities `logp` [N, C, ...] and
 * int32 `target` [N, ...]: loss_i = -w[t_i] logp[i, t_i]; 'mean' divides by the sum of the
 * weights of the non-ignored targets (PyTorch's weighted mean).
 */
function nllIndex(
  logp: Tensor,
  target: Tensor,
  weight: Tensor | null | undefined,
  ignoreIndex: number,
  reduction: Reduction,
): { loss: Tensor; valid: Tensor; safe: Tensor; w: Tensor } {
  const valid = target.ne(ignoreIndex);
  const safe = where(valid, target, 0);
  const picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  let w = valid.cast(logp.dtype);
  if (weight !== undefined && weight !== null)
    w = weight.indexSelect(0, safe.reshape(-1)).reshape(safe.shape).mul(w);
  const each = picked.mul(w).neg();
  let loss: Tensor;
  if (reduction === 'none') loss = each;
  else if (reduction === 'sum') loss = each.sum();
  else loss = each.sum().div(w.sum());
  return { loss, valid, safe, w };
}

/**
 * Negative log likelihood loss (PyTorch's F.nll_loss): `input` holds log-probabilities
 * [N, C, d1, ...] (or [C]) and `target` int32 class indices [N, d1, ...] (or []).
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  // Named as the user's op (with these shapes) in errors the GPU reports later.
  return withOpContext('nllLoss', { input, target }, () => nllLossBody(input, target, opts));
}

function nllLossBody(input: Tensor, target: Tensor, opts: NllLossOptions): Tensor {
  checkOptions('nllLoss', opts, NLL);
  const op = 'nllLoss';
  const reduction = opts.reduction ?? 'mean';
  const ignoreIndex = opts.ignoreIndex ?? -100;
  checkFloat(op, input);
  checkTensor(op, target, 'target');
  checkReduction(op, reduction);
  if (target.dtype !== 'int32') {
    throw new TypeError(
      `${op}: target must hold int32 class indices, got ${target.dtype} (input ${fmt(input.shape)}, target ${fmt(target.shape)})`,
    );
  }
  const b = batched(op, input, target);
  const C = b.input.shape[1]!;
  checkWeight(op, opts.weight, C);
  checkClasses(op, b.target, C, ignoreIndex, input);
  const { loss } = nllIndex(b.input, b.target, opts.weight, ignoreIndex, reduction);
  return b.unbatched && reduction === 'none' ? loss.squeeze(0) : loss;
}

/**
 * Cross entropy from unnormalised logits (PyTorch's F.cross_entropy), through a fused, stable
 * logSoftmax over dim 1 (dim 0 for unbatched [C] input). `target` is either int32 class indices
 * [N, d1, ...] (with `ignoreIndex`, per-class `weight` and PyTorch's weighted mean), or class
 * probabilities of the input's shape (floating point; 'mean' divides by the number of
 * distributions). `labelSmoothing` s mixes the target with the uniform distribution.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  return withOpContext('crossEntropy', { input, target }, () => crossEntropyBody(input, target, opts));
}

function crossEntropyBody(input: Tensor, target: Tensor, opts: CrossEntropyOptions): Tensor {
  checkOptions('crossEntropy', opts, CROSS_ENTROPY);
  const op = 'crossEntropy';
  const reduction = opts.reduction ?? 'mean';
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const s = opts.labelSmoothing ?? 0;
  checkFloat(op, input);
  checkTensor(op, target, 'target');
  checkReduction(op, reduction);
  if (!(s >= 0 && s <= 1)) throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${s}`);
  if (input.ndim === 0) throw new RangeError(`${op}: input must be [N, C, ...] or [C], got a 0-d tensor`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  checkWeight(op, opts.weight, C);
  const sameShape = target.ndim === input.ndim && target.shape.every((d, i) => d === input.shape[i]);
  const logp = input.logSoftmax(classDim);
  const wShape = input.shape.map((d, i) => (i === classDim ? d : 1));
  const weight = opts.weight ?? null;

  if (sameShape) {
    // Class-probability targets.
    if (!isFloat(target.dtype)) {
      throw new TypeError(
        `${op}: a target of the input's shape ${fmt(input.shape)} holds class probabilities and must be floating point, got ${target.dtype}; class-index targets have shape ${fmt(input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)])}`,
      );
    }
    checkSameShape(op, input, target);
    const t = s > 0 ? target.mul(1 - s).add(s / C) : target;
    let prod = logp.mul(t);
    if (weight !== null) prod = prod.mul(weight.reshape(wShape));
    const each = prod.sum(classDim).neg();
    if (reduction === 'none') return each;
    if (reduction === 'sum') return each.sum();
    return each.sum().div(input.numel() / C);
  }

  if (target.dtype !== 'int32') {
    throw new TypeError(
      `${op}: class-index targets must be int32, got ${target.dtype} target of shape ${fmt(target.shape)} for input ${fmt(input.shape)}; class-probability targets must have the input's shape`,
    );
  }
  const b = batched(op, input, target);
  checkClasses(op, b.target, C, ignoreIndex, input);
  const lp = b.unbatched ? logp.unsqueeze(0) : logp;
  const { loss: nll, valid, safe } = nllIndex(lp, b.target, weight, ignoreIndex, reduction);
  if (s === 0) return b.unbatched && reduction === 'none' ? nll.squeeze(0) : nll;
  // Label smoothing, exactly as PyTorch: (1 - s) nll + s / C * smooth, where smooth is
  // -sum_c w_c logp_c per position, zero at ignored targets, and its mean is normalised by the
  // summed weights of the non-ignored targets (or their count without weights).
  const lw = weight === null ? lp : lp.mul(weight.reshape(b.unbatched ? [1, C] : wShape));
  const smoothEach = where(valid, lw.sum(1).neg(), 0);
  let smooth: Tensor;
  if (reduction === 'none') smooth = smoothEach;
  else if (reduction === 'sum') smooth = smoothEach.sum();
  else {
    const denom =
      weight === null
        ? valid.cast(input.dtype).sum()
        : weight.indexSelect(0, safe.reshape(-1)).mul(valid.reshape(-1).cast(input.dtype)).sum();
    smooth = smoothEach.sum().div(denom);
  }
  const loss = nll.mul(1 - s).add(smooth.mul(s / C));
  return b.unbatched && reduction === 'none' ? loss.squeeze(0) : loss;
}

export {
  type BceOptions,
  type BceWithLogitsOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
} from './bce.js';
