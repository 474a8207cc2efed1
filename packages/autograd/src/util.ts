import type { Tensor } from '@tessera/tensor';

/** Formats a shape as `[2,3]` for error messages. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Whether a dtype carries gradients. */
export function isFloatDType(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A short description of a tensor for error messages. */
export function describeTensor(t: Tensor): string {
  return `tensor of shape ${fmt(t.shape)} (${t.dtype})`;
}
