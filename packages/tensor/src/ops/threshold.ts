import { runOp } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import { fmt, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastView } from './elementwise.js';
import { THRESHOLD_BACKWARD_OP } from './nn-decls.js';
import { checkTensor, emptyOut, sameBackend, scalarOn } from './util.js';

/**
 * The gradient of `threshold` and `relu` (PyTorch's `threshold_backward`): `grad` where
 * `input > threshold`, 0 elsewhere (NaN in `input` passes `grad`). For relu, pass its output as
 * `input` with threshold 0. `grad` and `input` must have the same shape and floating dtype.
 * Differentiable with respect to `grad`.
 */
export function thresholdBackward(grad: Tensor, input: Tensor, threshold: number): Tensor {
  const op = 'thresholdBackward';
  checkTensor(op, grad, 'grad');
  checkTensor(op, input, 'input');
  if (typeof threshold !== 'number')
    throw new TypeError(`${op}: threshold must be a number, got ${typeof threshold}`);
  if (!shapesEqual(grad.shape, input.shape)) {
    throw new RangeError(
      `${op}: grad ${fmt(grad.shape)} and input ${fmt(input.shape)} must have the same shape`,
    );
  }
  if (!isFloating(grad.dtype) || grad.dtype !== input.dtype) {
    throw new TypeError(
      `${op}: grad and input must have the same floating dtype, got ${grad.dtype} and ${input.dtype}`,
    );
  }
  const be = sameBackend(op, grad, input);
  return runOp(THRESHOLD_BACKWARD_OP, [grad, input], { threshold }, () => {
    const out = emptyOut(be, grad.dtype, grad.shape);
    if (out.numel() === 0) return out;
    const o = out.viewFor(op);
    if (be.thresholdBackward !== undefined) {
      be.thresholdBackward(o, grad.viewFor(op), input.viewFor(op), threshold);
      return out;
    }
    // From primitives: mask = input <= threshold, out = mask ? 0 : grad.
    const t = scalarOn(be, threshold, input.dtype, op);
    const zero = scalarOn(be, 0, grad.dtype, op);
    const mask = emptyOut(be, 'bool', grad.shape);
    const m = mask.viewFor(op);
    be.binary('le', m, input.viewFor(op), broadcastView(op, t, grad.shape));
    be.where(o, m, broadcastView(op, zero, grad.shape), grad.viewFor(op));
    for (const x of [t, zero, mask]) x.dispose();
    return out;
  });
}
