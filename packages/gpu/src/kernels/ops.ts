import type { BinaryOp, UnaryOp } from '@tessera/tensor';

/**
 * The WGSL kernels of the elementwise ops: one expression per op and compute type, spliced into the
 * single elementwise template (elementwise.ts) by code generation. The ops themselves are declared
 * in @tessera/tensor (ops/unary-decls.ts, binary-decls.ts); the tables are typed by the declared
 * names, so a declared op without a row here does not compile (see CONTRIBUTING.md).
 *
 * Expressions see their inputs as `x` (unary) or `a`, `b` (binary), already converted to the
 * compute type, and unary attributes as `ALPHA`, `BETA`, `THRESHOLD`, `MIN`, `MAX`.
 * - `f`: float32 expression; `i`: int32 expression (int32 and bool inputs). Without `i`, integer
 *   inputs are computed in float32 and truncated back (the CPU backend does the same in doubles).
 * - `bool`: the expression is a WGSL `bool` and the output dtype is bool.
 *
 * NaN: WGSL lets implementations assume floats are never NaN, and some compile `!=` as an
 * ordered comparison (false for NaN). Wherever NaN changes the answer, expressions test for it
 * explicitly with `isnan_` (a bit test no compiler can fold away).
 */
export interface OpDef {
  readonly f: string;
  readonly i?: string;
  readonly bool?: boolean;
}

/** Unary ops. */
export const UNARY: Readonly<Record<UnaryOp, OpDef>> = {
  neg: { f: '-x', i: '-x' },
  abs: { f: 'abs(x)', i: 'abs(x)' },
  sign: { f: 'fsign(x)', i: 'sign(x)' },
  exp: { f: 'exp(x)' },
  exp2: { f: 'exp2(x)' },
  log: { f: 'logc(x)' },
  log2: { f: 'logc(x) * 1.4426950408889634' },
  log1p: { f: 'log1p_(x)' },
  expm1: { f: 'expm1_(x)' },
  sqrt: { f: 'sqrt(x)' },
  rsqrt: { f: '1.0 / sqrt(x)' },
  square: { f: 'x * x', i: 'x * x' },
  sin: { f: 'sin_(x)' },
  cos: { f: 'cos_(x)' },
  tan: { f: 'sin_(x) / cos_(x)' },
  tanh: { f: 'tanh_(x)' },
  sigmoid: { f: 'sigmoid_(x)' },
  erf: { f: 'erf_(x)' },
  relu: { f: 'select(0.0, x, x > 0.0 || isnan_(x))', i: 'max(x, 0)' }, // NaN propagates, as in PyTorch
  leakyRelu: { f: 'select(x * ALPHA, x, x > 0.0)' },
  elu: { f: 'select(ALPHA * expm1_(x), x, x > 0.0)' },
  gelu: { f: '0.5 * x * (1.0 + erf_(x * 0.7071067811865476))' },
  geluTanh: { f: '0.5 * x * (1.0 + tanh_(0.7978845608028654 * (x + 0.044715 * x * x * x)))' },
  silu: { f: 'x * sigmoid_(x)' },
  softplus: { f: 'select(log1p_(exp(BETA * x)) / BETA, x, x * BETA > THRESHOLD)' },
  floor: { f: 'floor(x)', i: 'x' },
  ceil: { f: 'ceil(x)', i: 'x' },
  round: { f: 'round(x)', i: 'x' }, // WGSL rounds half to even, as PyTorch does
  trunc: { f: 'trunc(x)', i: 'x' },
  reciprocal: { f: '1.0 / x' },
  clamp: {
    f: 'select(select(select(x, MAX, x > MAX), MIN, x < MIN), x, isnan_(x))',
    i: 'select(select(x, MAX, x > MAX), MIN, x < MIN)',
  },
  not: { f: 'x == 0.0 && !isnan_(x)', i: 'x == 0', bool: true },
  isnan: { f: 'isnan_(x)', i: 'false', bool: true },
  isfinite: { f: 'isfinite_(x)', i: 'true', bool: true },
  asin: { f: 'asin_(x)' },
  acos: { f: 'acos_(x)' },
  atan: { f: 'atan_(x)' },
  sinh: { f: 'sinh_(x)' },
  cosh: { f: '0.5 * (exp(x) + exp(-x))' },
  asinh: { f: 'asinh_(x)' },
  acosh: { f: 'acosh_(x)' },
  atanh: { f: 'atanh_(x)' },
  log10: { f: 'logc(x) * 0.4342944819032518' },
  isinf: { f: '!isfinite_(x) && !isnan_(x)', i: 'false', bool: true },
  // sin(πx) with the argument reduced exactly (x - round(x)), so values near integers stay accurate.
  sinc: {
    f: 'select(select(1.0, -1.0, round(x) - 2.0 * floor(round(x) * 0.5) != 0.0) * sin_(3.141592653589793 * (x - round(x))) / (3.141592653589793 * x), 1.0, x == 0.0)',
  },
};

/** Binary ops (inputs share a dtype; comparisons and logical ops give bool). */
export const BINARY: Readonly<Record<BinaryOp, OpDef>> = {
  add: { f: 'a + b', i: 'a + b' },
  sub: { f: 'a - b', i: 'a - b' },
  mul: { f: 'a * b', i: 'a * b' },
  div: { f: 'a / b', i: 'idiv(a, b)' },
  pow: { f: 'fpow(a, b)', i: 'ipow(a, b)' },
  remainder: { f: 'fmod_py(a, b)', i: 'imod_py(a, b)' },
  minimum: { f: 'fmin_nan(a, b)', i: 'min(a, b)' },
  maximum: { f: 'fmax_nan(a, b)', i: 'max(a, b)' },
  atan2: { f: 'atan2(a, b)' },
  eq: { f: 'a == b', i: 'a == b', bool: true },
  ne: { f: '!(a == b) || isnan_(a) || isnan_(b)', i: 'a != b', bool: true },
  lt: { f: 'a < b', i: 'a < b', bool: true },
  le: { f: 'a <= b', i: 'a <= b', bool: true },
  gt: { f: 'a > b', i: 'a > b', bool: true },
  ge: { f: 'a >= b', i: 'a >= b', bool: true },
  and: { f: 'truthy(a) && truthy(b)', i: '(a != 0) && (b != 0)', bool: true },
  or: { f: 'truthy(a) || truthy(b)', i: '(a != 0) || (b != 0)', bool: true },
  xor: { f: 'truthy(a) != truthy(b)', i: '(a != 0) != (b != 0)', bool: true },
};

/** `where(cond, a, b)`: the ternary op, in the same table style. */
export const WHERE: OpDef = { f: 'select(b, a, c != 0)', i: 'select(b, a, c != 0)' };

/** Identity (copy/cast): the conversion to the output dtype does the work. */
export const IDENTITY: OpDef = { f: 'x', i: 'x' };

/**
 * A binary op's expression with one operand the scalar attribute SCALAR (a tensor-scalar op,
 * `x.mul(0.5)`): the tensor is `a` and the scalar `b` when `first` is false, else the reverse.
 */
function withScalar(def: OpDef, first: boolean): OpDef {
  const re = first ? /\ba\b/g : /\bb\b/g;
  const sub = (e: string): string => e.replace(re, 'SCALAR');
  return { ...def, f: sub(def.f), ...(def.i === undefined ? {} : { i: sub(def.i) }) };
}

const scalarDefs = (first: boolean): Readonly<Record<BinaryOp, OpDef>> =>
  Object.fromEntries(Object.entries(BINARY).map(([k, d]) => [k, withScalar(d, first)])) as Record<
    BinaryOp,
    OpDef
  >;

/** Binary ops as `a op SCALAR` (the tensor on the left). */
export const BINARY_SCALAR_RIGHT: Readonly<Record<BinaryOp, OpDef>> = scalarDefs(false);
/** Binary ops as `SCALAR op b` (the tensor on the right). */
export const BINARY_SCALAR_LEFT: Readonly<Record<BinaryOp, OpDef>> = scalarDefs(true);
