import type { UnaryOp } from '../backend.js';
import { sigmoid } from './math.js';

// Contiguous float32 loops for the unary ops a training step runs most (optimizer square roots,
// softmax exponentials, activations). `unaryRow` in elementwise.ts serves every dtype and stride,
// so V8 compiles its element accesses for several array types at once; these loops see only
// Float32Array and stride 1, which V8 runs about twice as fast. Same formulas as `unaryRow`, so
// the stored results are identical.

/**
 * o[i] = op(x[i]) for i < n on zero-based float32 arrays; returns false for ops it does not
 * specialise (the caller then runs the general loop).
 */
export function unaryF32(op: UnaryOp, o: Float32Array, x: Float32Array, n: number): boolean {
  switch (op) {
    case 'sqrt':
      for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]!);
      return true;
    case 'rsqrt':
      for (let i = 0; i < n; i++) o[i] = 1 / Math.sqrt(x[i]!);
      return true;
    case 'exp':
      for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]!);
      return true;
    case 'log':
      for (let i = 0; i < n; i++) o[i] = Math.log(x[i]!);
      return true;
    case 'neg':
      for (let i = 0; i < n; i++) o[i] = -x[i]!;
      return true;
    case 'abs':
      for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]!);
      return true;
    case 'square':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        o[i] = v * v;
      }
      return true;
    case 'reciprocal':
      for (let i = 0; i < n; i++) o[i] = 1 / x[i]!;
      return true;
    case 'tanh':
      for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]!);
      return true;
    case 'sigmoid':
      for (let i = 0; i < n; i++) o[i] = sigmoid(x[i]!);
      return true;
    default:
      return false;
  }
}
