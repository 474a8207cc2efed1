import { type DType, empty } from '@tessera/tensor';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Parameter } from '../parameter.js';

/** Where a layer creates its parameters (PyTorch's factory kwargs). */
export interface FactoryOptions {
  /** Floating dtype of the parameters (default float32). */
  dtype?: DType;
  /** Backend of the parameters (default: the current one). */
  device?: string;
}

/** A new (uninitialised) parameter of `shape`; the layer initialises it in `resetParameters`. */
export function newParameter(shape: readonly number[], opts: FactoryOptions = {}): Parameter {
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`Parameter: parameters must have a floating dtype, got ${dtype}`);
  }
  return new Parameter(empty(shape, { dtype, device: opts.device }));
}

/**
 * PyTorch's default initialisation of a convolution's parameters: kaiming_uniform_(a = sqrt 5) on
 * the weight, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
 */
export function resetConvParameters(weight: Parameter, bias: Parameter | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
