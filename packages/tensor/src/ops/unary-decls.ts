import type { Tensor } from '../tensor.js';
import {
  type AttrSpec,
  type BoolInput,
  type DTypeRule,
  defineOp,
  type NoAttrs,
  type OpDecl,
} from './declare.js';
import { unaryOp } from './elementwise.js';

// The built-in unary elementwise ops, declared once. `UnaryOp` (the name union) comes from these
// rows, and the CPU switch, the WGSL table (@tessera/gpu) and the gradient rule table
// (@tessera/autograd) are typed by it, so the compiler reports a kernel or rule that lacks one.
// To add an op, see CONTRIBUTING.md ("Adding an op, end to end").

const u = <const N extends string, const A extends AttrSpec = NoAttrs, const R extends DTypeRule = 'same'>(
  name: N,
  doc: string,
  more: { dtype?: R; boolInput?: BoolInput; boolError?: string; attrs?: A } = {},
) => defineOp<N, 'unary', A, R>({ name, kind: 'unary', doc, ...more });

const F = { dtype: 'float' } as const;
const B = { dtype: 'bool' } as const;
const NO_BOOL = { boolInput: 'reject' } as const;

/** leakyRelu: `x` for x > 0, `alpha * x` otherwise (`alpha` is PyTorch's negative_slope). */
export const LEAKY_RELU_OP = u('leakyRelu', 'x > 0 ? x : alpha·x', { ...F, attrs: { alpha: 0.01 } });
/** elu: `x` for x > 0, `alpha * (exp(x) - 1)` otherwise. */
export const ELU_OP = u('elu', 'x > 0 ? x : alpha·(e^x − 1)', { ...F, attrs: { alpha: 1 } });
/** softplus: `log(1 + exp(beta x)) / beta`, linear where `beta x > threshold`. */
export const SOFTPLUS_OP = u('softplus', 'log(1 + e^(beta·x)) / beta; x where beta·x > threshold', {
  ...F,
  attrs: { beta: 1, threshold: 20 },
});
/** clamp: `min(max(x, min), max)`; absent bounds are ±Infinity. */
export const CLAMP_OP = u('clamp', 'min(max(x, min), max); min > max gives max; NaN stays NaN', {
  ...NO_BOOL,
  attrs: { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY },
});

/** The built-in unary ops, in table order. */
export const CORE_UNARY = [
  u('neg', '−x', {
    boolInput: 'reject',
    boolError: 'negation of a bool tensor is not supported; use not() instead',
  }),
  u('abs', '|x|'),
  u('sign', '−1, 0 or 1 by the sign of x (NaN stays NaN); zero gradient'),
  u('exp', 'e^x', F),
  u('exp2', '2^x', F),
  u('log', 'ln x', F),
  u('log2', 'log₂ x', F),
  u('log1p', 'ln(1 + x)', F),
  u('expm1', 'e^x − 1', F),
  u('sqrt', '√x', F),
  u('rsqrt', '1 / √x', F),
  u('square', 'x·x (bool → int32 first)', { boolInput: 'int32' }),
  u('sin', 'sin x', F),
  u('cos', 'cos x', F),
  u('tan', 'tan x', F),
  u('tanh', 'tanh x', F),
  u('sigmoid', '1 / (1 + e^−x)', F),
  u('erf', 'Gauss error function', F),
  u('relu', 'max(0, x) (NaN propagates)', NO_BOOL),
  LEAKY_RELU_OP,
  ELU_OP,
  u('gelu', 'x·Φ(x) (exact, erf); `gelu(x, "tanh")` records geluTanh', F),
  u('geluTanh', 'gelu with the tanh approximation', F),
  u('silu', 'x·sigmoid(x)', F),
  SOFTPLUS_OP,
  u('floor', 'largest integer ≤ x (integer tensors: a recorded clone)'),
  u('ceil', 'smallest integer ≥ x (integer tensors: a recorded clone)'),
  u('round', 'nearest integer, halves to even (integer tensors: a recorded clone)'),
  u('trunc', 'integer part (integer tensors: a recorded clone)'),
  u('reciprocal', '1 / x', F),
  CLAMP_OP,
  u('not', 'x == 0 (logical not)', B),
  u('isnan', 'x is NaN', B),
  u('isfinite', 'x is neither infinite nor NaN', B),
  u('asin', 'arcsine', F),
  u('acos', 'arccosine', F),
  u('atan', 'arctangent', F),
  u('sinh', 'hyperbolic sine', F),
  u('cosh', 'hyperbolic cosine', F),
  u('asinh', 'inverse hyperbolic sine', F),
  u('acosh', 'inverse hyperbolic cosine', F),
  u('atanh', 'inverse hyperbolic tangent', F),
  u('log10', 'log₁₀ x', F),
  u('isinf', 'x is ±Infinity', B),
  u('sinc', 'sin(πx) / (πx), 1 at x = 0 (normalized sinc)', F),
] as const;

/** Names of the built-in unary ops. */
export type UnaryOp = (typeof CORE_UNARY)[number]['name'];

/** The declaration of built-in unary op `K`. */
export type UnaryDecl<K extends UnaryOp = UnaryOp> = Extract<(typeof CORE_UNARY)[number], { name: K }>;

/** The built-in unary ops whose outputs carry gradients. */
export type DifferentiableUnaryOp = Exclude<
  UnaryOp,
  Extract<(typeof CORE_UNARY)[number], { dtype: 'bool' }>['name']
>;

/** Names of the built-in unary ops, in table order. */
export const UNARY_OPS: readonly UnaryOp[] = Object.freeze(CORE_UNARY.map((d) => d.name));

/** The declarations of the built-in unary ops, by name. */
export const UNARY_DECLS: { readonly [K in UnaryOp]: OpDecl } = Object.freeze(
  Object.fromEntries(CORE_UNARY.map((d) => [d.name, d])) as { [K in UnaryOp]: OpDecl },
);

// Functions of declared unary ops that need no frontend of their own (the Tensor method of every
// declared op is installed by installElementwiseMethods; its type is declared here).

/** Normalized sinc: sin(πx) / (πx), 1 at x = 0 (PyTorch's `sinc`); integer inputs give float32. */
export const sinc = (x: Tensor): Tensor => unaryOp('sinc', x);

declare module '../index.js' {
  interface Tensor {
    /** Normalized sinc, sin(πx) / (πx) (see `sinc`). */
    sinc(): Tensor;
  }
}
