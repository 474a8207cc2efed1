import { type DType, empty } from '@tessera/tensor';
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
