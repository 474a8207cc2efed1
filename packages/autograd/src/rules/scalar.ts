import type { DifferentiableBinaryOp, Tensor } from '@tessera/tensor';
import { div, where, zerosLike } from '@tessera/tensor';
import type { GradContext, GradRule } from '../rule.js';

// Gradient rules of the binary ops' scalar forms: `x.mul(0.5)`, `2 - x` record the op with the
// tensor as the only input and the number in the attrs (`scalar`, and `scalarFirst` = 1 when it is
// the left operand; see ScalarAttrs in @tessera/tensor). Each rule is the tensor-tensor rule with
// the scalar operand's gradient dropped and the scalar as a number; intermediate scalar
// arithmetic is rounded to the input's dtype as the 0-d operand's ops rounded it, so gradients
// stay bit-identical to the tensor-tensor form's. x: the tensor operand, y: the output.

/** Which forward tensors a scalar rule reads, and the tensor operand's gradient. */
type ScalarGrad = readonly [
  { readonly input?: boolean; readonly output?: boolean },
  (g: Tensor, x: Tensor, y: Tensor, s: number, first: boolean, r: (v: number) => number) => Tensor,
];

const HALF = 0.5;

/** Where `x` and the scalar tie, half the gradient (minimum/maximum split ties as PyTorch). */
const tieHalf = (g: Tensor, x: Tensor, s: number): Tensor => where(x.eq(s), g.mul(HALF), 0);

const SCALAR_RULES: { readonly [K in DifferentiableBinaryOp]: ScalarGrad } = {
  add: [{}, (g) => g],
  sub: [{}, (g, _x, _y, _s, first) => (first ? g.neg() : g)],
  mul: [{}, (g, _x, _y, s) => g.mul(s)],
  // x / s: g / s; s / x: -g s / x².
  div: [{ input: true }, (g, x, _y, s, first) => (first ? g.mul(s).div(x.square()).neg() : g.div(s))],
  // x ^ s: s x^(s-1) (0 where s == 0); s ^ x: s^x ln s (0 where s == 0 and x >= 0).
  pow: [
    { input: true, output: true },
    (g, x, y, s, first, r) => {
      if (!first) return s === 0 ? zerosLike(g) : g.mul(s).mul(x.pow(r(r(s) - 1)));
      const grad = g.mul(y).mul(r(Math.log(r(s))));
      return s === 0 ? where(x.ge(0), 0, grad) : grad;
    },
  ],
  // remainder(a, b) = a - floor(a / b) * b.
  remainder: [{ input: true }, (g, x, _y, s, first) => (first ? g.mul(div(s, x).floor()).neg() : g)],
  maximum: [{ input: true }, (g, x, _y, s) => where(x.gt(s), g, tieHalf(g, x, s))],
  minimum: [{ input: true }, (g, x, _y, s) => where(x.lt(s), g, tieHalf(g, x, s))],
  // atan2(a, b): d/da = b / (a² + b²), d/db = -a / (a² + b²).
  atan2: [
    { input: true },
    (g, x, _y, s, first, r) => {
      const den = x.square().add(r(r(s) * r(s)));
      return first ? g.mul(s).div(den).neg() : g.mul(s).div(den);
    },
  ],
};

/** Rounds a double to `dtype` as a 0-d operand of it would hold it. */
function rounder(dtype: string): (v: number) => number {
  return dtype === 'float32' ? Math.fround : (v) => v;
}

/** The gradient rule of op `name`'s scalar form. */
export function scalarGradRule(name: DifferentiableBinaryOp): GradRule {
  const [save, f] = SCALAR_RULES[name];
  return {
    saveInputs: save.input === true,
    saveOutputs: save.output === true,
    backward(ctx: GradContext, g: Tensor) {
      if (!ctx.needsInputGrad(0)) return [null];
      const none = undefined as unknown as Tensor;
      const x = save.input ? ctx.input(0) : none;
      const y = save.output ? ctx.output(0) : none;
      const s = ctx.attrs.scalar as number;
      return [f(g, x, y, s, ctx.attrs.scalarFirst === 1, rounder(ctx.inputDtype(0)))];
    },
  };
}
