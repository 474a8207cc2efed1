import * as cmp from '../ops/compare.js';
import * as ew from '../ops/elementwise.js';
import * as idx from '../ops/indexing.js';
import { UNARY_OPS } from '../ops/unary-decls.js';
import { Tensor, type TensorLike } from '../tensor.js';

// Tensor methods of the elementwise and comparison ops, declared by module augmentation and installed on the prototype by
// `installElementwiseMethods` (called from index.ts), so that tensor.ts stays small. Each is a one-line
// delegation to the function of the same name.

declare module '../index.js' {
  interface Tensor {
    /** this + alpha * other, broadcasting (PyTorch's dtype promotion). */
    add(other: TensorLike, alpha?: number): Tensor;
    /** this - alpha * other, broadcasting. */
    sub(other: TensorLike, alpha?: number): Tensor;
    /** this * other, broadcasting. */
    mul(other: TensorLike): Tensor;
    /** this / other: true division (integers → float32), or rounded with `roundingMode`. */
    div(other: TensorLike, roundingMode?: 'trunc' | 'floor'): Tensor;
    /** this ** exponent, broadcasting. */
    pow(exponent: TensorLike): Tensor;
    /** Python-style remainder (sign of the divisor). */
    remainder(other: TensorLike): Tensor;
    /** Elementwise minimum (NaN propagates). */
    minimum(other: TensorLike): Tensor;
    /** Elementwise maximum (NaN propagates). */
    maximum(other: TensorLike): Tensor;
    /** atan2(this, other), in a floating dtype. */
    atan2(other: TensorLike): Tensor;
    /** -x. */
    neg(): Tensor;
    /** |x|. */
    abs(): Tensor;
    /** -1, 0 or 1 by sign. */
    sign(): Tensor;
    /** e^x. */
    exp(): Tensor;
    /** 2^x. */
    exp2(): Tensor;
    /** Natural logarithm. */
    log(): Tensor;
    /** Base-2 logarithm. */
    log2(): Tensor;
    /** log(1 + x). */
    log1p(): Tensor;
    /** e^x - 1. */
    expm1(): Tensor;
    /** Square root. */
    sqrt(): Tensor;
    /** 1 / sqrt(x). */
    rsqrt(): Tensor;
    /** x * x. */
    square(): Tensor;
    /** Sine. */
    sin(): Tensor;
    /** Cosine. */
    cos(): Tensor;
    /** Tangent. */
    tan(): Tensor;
    /** Hyperbolic tangent. */
    tanh(): Tensor;
    /** Logistic function. */
    sigmoid(): Tensor;
    /** Gauss error function. */
    erf(): Tensor;
    /** max(0, x). */
    relu(): Tensor;
    /** x for x > 0, negativeSlope * x otherwise. */
    leakyRelu(negativeSlope?: number): Tensor;
    /** x for x > 0, alpha * (e^x - 1) otherwise. */
    elu(alpha?: number): Tensor;
    /** Gaussian error linear unit (exact, or the tanh approximation). */
    gelu(approximate?: 'none' | 'tanh'): Tensor;
    /** x * sigmoid(x). */
    silu(): Tensor;
    /** log(1 + e^(beta x)) / beta, linear above `threshold`. */
    softplus(beta?: number, threshold?: number): Tensor;
    /** Round down. */
    floor(): Tensor;
    /** Round up. */
    ceil(): Tensor;
    /** Round to nearest, halves to even. */
    round(): Tensor;
    /** Round toward zero. */
    trunc(): Tensor;
    /** 1 / x. */
    reciprocal(): Tensor;
    /** Clamps into [min, max] (either bound may be omitted; bounds may be tensors). */
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    /** True where NaN. */
    isnan(): Tensor;
    /** True where neither infinite nor NaN. */
    isfinite(): Tensor;
    /** this == other (bool). */
    eq(other: TensorLike): Tensor;
    /** this != other (bool). */
    ne(other: TensorLike): Tensor;
    /** this < other (bool). */
    lt(other: TensorLike): Tensor;
    /** this <= other (bool). */
    le(other: TensorLike): Tensor;
    /** this > other (bool). */
    gt(other: TensorLike): Tensor;
    /** this >= other (bool). */
    ge(other: TensorLike): Tensor;
    /** Logical and (non-zero is true). */
    and(other: TensorLike): Tensor;
    /** Logical or. */
    or(other: TensorLike): Tensor;
    /** Logical exclusive or. */
    xor(other: TensorLike): Tensor;
    /** Logical not. */
    not(): Tensor;
    /** Elements where `mask` is true replaced by `value`. */
    maskedFill(mask: Tensor, value: TensorLike): Tensor;
  }
}

/** The methods declared above, each a one-line delegation. */
const METHODS: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  add(other: TensorLike, alpha?: number) {
    return ew.add(this, other, alpha);
  },
  sub(other: TensorLike, alpha?: number) {
    return ew.sub(this, other, alpha);
  },
  mul(other: TensorLike) {
    return ew.mul(this, other);
  },
  div(other: TensorLike, roundingMode?: 'trunc' | 'floor') {
    return ew.div(this, other, roundingMode);
  },
  pow(exponent: TensorLike) {
    return ew.pow(this, exponent);
  },
  remainder(other: TensorLike) {
    return ew.remainder(this, other);
  },
  minimum(other: TensorLike) {
    return ew.minimum(this, other);
  },
  maximum(other: TensorLike) {
    return ew.maximum(this, other);
  },
  atan2(other: TensorLike) {
    return ew.atan2(this, other);
  },
  neg() {
    return ew.neg(this);
  },
  abs() {
    return ew.abs(this);
  },
  sign() {
    return ew.sign(this);
  },
  exp() {
    return ew.exp(this);
  },
  exp2() {
    return ew.exp2(this);
  },
  log() {
    return ew.log(this);
  },
  log2() {
    return ew.log2(this);
  },
  log1p() {
    return ew.log1p(this);
  },
  expm1() {
    return ew.expm1(this);
  },
  sqrt() {
    return ew.sqrt(this);
  },
  rsqrt() {
    return ew.rsqrt(this);
  },
  square() {
    return ew.square(this);
  },
  sin() {
    return ew.sin(this);
  },
  cos() {
    return ew.cos(this);
  },
  tan() {
    return ew.tan(this);
  },
  tanh() {
    return ew.tanh(this);
  },
  sigmoid() {
    return ew.sigmoid(this);
  },
  erf() {
    return ew.erf(this);
  },
  relu() {
    return ew.relu(this);
  },
  leakyRelu(negativeSlope?: number) {
    return ew.leakyRelu(this, negativeSlope);
  },
  elu(alpha?: number) {
    return ew.elu(this, alpha);
  },
  gelu(approximate: 'none' | 'tanh' = 'none') {
    return ew.gelu(this, approximate);
  },
  silu() {
    return ew.silu(this);
  },
  softplus(beta?: number, threshold?: number) {
    return ew.softplus(this, beta, threshold);
  },
  floor() {
    return ew.floor(this);
  },
  ceil() {
    return ew.ceil(this);
  },
  round() {
    return ew.round(this);
  },
  trunc() {
    return ew.trunc(this);
  },
  reciprocal() {
    return ew.reciprocal(this);
  },
  clamp(min?: TensorLike | null, max?: TensorLike | null) {
    return ew.clamp(this, min, max);
  },
  isnan() {
    return ew.isnan(this);
  },
  isfinite() {
    return ew.isfinite(this);
  },
  eq(other: TensorLike) {
    return cmp.eq(this, other);
  },
  ne(other: TensorLike) {
    return cmp.ne(this, other);
  },
  lt(other: TensorLike) {
    return cmp.lt(this, other);
  },
  le(other: TensorLike) {
    return cmp.le(this, other);
  },
  gt(other: TensorLike) {
    return cmp.gt(this, other);
  },
  ge(other: TensorLike) {
    return cmp.ge(this, other);
  },
  and(other: TensorLike) {
    return cmp.and(this, other);
  },
  or(other: TensorLike) {
    return cmp.or(this, other);
  },
  xor(other: TensorLike) {
    return cmp.xor(this, other);
  },
  not() {
    return cmp.not(this);
  },
  maskedFill(mask: Tensor, value: TensorLike) {
    return idx.maskedFill(this, mask, value);
  },
};

/** Installs the methods declared above on `Tensor.prototype` (idempotent). */
export function installElementwiseMethods(): void {
  const p = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(METHODS)) p[name] = fn;
  // Unary ops declared without a method above (ops/unary-decls.ts declares their types): the
  // method is the op on `this`. geluTanh is reached through gelu(x, 'tanh') only.
  for (const name of UNARY_OPS) {
    if (name === 'geluTanh' || name in p) continue;
    p[name] = function (this: Tensor): Tensor {
      return ew.unaryOp(name, this);
    };
  }
}
