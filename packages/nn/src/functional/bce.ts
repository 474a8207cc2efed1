import { defineFunction, type FunctionContext } from '@tessera/autograd';
import { checkOptions, maximum, type Tensor, where } from '@tessera/tensor';
import { BCE, BCE_LOGITS } from '../option-specs.js';
import type { ReductionOptions } from './loss-regression.js';
import { checkFloat, checkReduction, checkSameShape, fmt, readable, reduce } from './util.js';

/** Options of F.binaryCrossEntropy. */
export interface BceOptions extends ReductionOptions {
  /** Weight of each element's loss, broadcast to the input's shape. */
  weight?: Tensor | null;
}

/** Options of F.binaryCrossEntropyWithLogits. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term, broadcast along the last (class) dim: > 1 favours recall. */
  posWeight?: Tensor | null;
}

/** log(p) clamped to >= -100 (as PyTorch's BCE), with a zero (not NaN) gradient where p <= 0. */
function clampedLog(p: Tensor): Tensor {
  const pos = p.gt(0);
  return where(pos, where(pos, p, 1).log(), -100).clamp(-100);
}

/**
 * The unreduced, unweighted BCE with PyTorch's gradients: the loss uses the clamped logs, but
 * d/dp is (p - t) / max(p (1 - p), 1e-12), not the derivative of the clamped logs (which is 0
 * for a saturated wrong prediction and unbounded for tiny p); d/dt is log(1 - p) - log(p), clamped.
 */
const bceElementwise = defineFunction({
  name: 'BinaryCrossEntropy',
  forward(ctx: FunctionContext, p: Tensor, t: Tensor): Tensor {
    ctx.saveForBackward(p, t);
    return t
      .mul(clampedLog(p))
      .add(
        t
          .neg()
          .add(1)
          .mul(clampedLog(p.neg().add(1))),
      )
      .neg();
  },
  backward(ctx: FunctionContext, g: Tensor): (Tensor | null)[] {
    const [p, t] = ctx.savedTensors as [Tensor, Tensor];
    const gp = ctx.needsInputGrad(0) ? g.mul(p.sub(t)).div(maximum(p.mul(p.neg().add(1)), 1e-12)) : null;
    const gt = ctx.needsInputGrad(1) ? g.mul(clampedLog(p.neg().add(1)).sub(clampedLog(p))) : null;
    return [gp, gt];
  },
});

/** PyTorch's check: BCE is defined for probabilities only (NaN included in the error). */
function checkProbabilities(op: string, p: Tensor): void {
  if (!readable(p)) return;
  const v = p.dataSync();
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!(x >= 0 && x <= 1)) {
      throw new RangeError(
        `${op}: all elements of input should be between 0 and 1, got ${x} at flat index ${i} of input with shape ${fmt(p.shape)} (for logits use binaryCrossEntropyWithLogits)`,
      );
    }
  }
}

/**
 * Binary cross entropy on probabilities (PyTorch's F.binary_cross_entropy):
 * -w (y log x + (1 - y) log(1 - x)), each log clamped to >= -100 so that the loss stays finite;
 * the gradient is PyTorch's (x - y) / max(x (1 - x), 1e-12). Inputs outside [0, 1] are an error
 * (checked where the values can be read synchronously, i.e. on the CPU).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  checkOptions(op, opts, BCE);
  const reduction = opts.reduction ?? 'mean';
  checkFloat(op, input);
  checkFloat(op, target, 'target');
  checkSameShape(op, input, target);
  checkReduction(op, reduction);
  checkProbabilities(op, input);
  let loss = bceElementwise(input, target);
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, reduction);
}

/**
 * Binary cross entropy on logits (PyTorch's F.binary_cross_entropy_with_logits), in the stable
 * form (1 - y) x + (1 + (pw - 1) y) (log(1 + exp(-|x|)) + max(-x, 0)), with optional
 * `posWeight` pw (along the last dim) and elementwise `weight`. Both kinks (|x| and max(-x, 0))
 * take the x >= 0 branch at x = 0, so the gradient is (1 + (pw - 1) y) σ(x) - pw y at every x,
 * including 0 (where the two one-sided slopes would otherwise cancel to 0).
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: BceWithLogitsOptions = {},
): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkOptions(op, opts, BCE_LOGITS);
  const reduction = opts.reduction ?? 'mean';
  checkFloat(op, input);
  checkFloat(op, target, 'target');
  checkSameShape(op, input, target);
  checkReduction(op, reduction);
  const nonNeg = input.ge(0);
  const negAbs = where(nonNeg, input.neg(), input); // -|x|, slope -1 at 0
  const reluNeg = where(nonNeg, 0, input.neg()); // max(-x, 0), slope 0 at 0
  const softplusNeg = negAbs.exp().log1p().add(reluNeg); // log(1 + exp(-x))
  const oneMinusY = target.neg().add(1);
  let loss: Tensor;
  if (opts.posWeight) {
    const pw = checkFloat(op, opts.posWeight, 'posWeight');
    const last = input.shape[input.ndim - 1];
    if (pw.ndim > 1 || (pw.ndim === 1 && pw.shape[0] !== last && pw.shape[0] !== 1)) {
      throw new RangeError(
        `${op}: posWeight must be a 0-d or 1-d tensor of size 1 or ${last} (one weight per class, the last dim of input ${fmt(input.shape)}), got shape ${fmt(pw.shape)}`,
      );
    }
    const logWeight = pw.sub(1).mul(target).add(1);
    loss = oneMinusY.mul(input).add(logWeight.mul(softplusNeg));
  } else loss = oneMinusY.mul(input).add(softplusNeg);
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, reduction);
}
