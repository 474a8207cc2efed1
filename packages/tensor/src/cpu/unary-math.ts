import type { TypedArray } from '../dtype.js';

// Inverse-trigonometric and hyperbolic unary kernels, log10, sinc, rounding without ties and the
// boolean predicates: kept apart from elementwise.ts so that file stays small. Same row contract as
// `unaryRow` there (strided output and input, `oo !== end` because the output step may be negative).

/** The unary ops whose kernels live in this file (the rest are in elementwise.ts). */
export type MathUnaryOp =
  | 'asin'
  | 'acos'
  | 'atan'
  | 'sinh'
  | 'cosh'
  | 'asinh'
  | 'acosh'
  | 'atanh'
  | 'log10'
  | 'isinf'
  | 'sinc'
  | 'floor'
  | 'ceil'
  | 'trunc'
  | 'not'
  | 'isnan'
  | 'isfinite';

/** Runs one row of `op`; the switch is exhaustive over `MathUnaryOp` (checked by the compiler). */
export function mathRow(
  op: MathUnaryOp,
  o: TypedArray,
  oo: number,
  so: number,
  x: TypedArray,
  xo: number,
  sx: number,
  n: number,
): void {
  const end = oo + n * so;
  switch (op) {
    case 'asin':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.asin(x[xo]!);
      return;
    case 'acos':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.acos(x[xo]!);
      return;
    case 'atan':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.atan(x[xo]!);
      return;
    case 'sinh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.sinh(x[xo]!);
      return;
    case 'cosh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.cosh(x[xo]!);
      return;
    case 'asinh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.asinh(x[xo]!);
      return;
    case 'acosh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.acosh(x[xo]!);
      return;
    case 'atanh':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.atanh(x[xo]!);
      return;
    case 'log10':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.log10(x[xo]!);
      return;
    case 'isinf':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY ? 1 : 0;
      }
      return;
    case 'sinc':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v);
      }
      return;
    case 'floor':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.floor(x[xo]!);
      return;
    case 'ceil':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.ceil(x[xo]!);
      return;
    case 'trunc':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Math.trunc(x[xo]!);
      return;
    case 'not':
      for (; oo !== end; oo += so, xo += sx) o[oo] = x[xo]! === 0 ? 1 : 0;
      return;
    case 'isnan':
      for (; oo !== end; oo += so, xo += sx) {
        const v = x[xo]!;
        o[oo] = Number.isNaN(v) ? 1 : 0;
      }
      return;
    case 'isfinite':
      for (; oo !== end; oo += so, xo += sx) o[oo] = Number.isFinite(x[xo]!) ? 1 : 0;
      return;
    default: {
      const missing: never = op;
      throw new Error(`cpu unary: unknown op '${missing as string}'`);
    }
  }
}
