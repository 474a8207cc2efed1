import type { Tensor } from '@tessera/tensor';

// What the optimizers' updates share. The updates themselves are written with the tensors'
// in-place methods and JS-number operands, as PyTorch's `_single_tensor_*` functions read: a number
// is a kernel attribute, so `p.mul_(1 - lr * wd)` makes no tensor; each update disposes the
// temporaries it creates, so a step leaves no tensors behind but the ones kept in the state.

/**
 * The gradient an update uses: `grad`, negated when maximising, plus `weightDecay * value`
 * (PyTorch's coupled L2 penalty). A result other than `grad` is a new tensor the caller disposes.
 */
export function effectiveGrad(value: Tensor, grad: Tensor, maximize: boolean, weightDecay: number): Tensor {
  if (weightDecay === 0) return maximize ? grad.neg() : grad;
  // (±grad) + wd * value, computed as wd * value ± grad (IEEE addition is commutative).
  const g = value.mul(weightDecay);
  if (maximize) g.sub_(grad);
  else g.add_(grad);
  return g;
}
