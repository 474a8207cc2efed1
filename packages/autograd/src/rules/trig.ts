import { type Tensor, where } from '@tessera/tensor';

// Gradient rules of the inverse-trigonometric and hyperbolic ops and log10, written with tensor
// ops so that they differentiate again. x: the saved input, g: the output's gradient. The rows
// join elementwise.ts's table, which the compiler checks for completeness.

const LN10 = Math.LN10;

/** The ops of this file, each reading the saved input x. */
export const TRIG_RULES = {
  asin: ['x', (g: Tensor, x: Tensor) => g.mul(x.square().neg().add(1).rsqrt())],
  acos: ['x', (g: Tensor, x: Tensor) => g.mul(x.square().neg().add(1).rsqrt()).neg()],
  atan: ['x', (g: Tensor, x: Tensor) => g.div(x.square().add(1))],
  sinh: ['x', (g: Tensor, x: Tensor) => g.mul(x.cosh())],
  cosh: ['x', (g: Tensor, x: Tensor) => g.mul(x.sinh())],
  asinh: ['x', (g: Tensor, x: Tensor) => g.mul(x.square().add(1).rsqrt())],
  acosh: ['x', (g: Tensor, x: Tensor) => g.mul(x.square().sub(1).rsqrt())],
  atanh: ['x', (g: Tensor, x: Tensor) => g.div(x.square().neg().add(1))],
  log10: ['x', (g: Tensor, x: Tensor) => g.div(x.mul(LN10))],
  // sinc'(x) = (cos(πx) - sinc(x)) / x, 0 at x = 0; x = 0 is swapped for 1 before dividing, so
  // that the branch where() discards has no 0/0 to poison double backward.
  sinc: [
    'x',
    (g: Tensor, x: Tensor) => {
      const zero = x.eq(0);
      const xs = where(zero, 1, x);
      return g.mul(where(zero, 0, xs.mul(Math.PI).cos().sub(xs.sinc()).div(xs)));
    },
  ],
} as const;
