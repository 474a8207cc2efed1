import {
  type AttrsOf,
  type DifferentiableBinaryOp,
  type DifferentiableUnaryOp,
  type Tensor,
  thresholdBackward,
  type UnaryDecl,
  type UnaryOp,
  where,
} from '@tessera/tensor';
import { registerGradRule as rule } from '../rule.js';
import { scalarGradRules } from './scalar.js';
import { TRIG_RULES } from './trig.js';
import { sumToShape, zerosForInput } from './util.js';

// Gradient rules of elementwise ops. Binary ops broadcast, so each operand's gradient is summed
// back to its shape. x: input, y: output, g: gradient of the output.

const LN2 = Math.LN2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/** Which forward tensors a unary rule reads: the input x, the output y, both or neither. */
type Use = 'x' | 'y' | 'xy' | 'none';

/** A unary op's gradient: the input's from (g, x, y) and the call's attrs (typed by the decl). */
type UnaryGrad<K extends UnaryOp> = readonly [
  Use,
  (g: Tensor, x: Tensor, y: Tensor, attrs: AttrsOf<UnaryDecl<K>>) => Tensor,
];

/** Piecewise-constant functions: zero gradient almost everywhere (as PyTorch). */
const ZERO: readonly [Use, (g: Tensor) => Tensor] = ['none', (g) => g.mul(0)];

/**
 * The gradient of every differentiable built-in unary op, keyed by the declarations' names: the
 * compiler reports an op without one (the inverse-trigonometric and hyperbolic rows are in
 * trig.ts).
 */
const UNARY_RULES: { readonly [K in DifferentiableUnaryOp]: UnaryGrad<K> } = {
  ...TRIG_RULES,
  neg: ['none', (g) => g.neg()],
  abs: ['x', (g, x) => g.mul(x.sign())],
  exp: ['y', (g, _x, y) => g.mul(y)],
  exp2: ['y', (g, _x, y) => g.mul(y).mul(LN2)],
  log: ['x', (g, x) => g.div(x)],
  log2: ['x', (g, x) => g.div(x.mul(LN2))],
  log1p: ['x', (g, x) => g.div(x.add(1))],
  expm1: ['y', (g, _x, y) => g.mul(y.add(1))],
  sqrt: ['y', (g, _x, y) => g.div(y.mul(2))],
  rsqrt: ['y', (g, _x, y) => g.mul(y.pow(3)).mul(-0.5)],
  square: ['x', (g, x) => g.mul(x.mul(2))],
  sin: ['x', (g, x) => g.mul(x.cos())],
  cos: ['x', (g, x) => g.mul(x.sin()).neg()],
  tan: ['y', (g, _x, y) => g.mul(y.square().add(1))],
  tanh: ['y', (g, _x, y) => g.mul(y.square().neg().add(1))],
  sigmoid: ['y', (g, _x, y) => g.mul(y.mul(y.neg().add(1)))],
  erf: ['x', (g, x) => g.mul(x.square().neg().exp().mul(TWO_OVER_SQRT_PI))],
  reciprocal: ['y', (g, _x, y) => g.mul(y.square()).neg()],
  // relu: PyTorch's threshold_backward on the output (gradient 0 at x = 0).
  relu: ['y', (g, _x, y) => thresholdBackward(g, y, 0)],
  leakyRelu: ['x', (g, x, _y, a) => where(x.gt(0), g, g.mul(a.alpha))],
  // elu: for x <= 0, y = alpha (e^x - 1), so dy/dx = y + alpha.
  elu: ['xy', (g, x, y, a) => where(x.gt(0), g, g.mul(y.add(a.alpha)))],
  gelu: [
    'x',
    (g, x) => {
      const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
      const pdf = x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
      return g.mul(cdf.add(x.mul(pdf)));
    },
  ],
  geluTanh: ['x', geluTanhGrad],
  silu: [
    'x',
    (g, x) => {
      const s = x.sigmoid();
      return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
    },
  ],
  // softplus: linear (gradient 1) where beta * x > threshold, as in the forward.
  softplus: [
    'x',
    (g, x, _y, a) => {
      const z = x.mul(a.beta);
      return where(z.gt(a.threshold), g, g.mul(z.sigmoid()));
    },
  ],
  // clamp: the gradient passes where min <= x <= max (boundaries included, as PyTorch).
  clamp: ['x', (g, x, _y, a) => where(x.ge(a.min).and(x.le(a.max)), g, 0)],
  sign: ZERO,
  floor: ZERO,
  ceil: ZERO,
  round: ZERO,
  trunc: ZERO,
};

function geluTanhGrad(g: Tensor, x: Tensor): Tensor {
  const x2 = x.square();
  const t = x.add(x.mul(x2).mul(GELU_C)).mul(SQRT_2_OVER_PI).tanh();
  const du = x2
    .mul(3 * GELU_C)
    .add(1)
    .mul(SQRT_2_OVER_PI);
  const d = t
    .add(1)
    .mul(0.5)
    .add(x.mul(0.5).mul(t.square().neg().add(1)).mul(du));
  return g.mul(d);
}

for (const [name, [use, f]] of Object.entries(UNARY_RULES) as [UnaryOp, UnaryGrad<UnaryOp>][]) {
  if (f === ZERO[1]) {
    rule(name, { backward: (ctx) => [zerosForInput(ctx, 0)] });
    continue;
  }
  rule(name, {
    saveInputs: use === 'x' || use === 'xy',
    saveOutputs: use === 'y' || use === 'xy',
    backward(ctx, g) {
      const x = use === 'x' || use === 'xy' ? ctx.input(0) : (undefined as unknown as Tensor);
      const y = use === 'y' || use === 'xy' ? ctx.output(0) : (undefined as unknown as Tensor);
      return [f(g, x, y, ctx.attrs as never)];
    },
  });
}

/** A binary rule: `f` returns the two unreduced gradients; broadcasting is undone here. */
function binary(
  name: DifferentiableBinaryOp,
  save: { inputs?: boolean; output?: boolean },
  f: (
    g: Tensor,
    a: Tensor,
    b: Tensor,
    y: Tensor,
    needA: boolean,
    needB: boolean,
  ) => [Tensor | null, Tensor | null],
): void {
  rule(name, {
    saveInputs: save.inputs === true,
    saveOutputs: save.output === true,
    ...scalarGradRules(name),
    backward(ctx, g) {
      const needA = ctx.needsInputGrad(0);
      const needB = ctx.needsInputGrad(1);
      const none = undefined as unknown as Tensor;
      const a = save.inputs ? ctx.input(0) : none;
      const b = save.inputs ? ctx.input(1) : none;
      const y = save.output ? ctx.output(0) : none;
      const [ga, gb] = f(g, a, b, y, needA, needB);
      return [
        needA && ga !== null ? sumToShape(ga, ctx.inputShape(0)) : null,
        needB && gb !== null ? sumToShape(gb, ctx.inputShape(1)) : null,
      ];
    },
  });
}

/** Which forward tensors a binary rule reads, and its two unreduced gradients. */
type BinaryGrad = readonly [Parameters<typeof binary>[1], Parameters<typeof binary>[2]];

/** The gradient of every differentiable built-in binary op: the compiler reports a missing one. */
const BINARY_RULES: { readonly [K in DifferentiableBinaryOp]: BinaryGrad } = {
  add: [{}, (g) => [g, g]],
  sub: [{}, (g, _a, _b, _y, _na, nb) => [g, nb ? g.neg() : null]],
  mul: [{ inputs: true }, (g, a, b, _y, na, nb) => [na ? g.mul(b) : null, nb ? g.mul(a) : null]],
  div: [
    { inputs: true },
    (g, a, b, _y, na, nb) => [na ? g.div(b) : null, nb ? g.mul(a).div(b.square()).neg() : null],
  ],
  // pow: d/da = b a^(b-1) (0 where b == 0, avoiding 0 * inf); d/db = a^b ln a (0 where a == 0 and b >= 0).
  pow: [
    { inputs: true, output: true },
    (g, a, b, y, na, nb) => [
      na ? where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null,
      nb ? where(a.eq(0).and(b.ge(0)), 0, g.mul(y).mul(a.log())) : null,
    ],
  ],
  // remainder(a, b) = a - floor(a / b) * b.
  remainder: [{ inputs: true }, (g, a, b, _y, _na, nb) => [g, nb ? g.mul(a.div(b).floor()).neg() : null]],
  // minimum / maximum: the gradient goes to the selected operand; ties split it evenly (as PyTorch).
  maximum: [
    { inputs: true },
    (g, a, b) => {
      const half = where(a.eq(b), g.mul(0.5), 0);
      return [where(a.gt(b), g, half), where(b.gt(a), g, half)];
    },
  ],
  minimum: [
    { inputs: true },
    (g, a, b) => {
      const half = where(a.eq(b), g.mul(0.5), 0);
      return [where(a.lt(b), g, half), where(b.lt(a), g, half)];
    },
  ],
  atan2: [
    { inputs: true },
    (g, a, b) => {
      const den = a.square().add(b.square());
      return [g.mul(b).div(den), g.mul(a).div(den).neg()];
    },
  ],
};
for (const [name, [save, f]] of Object.entries(BINARY_RULES) as [DifferentiableBinaryOp, BinaryGrad][]) {
  binary(name, save, f);
}
