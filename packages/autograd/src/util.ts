import { formatShape as fmt, type Tensor } from '@tessera/tensor';

// From the backend kit: `fmt` formats a shape as `[2,3]`, `isFloatDType` says whether a dtype
// carries gradients, `sameShape` whether two shapes are equal.
export { formatShape as fmt, isFloating as isFloatDType, sameShape } from '@tessera/tensor';

/** A short description of a tensor for error messages. */
export function describeTensor(t: Tensor): string {
  return `tensor of shape ${fmt(t.shape)} (${t.dtype})`;
}
