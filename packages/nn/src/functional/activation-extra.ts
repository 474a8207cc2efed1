import { type Tensor, where } from '@tessera/tensor';
import { checkFloat, checkTensor, fmt } from './util.js';

// More of torch.nn.functional's activations, each a composite of tensor ops so that autograd
// differentiates them; the masks use `where` so that gradients at the kinks match PyTorch's.

/** Checks an integer dim of `x` and returns it non-negative. */
function normDim(op: string, x: Tensor, dim: number): number {
  if (!Number.isInteger(dim) || dim < -Math.max(x.ndim, 1) || dim >= Math.max(x.ndim, 1)) {
    throw new RangeError(`${op}: dim ${JSON.stringify(dim)} is out of range for shape ${fmt(x.shape)}`);
  }
  return dim < 0 ? dim + x.ndim : dim;
}

/**
 * min(max(x, minVal), maxVal) (PyTorch's F.hardtanh, defaults -1 and 1); the gradient is 1
 * strictly inside (minVal, maxVal) and 0 elsewhere, as PyTorch's.
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  checkTensor('hardtanh', x);
  if (typeof minVal !== 'number' || typeof maxVal !== 'number' || !(minVal <= maxVal)) {
    throw new RangeError(`hardtanh: minVal ${minVal} must be a number <= maxVal ${maxVal}`);
  }
  return where(x.le(minVal), minVal, where(x.ge(maxVal), maxVal, x));
}

/** min(max(x, 0), 6) (PyTorch's F.relu6). */
export function relu6(x: Tensor): Tensor {
  checkTensor('relu6', x);
  return hardtanh(x, 0, 6);
}

/** x * relu6(x + 3) / 6 (PyTorch's F.hardswish, MobileNetV3). */
export function hardswish(x: Tensor): Tensor {
  checkFloat('hardswish', x);
  // PyTorch's gradient is x/3 + 1/2 on the closed interval [-3, 3], so the masks are strict.
  const mid = x.mul(x.add(3)).div(6);
  return where(x.lt(-3), 0, where(x.gt(3), x, mid));
}

/** relu6(x + 3) / 6 (PyTorch's F.hardsigmoid). */
export function hardsigmoid(x: Tensor): Tensor {
  checkFloat('hardsigmoid', x);
  return where(x.le(-3), 0, where(x.ge(3), 1, x.div(6).add(0.5)));
}

/** x * tanh(softplus(x)) (PyTorch's F.mish). */
export function mish(x: Tensor): Tensor {
  checkFloat('mish', x);
  return x.mul(x.softplus().tanh());
}

/** log(sigmoid(x)) = -softplus(-x), computed stably (PyTorch's F.logsigmoid). */
export function logsigmoid(x: Tensor): Tensor {
  checkFloat('logsigmoid', x);
  return x.neg().softplus().neg();
}

/** x / (1 + |x|) (PyTorch's F.softsign). */
export function softsign(x: Tensor): Tensor {
  checkFloat('softsign', x);
  return x.div(x.abs().add(1));
}

/** softmax(-x) along `dim` (PyTorch's F.softmin). */
export function softmin(x: Tensor, dim: number): Tensor {
  checkFloat('softmin', x);
  return x.neg().softmax(normDim('softmin', x, dim));
}

/**
 * Gated linear unit (PyTorch's F.glu): splits x in halves a, b along `dim` (default -1) and
 * returns a * sigmoid(b). The size along `dim` must be even.
 */
export function glu(x: Tensor, dim = -1): Tensor {
  checkFloat('glu', x);
  if (x.ndim === 0) throw new RangeError('glu: input must have at least one dimension, got a scalar');
  const d = normDim('glu', x, dim);
  const n = x.shape[d]!;
  if (n % 2 !== 0) {
    throw new RangeError(`glu: size ${n} of dim ${dim} must be even (input shape ${fmt(x.shape)})`);
  }
  return x.narrow(d, 0, n / 2).mul(x.narrow(d, n / 2, n / 2).sigmoid());
}

/**
 * Parametric ReLU (PyTorch's F.prelu): x for x > 0, weight * x otherwise. `weight` has one
 * element, or one per channel (dim 1 of x; 0-D and 1-D inputs have one channel).
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkFloat('prelu', x);
  checkFloat('prelu', weight, 'weight');
  const n = weight.numel();
  // As PyTorch: the channels are dim 1; inputs with fewer dims have a single channel.
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  if (weight.ndim > 1 || (n !== 1 && n !== channels)) {
    throw new RangeError(
      `prelu: weight shape ${fmt(weight.shape)} must have 1 element or one per channel (${channels}) of input shape ${fmt(x.shape)}`,
    );
  }
  let w = weight.reshape(n);
  if (n !== 1 && x.ndim >= 2) w = w.reshape([n, ...new Array<number>(x.ndim - 2).fill(1)]);
  else if (n === 1 && x.ndim === 0) w = w.reshape([]);
  return where(x.gt(0), x, x.mul(w));
}
