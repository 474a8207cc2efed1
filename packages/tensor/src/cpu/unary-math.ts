import type { UnaryOp } from '../backend.js';
import type { TypedArray } from '../dtype.js';

// Inverse-trigonometric and hyperbolic unary kernels, log10 and isinf: kept apart from
// elementwise.ts so that file stays small. Same row contract as `unaryRow` there (strided output
// and input, `oo !== end` because the output step may be negative).

/**
 * Runs one row of `op` if it is one of this file's ops; returns false otherwise (the caller then
 * reports an unknown op).
 */
export function mathRow(
  op: UnaryOp,
  o: TypedArray,
  oo: number,
  so: number,
  x: TypedArray,
  xo: number,
  sx: number,
  n: number,
): boolean {
  const end = oo + n * so;
  switch (op) {
    case 'asin':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.asin(x[xo]!);
      return true;
    case 'acos':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.acos(x[xo]!);
      return true;
    case 'atan':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.atan(x[xo]!);
      return true;
    case 'sinh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.sinh(x[xo]!);
      return true;
    case 'cosh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.cosh(x[xo]!);
      return true;
    case 'asinh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.asinh(x[xo]!);
      return true;
    case 'acosh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.acosh(x[xo]!);
      return true;
    case 'atanh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.atanh(x[xo]!);
      return true;
    case 'log10':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.log10(x[xo]!);
      return true;
    case 'isinf':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY ? 1 : 0;
      }
      return true;
    default:
      return false;
  }
}
