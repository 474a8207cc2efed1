import type { BinaryOp, UnaryAttrs, UnaryOp, View } from '../backend.js';
import { hasOpObservers, runOp } from '../dispatch.js';
import { checkDType, type DType, isFloating, promoteTypes, promoteWithScalar } from '../dtype.js';
import { broadcastShapes, broadcastStrides, shapesEqual } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { BINARY_DECLS } from './binary-decls.js';
import { declOf, resolveAttrs } from './declare.js';
import { WHERE_OP } from './index-decls.js';
import { clampTensor } from './math.js';
import { clone } from './movement.js';
import { CAST_OP } from './movement-decls.js';
import { binaryScalarKernel } from './scalar-binary.js';
import {
  asTensor,
  checkTensor,
  describe,
  emptyOut,
  sameBackend,
  sameBackend2,
  storedValue,
  syncValues,
} from './util.js';

// Elementwise ops: dtype promotion and broadcasting happen here, once; backends see inputs of one
// dtype already broadcast to the output's shape.

/** dtype category for promotion: bool < integer < floating. */
function category(d: DType): number {
  return d === 'bool' ? 0 : d === 'int32' ? 1 : 2;
}

/**
 * Converts to `dtype`: a new tensor, or `t` itself when it already has that dtype (as PyTorch's
 * `.to`). float → int truncates toward zero; anything → bool is `!= 0`.
 */
export function cast(t: Tensor, dtype: DType): Tensor {
  checkTensor('cast', t);
  checkDType('cast', dtype);
  if (t.dtype === dtype) return t;
  return runOp(CAST_OP, [t], { dtype }, () => {
    const b = t.storage('cast').backend;
    const out = emptyOut(b, dtype, t.shape);
    if (out.numel() > 0) b.copy(out.viewFor('cast'), t.viewFor('cast'));
    return out;
  });
}

/** A view of `t` broadcast to `shape`, as kernels consume it. */
export function broadcastView(op: string, t: Tensor, shape: readonly number[]): View {
  const v = t.viewFor(op);
  if (shapesEqual(t.shape, shape)) return v;
  return { ...v, shape, strides: broadcastStrides(op, t.shape, t.strides, shape) };
}

/**
 * Runs a unary kernel, recording it under `op`, as its declaration (ops/unary-decls.ts) says: bool
 * inputs are refused or cast to int32 when it says so, integer and bool inputs of float-valued
 * ops are cast to float32, and attributes not given take the declaration's defaults.
 */
export function unaryOp(op: UnaryOp, x: Tensor, args?: UnaryAttrs): Tensor {
  const decl = declOf(op);
  checkTensor(op, x);
  if (x.dtype === 'bool') {
    if (decl.boolInput === 'reject') throw new TypeError(`${op}: ${decl.boolError}`);
    if (decl.boolInput === 'int32') x = cast(x, 'int32');
  }
  if (decl.dtype === 'float' && !isFloating(x.dtype)) x = cast(x, 'float32');
  const input = x;
  const attrs = resolveAttrs(decl, args) as UnaryAttrs;
  const outDtype: DType = decl.dtype === 'bool' ? 'bool' : input.dtype;
  // Without an observer, skip building the call (closure and input list): it would run as is.
  if (!hasOpObservers()) return unaryCompute(op, input, attrs, outDtype);
  return runOp(decl, [input], attrs, () => unaryCompute(op, input, attrs, outDtype));
}

function unaryCompute(op: UnaryOp, input: Tensor, attrs: UnaryAttrs, outDtype: DType): Tensor {
  const b = input.storage(op).backend;
  const out = emptyOut(b, outDtype, input.shape);
  if (out.numel() > 0) b.unary(op, out.viewFor(op), input.viewFor(op), attrs);
  return out;
}

/**
 * The dtype two operands compute in, with PyTorch's rules: tensors promote along
 * bool < int32 < float32 < float64; a 0-d tensor only raises the category of a dimensioned one
 * (float32 [3] + float64 0-d is float32, int32 [3] + float64 0-d is float64); a JS number only
 * raises the category, to int32 or float32.
 */
export function resultType(a: TensorLike, b: TensorLike): DType {
  const ta = a instanceof Tensor;
  const tb = b instanceof Tensor;
  if (ta && tb) {
    const za = a.ndim === 0;
    const zb = b.ndim === 0;
    if (za === zb) return promoteTypes(a.dtype, b.dtype);
    const dim = za ? b.dtype : a.dtype;
    const zero = za ? a.dtype : b.dtype;
    return category(zero) > category(dim) ? promoteTypes(dim, zero) : dim;
  }
  if (ta) return promoteWithScalar(a.dtype, b as number | boolean);
  if (tb) return promoteWithScalar(b.dtype, a as number | boolean);
  if (typeof a === 'boolean' && typeof b === 'boolean') return 'bool';
  const isInt = (v: unknown) => typeof v === 'boolean' || Number.isInteger(v);
  return isInt(a) && isInt(b) ? 'int32' : 'float32';
}

/** Makes both operands tensors of `dtype` on one backend (scalars become 0-d tensors). */
export function operands(op: string, a: TensorLike, b: TensorLike, dtype: DType): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new TypeError(
      `${op}: at least one operand must be a tensor, got ${describe(a)} and ${describe(b)}`,
    );
  }
  const like = (a instanceof Tensor ? a : b) as Tensor;
  let ta = asTensor(op, a, like, dtype);
  let tb = asTensor(op, b, like, dtype);
  sameBackend2(op, ta, tb);
  if (ta.dtype !== dtype) ta = cast(ta, dtype);
  if (tb.dtype !== dtype) tb = cast(tb, dtype);
  return [ta, tb];
}

/** Runs a binary kernel on two same-dtype tensors, broadcasting; records it under `op`. */
export function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType): Tensor {
  // Equal shapes (the common case) need no broadcast: the result shares a's (immutable) shape.
  const shape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  // Without an observer, skip building the call (closure and input list): it would run as is.
  if (!hasOpObservers()) return binaryCompute(op, a, b, shape, outDtype);
  return runOp(BINARY_DECLS[op], [a, b], undefined, () => binaryCompute(op, a, b, shape, outDtype));
}

function binaryCompute(
  op: BinaryOp,
  a: Tensor,
  b: Tensor,
  shape: readonly number[],
  outDtype: DType,
): Tensor {
  const be = a.storage(op).backend;
  const out = emptyOut(be, outDtype, shape);
  if (out.numel() > 0)
    be.binary(op, out.viewFor(op), broadcastView(op, a, shape), broadcastView(op, b, shape));
  return out;
}

/** An arithmetic binary op computed in `dtype` (bool arithmetic computes in int32). */
function arith(op: BinaryOp, a: TensorLike, b: TensorLike, dtype = resultType(a, b)): Tensor {
  if (dtype === 'bool' && op !== 'minimum' && op !== 'maximum') dtype = 'int32';
  // Two tensors already of `dtype`: what `operands` would do, without building a pair.
  if (a instanceof Tensor && b instanceof Tensor && a.dtype === dtype && b.dtype === dtype) {
    sameBackend2(op, a, b);
    return binaryKernel(op, a, b, dtype);
  }
  return binaryIn(op, a, b, dtype, dtype);
}

/**
 * `op` on two operands computed in `dtype` with an `outDtype` result: a tensor and a JS number
 * run the tensor-scalar kernel (the number is an attribute, not a 0-d tensor), two tensors are
 * promoted and broadcast.
 */
export function binaryIn(op: BinaryOp, a: TensorLike, b: TensorLike, dtype: DType, outDtype: DType): Tensor {
  const first = isNumber(a);
  if (first !== isNumber(b)) {
    const t = checkTensor(op, first ? b : a);
    const s = storedValue(op, dtype, (first ? a : b) as number | boolean);
    return binaryScalarKernel(op, t.dtype === dtype ? t : cast(t, dtype), s, first, outDtype);
  }
  const [ta, tb] = operands(op, a, b, dtype);
  return binaryKernel(op, ta, tb, outDtype);
}

function isNumber(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

/** `alpha * b` for add/sub, checking that alpha suits the operands' dtype as PyTorch does. */
function scaled(op: string, a: TensorLike, b: TensorLike, alpha: number | undefined): TensorLike {
  if (alpha === undefined || alpha === 1) return b;
  if (typeof alpha !== 'number') throw new TypeError(`${op}: alpha must be a number, got ${describe(alpha)}`);
  const t = resultType(a, b);
  if (!isFloating(t) && !Number.isInteger(alpha)) {
    throw new TypeError(`${op}: alpha must be an integer for ${t} operands, got ${alpha}`);
  }
  return b instanceof Tensor ? mul(b, alpha) : Number(b) * alpha;
}

/** a + alpha * b, broadcasting. */
export function add(a: TensorLike, b: TensorLike, alpha?: number): Tensor {
  return arith('add', a, scaled('add', a, b, alpha));
}
/** a - alpha * b, broadcasting. */
export function sub(a: TensorLike, b: TensorLike, alpha?: number): Tensor {
  if (a instanceof Tensor && b instanceof Tensor && a.dtype === 'bool' && b.dtype === 'bool') {
    throw new TypeError('sub: subtracting two bool tensors is not supported; use xor() instead');
  }
  return arith('sub', a, scaled('sub', a, b, alpha));
}
/** a * b, broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return arith('mul', a, b);
}
/**
 * a / b. True division (integers promote to float32) unless `roundingMode` is 'trunc' or 'floor',
 * which round the quotient and keep integer dtypes (computed exactly, with integer kernels).
 */
export function div(a: TensorLike, b: TensorLike, roundingMode?: 'trunc' | 'floor'): Tensor {
  const t = resultType(a, b);
  if (roundingMode === undefined) return arith('div', a, b, isFloating(t) ? t : 'float32');
  if (roundingMode !== 'trunc' && roundingMode !== 'floor') {
    throw new RangeError(`div: roundingMode must be 'trunc' or 'floor', got ${JSON.stringify(roundingMode)}`);
  }
  const round = roundingMode === 'trunc' ? trunc : floor;
  if (isFloating(t)) return round(arith('div', a, b, t));
  checkIntegerDivisor(`div (roundingMode '${roundingMode}')`, b);
  // Integer kernels, exact for every int32 (a float32 quotient rounds above 2^24), and on the GPU
  // they report a zero divisor. The backends' int32 `div` truncates.
  const q = arith('div', a, b, 'int32');
  if (roundingMode === 'trunc') return q;
  // Floor is one less where the quotient is negative and not whole: exactly where the
  // Python-style remainder (sign of b) differs from the truncated one (sign of a). Wrapping int32
  // products give the truncated remainder a - q*b exactly.
  const r = arith('remainder', a, b, 'int32');
  const rt = arith('sub', a, arith('mul', q, b, 'int32'), 'int32');
  return arith('sub', q, binaryKernel('ne', r, rt, 'bool'), 'int32');
}
/** a ** b, broadcasting. Integer tensors raised to negative integer scalars are an error. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor) checkIntegerPow('pow', a.dtype, b);
  return arith('pow', a, b);
}
/** Throws, as PyTorch does, for an integer tensor raised to a negative integer scalar. */
export function checkIntegerPow(op: string, dtype: DType, exponent: TensorLike): void {
  if (!isFloating(dtype) && typeof exponent === 'number' && Number.isInteger(exponent) && exponent < 0) {
    throw new RangeError(
      `${op}: integers to negative integer powers are not allowed (${dtype} tensor ** ${exponent})`,
    );
  }
}
/** Python-style remainder (the result has the sign of the divisor), as PyTorch's `remainder`. */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  if (!isFloating(resultType(a, b))) checkIntegerDivisor('remainder', b);
  return arith('remainder', a, b);
}
/**
 * Integer division by zero has no result: PyTorch raises ZeroDivisionError, so this throws rather
 * than store a made-up value. A tensor divisor is checked where its values can be read
 * synchronously (see syncValues).
 */
function checkIntegerDivisor(op: string, b: TensorLike): void {
  if (typeof b === 'number' || typeof b === 'boolean') {
    if (Number(b) === 0) throw new RangeError(`${op}: integer division by zero`);
    return;
  }
  const v = b instanceof Tensor ? syncValues(b) : null;
  if (v === null) return;
  for (let i = 0; i < v.length; i++) {
    if (Number(v[i]) === 0) {
      throw new RangeError(
        `${op}: integer division by zero (divisor with shape [${b.shape.join(', ')}] is 0 at flat index ${i})`,
      );
    }
  }
}
/** Elementwise minimum (NaN propagates). */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return arith('minimum', a, b);
}
/** Elementwise maximum (NaN propagates). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return arith('maximum', a, b);
}
/** atan2(a, b), the angle of the point (b, a), in a floating dtype. */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  const t = resultType(a, b);
  return arith('atan2', a, b, isFloating(t) ? t : 'float32');
}

/** cond ? a : b elementwise, broadcasting all three; `cond` must be bool. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', cond, 'condition');
  if (cond.dtype !== 'bool') throw new TypeError(`where: condition must be a bool tensor, got ${cond.dtype}`);
  const dtype = resultType(a, b);
  const [ta, tb] =
    a instanceof Tensor || b instanceof Tensor
      ? operands('where', a, b, dtype)
      : [asTensor('where', a, cond, dtype), asTensor('where', b, cond, dtype)];
  sameBackend('where', cond, ta, tb);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  return runOp(WHERE_OP, [cond, ta, tb], undefined, () => {
    const be = cond.storage('where').backend;
    const out = emptyOut(be, dtype, shape);
    if (out.numel() > 0) {
      be.where(
        out.viewFor('where'),
        broadcastView('where', cond, shape),
        broadcastView('where', ta, shape),
        broadcastView('where', tb, shape),
      );
    }
    return out;
  });
}

/** Rounding ops are the identity on integers: a copy, as PyTorch returns. */
function rounding(op: 'floor' | 'ceil' | 'round' | 'trunc', x: Tensor): Tensor {
  checkTensor(op, x);
  return isFloating(x.dtype) ? unaryOp(op, x) : clone(x);
}

/** -x (not defined for bool). */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
/** |x|. */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** -1, 0 or 1 by the sign of x (NaN stays NaN). */
export const sign = (x: Tensor): Tensor => unaryOp('sign', x);
/** e^x. */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** 2^x. */
export const exp2 = (x: Tensor): Tensor => unaryOp('exp2', x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
/** Base-2 logarithm. */
export const log2 = (x: Tensor): Tensor => unaryOp('log2', x);
/** log(1 + x), accurate for small x. */
export const log1p = (x: Tensor): Tensor => unaryOp('log1p', x);
/** e^x - 1, accurate for small x. */
export const expm1 = (x: Tensor): Tensor => unaryOp('expm1', x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** 1 / sqrt(x). */
export const rsqrt = (x: Tensor): Tensor => unaryOp('rsqrt', x);
/** x * x (bool becomes int32). */
export const square = (x: Tensor): Tensor => unaryOp('square', x);
/** Sine. */
export const sin = (x: Tensor): Tensor => unaryOp('sin', x);
/** Cosine. */
export const cos = (x: Tensor): Tensor => unaryOp('cos', x);
/** Tangent. */
export const tan = (x: Tensor): Tensor => unaryOp('tan', x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** Logistic function 1 / (1 + e^-x). */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** Gauss error function. */
export const erf = (x: Tensor): Tensor => unaryOp('erf', x);
/** max(0, x). */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** x * sigmoid(x). */
export const silu = (x: Tensor): Tensor => unaryOp('silu', x);
/** Largest integer <= x (a copy for integer tensors). */
export const floor = (x: Tensor): Tensor => rounding('floor', x);
/** Smallest integer >= x (a copy for integer tensors). */
export const ceil = (x: Tensor): Tensor => rounding('ceil', x);
/** Nearest integer, halves to even (a copy for integer tensors). */
export const round = (x: Tensor): Tensor => rounding('round', x);
/** Integer part, toward zero (a copy for integer tensors). */
export const trunc = (x: Tensor): Tensor => rounding('trunc', x);
/** 1 / x. */
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x);
/** True where x is NaN. */
export const isnan = (x: Tensor): Tensor => unaryOp('isnan', x);
/** True where x is neither infinite nor NaN. */
export const isfinite = (x: Tensor): Tensor => unaryOp('isfinite', x);
/** max(0, x) + negativeSlope * min(0, x) (default slope: the `LEAKY_RELU_OP` declaration's `alpha`). */
export const leakyRelu = (x: Tensor, negativeSlope?: number): Tensor =>
  unaryOp('leakyRelu', x, { alpha: negativeSlope });
/** x for x > 0, alpha * (exp(x) - 1) otherwise (default alpha: the `ELU_OP` declaration's). */
export const elu = (x: Tensor, alpha?: number): Tensor => unaryOp('elu', x, { alpha });
/** Gaussian error linear unit, exact (erf) or with the tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  }
  return unaryOp(approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
}
/** log(1 + exp(beta * x)) / beta, linear above `threshold` (defaults: the `SOFTPLUS_OP` declaration's). */
export const softplus = (x: Tensor, beta?: number, threshold?: number): Tensor =>
  unaryOp('softplus', x, { beta, threshold });

/** Validates clamp bounds; returns the attrs, complete (absent bounds take the declaration's defaults). */
export function clampAttrs(op: string, min?: number | null, max?: number | null): UnaryAttrs {
  const none = (v: unknown) => v === undefined || v === null;
  if (none(min) && none(max)) throw new RangeError(`${op}: at least one of min and max must be given`);
  for (const v of [min, max]) {
    if (!none(v) && typeof v !== 'number')
      throw new TypeError(`${op}: bounds must be numbers, got ${describe(v)}`);
  }
  // An absent bound is the declaration's default (±Infinity).
  return resolveAttrs(declOf('clamp'), { min, max }) as UnaryAttrs;
}

/** Whether clamp bounds need a floating result (non-integer finite bounds on an integer tensor). */
export function clampNeedsFloat(attrs: UnaryAttrs): boolean {
  const frac = (v: number) => Number.isFinite(v) && !Number.isInteger(v);
  return frac(attrs.min!) || frac(attrs.max!) || Number.isNaN(attrs.min!) || Number.isNaN(attrs.max!);
}

/**
 * Clamps into [min, max]; either bound may be omitted (null/undefined). With min > max every
 * element becomes max, as in PyTorch. Integer tensors with fractional bounds compute in float32.
 * Bounds may be tensors (broadcasting; see `clampTensor`).
 */
export function clamp(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  checkTensor('clamp', x);
  if (min instanceof Tensor || max instanceof Tensor) return clampTensor(x, min, max);
  const attrs = clampAttrs('clamp', min as number | null | undefined, max as number | null | undefined);
  if (x.dtype === 'int32' && clampNeedsFloat(attrs)) x = cast(x, 'float32');
  return unaryOp('clamp', x, attrs);
}
