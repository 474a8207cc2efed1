import type { Tensor } from '@tessera/tensor';
import { registerGradRule as rule } from '../rule.js';

// Gradient rules of the inverse-trigonometric and hyperbolic ops and log10, written with tensor
// ops so that they differentiate again. x: the saved input, g: the output's gradient.

const LN10 = Math.LN10;

function unaryX(name: string, f: (g: Tensor, x: Tensor) => Tensor): void {
  rule(name, { saveInputs: true, backward: (ctx, g) => [f(g, ctx.input(0))] });
}

unaryX('asin', (g, x) => g.mul(x.square().neg().add(1).rsqrt()));
unaryX('acos', (g, x) => g.mul(x.square().neg().add(1).rsqrt()).neg());
unaryX('atan', (g, x) => g.div(x.square().add(1)));
unaryX('sinh', (g, x) => g.mul(x.cosh()));
unaryX('cosh', (g, x) => g.mul(x.sinh()));
unaryX('asinh', (g, x) => g.mul(x.square().add(1).rsqrt()));
unaryX('acosh', (g, x) => g.mul(x.square().sub(1).rsqrt()));
unaryX('atanh', (g, x) => g.div(x.square().neg().add(1)));
unaryX('log10', (g, x) => g.div(x.mul(LN10)));
