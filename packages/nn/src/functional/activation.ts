import type { Tensor } from '@tessera/tensor';
import { checkTensor } from './util.js';

// Activation functions (PyTorch's torch.nn.functional names, camelCased). Each is one tensor op
// (or a short composition), so autograd differentiates them with the tensor package's rules.

/** SELU's alpha (Klambauer et al., 2017), as in PyTorch. */
export const SELU_ALPHA = 1.6732632423543772;
/** SELU's scale, as in PyTorch. */
export const SELU_SCALE = 1.0507009873554805;

/** max(0, x). */
export function relu(x: Tensor): Tensor {
  return checkTensor('relu', x).relu();
}

/** x for x > 0, negativeSlope * x otherwise (default slope: `LEAKY_RELU_OP.attrs.alpha`, 0.01). */
export function leakyRelu(x: Tensor, negativeSlope?: number): Tensor {
  return checkTensor('leakyRelu', x).leakyRelu(negativeSlope);
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise (default alpha: `ELU_OP.attrs.alpha`, 1). */
export function elu(x: Tensor, alpha?: number): Tensor {
  return checkTensor('elu', x).elu(alpha);
}

/** scale * elu(x, alpha) with SELU's fixed constants (self-normalising networks). */
export function selu(x: Tensor): Tensor {
  return checkTensor('selu', x).elu(SELU_ALPHA).mul(SELU_SCALE);
}

/** Gaussian error linear unit: x * Phi(x), exact (erf) or with the tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  return checkTensor('gelu', x).gelu(approximate);
}

/** x * sigmoid(x) (also called swish). */
export function silu(x: Tensor): Tensor {
  return checkTensor('silu', x).silu();
}

/** 1 / (1 + exp(-x)). */
export function sigmoid(x: Tensor): Tensor {
  return checkTensor('sigmoid', x).sigmoid();
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return checkTensor('tanh', x).tanh();
}

/**
 * log(1 + exp(beta * x)) / beta; linear where beta * x > threshold (for stability). Defaults:
 * the `SOFTPLUS_OP` declaration's (beta 1, threshold 20).
 */
export function softplus(x: Tensor, beta?: number, threshold?: number): Tensor {
  return checkTensor('softplus', x).softplus(beta, threshold);
}

/** exp(x) / sum(exp(x)) along `dim`, computed stably. */
export function softmax(x: Tensor, dim: number): Tensor {
  return checkTensor('softmax', x).softmax(dim);
}

/** log(softmax(x)) along `dim`, computed stably in one fused op. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return checkTensor('logSoftmax', x).logSoftmax(dim);
}
