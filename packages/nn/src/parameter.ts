import '@tessera/autograd';
import { Tensor } from '@tessera/tensor';

/**
 * A tensor that is a module's learnable weight: it requires grad and is registered by the module
 * that holds it. Shares storage with the tensor it wraps (no copy).
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError('Parameter: data must be a tensor');
    super(data.storage('Parameter'), data.shape, data.strides, data.offset);
    this.requiresGrad_(requiresGrad);
  }
}
