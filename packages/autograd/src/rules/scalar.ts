import type { DifferentiableBinaryOp, Tensor } from '@tessera/tensor';
import { div, where, zerosLike } from '@tessera/tensor';
import type { GradContext, GradRule } from '../rule.js';

// Gradient rules of the binary ops' scalar forms: `x.mul(0.5)`, `2 - x` record the op with the
// tensor as the only input and the number in the attrs (`scalar`, and `scalarFirst` = 1 when it is
// the left operand; see ScalarAttrs in @tessera/tensor). Each rule is the tensor-tensor rule with
// the scalar operand's gradient dropped and the scalar as a number; intermediate scalar
// arithmetic is rounded to the input's dtype as the 0-d operand's ops rounded it, so gradients
// stay bit-identical to the tensor-tensor form's. x: the tensor operand, y: the output.

/** Which forward tensors a scalar form's rule keeps: the input x, the output y. */
interface Save {
  readonly input?: boolean;
  readonly output?: boolean;
}

/**
 * A scalar form's rule: what it keeps for `x op s` and for `s op x` (x / s needs nothing, s / x
 * needs x), and the tensor operand's gradient.
 */
type ScalarGrad = readonly [
  { readonly right: Save; readonly left: Save },
  (g: Tensor, x: Tensor, y: Tensor, s: number, first: boolean, r: (v: number) => number) => Tensor,
];

const NONE: Save = {};
const X: Save = { input: true };
const both = (save: Save) => ({ right: save, left: save });

const HALF = 0.5;

/** Where `x` and the scalar tie, half the gradient (minimum/maximum split ties as PyTorch). */
const tieHalf = (g: Tensor, x: Tensor, s: number): Tensor => where(x.eq(s), g.mul(HALF), 0);

const SCALAR_RULES: { readonly [K in DifferentiableBinaryOp]: ScalarGrad } = {
  add: [both(NONE), (g) => g],
  sub: [both(NONE), (g, _x, _y, _s, first) => (first ? g.neg() : g)],
  mul: [both(NONE), (g, _x, _y, s) => g.mul(s)],
  // x / s: g / s; s / x: -g s / x².
  div: [
    { right: NONE, left: X },
    (g, x, _y, s, first) => (first ? g.mul(s).div(x.square()).neg() : g.div(s)),
  ],
  // x ^ s: s x^(s-1) (0 where s == 0); s ^ x: s^x ln s (0 where s == 0 and x >= 0).
  pow: [
    { right: X, left: { input: true, output: true } },
    (g, x, y, s, first, r) => {
      if (!first) return s === 0 ? zerosLike(g) : g.mul(s).mul(x.pow(r(r(s) - 1)));
      const grad = g.mul(y).mul(r(Math.log(r(s))));
      return s === 0 ? where(x.ge(0), 0, grad) : grad;
    },
  ],
  // remainder(a, b) = a - floor(a / b) * b.
  remainder: [{ right: NONE, left: X }, (g, x, _y, s, first) => (first ? g.mul(div(s, x).floor()).neg() : g)],
  maximum: [both(X), (g, x, _y, s) => where(x.gt(s), g, tieHalf(g, x, s))],
  minimum: [both(X), (g, x, _y, s) => where(x.lt(s), g, tieHalf(g, x, s))],
  // atan2(a, b): d/da = b / (a² + b²), d/db = -a / (a² + b²).
  atan2: [
    both(X),
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

/** The gradient rules of op `name`'s scalar forms: `x op s` and `s op x`. */
export function scalarGradRules(name: DifferentiableBinaryOp): { scalar: GradRule; scalarFirst: GradRule } {
  const [save, f] = SCALAR_RULES[name];
  const ruleFor = (first: boolean): GradRule => {
    const { input = false, output = false } = first ? save.left : save.right;
    return {
      saveInputs: input,
      saveOutputs: output,
      backward(ctx: GradContext, g: Tensor) {
        if (!ctx.needsInputGrad(0)) return [null];
        const none = undefined as unknown as Tensor;
        const x = input ? ctx.input(0) : none;
        const y = output ? ctx.output(0) : none;
        return [f(g, x, y, ctx.attrs.scalar as number, first, rounder(ctx.inputDtype(0)))];
      },
    };
  };
  return { scalar: ruleFor(false), scalarFirst: ruleFor(true) };
}
