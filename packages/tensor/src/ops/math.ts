import { type DType, isFloating, promoteTypes } from '../dtype.js';
import { checkOptions } from '../options.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { and, eq, gt, le, lt, or } from './compare.js';
import { abs, add, cast, isfinite, isnan, mul, resultType, sub, unaryOp, where } from './elementwise.js';
import { scalarOf } from './from-array.js';
import { all } from './reduce.js';
import { checkTensor, describe, sameBackend } from './util.js';

// Unary math primitives (inverse trigonometric, hyperbolic, log10, isinf) and small composites of
// existing ops: isclose/allclose, lerp, addcmul, addcdiv, isposinf/isneginf.

/** Arcsine, in radians; NaN outside [-1, 1]. */
export const asin = (x: Tensor): Tensor => unaryOp('asin', x);
/** Arccosine, in radians; NaN outside [-1, 1]. */
export const acos = (x: Tensor): Tensor => unaryOp('acos', x);
/** Arctangent, in radians. */
export const atan = (x: Tensor): Tensor => unaryOp('atan', x);
/** Hyperbolic sine. */
export const sinh = (x: Tensor): Tensor => unaryOp('sinh', x);
/** Hyperbolic cosine. */
export const cosh = (x: Tensor): Tensor => unaryOp('cosh', x);
/** Inverse hyperbolic sine. */
export const asinh = (x: Tensor): Tensor => unaryOp('asinh', x);
/** Inverse hyperbolic cosine; NaN below 1. */
export const acosh = (x: Tensor): Tensor => unaryOp('acosh', x);
/** Inverse hyperbolic tangent; ±Infinity at ±1, NaN outside [-1, 1]. */
export const atanh = (x: Tensor): Tensor => unaryOp('atanh', x);
/** Base-10 logarithm. */
export const log10 = (x: Tensor): Tensor => unaryOp('log10', x);
/** True where x is +Infinity or -Infinity (always false for integer and bool tensors). */
export const isinf = (x: Tensor): Tensor => unaryOp('isinf', x);
/** True where x is +Infinity. */
export function isposinf(x: Tensor): Tensor {
  checkTensor('isposinf', x);
  return and(isinf(x), gt(x, 0));
}
/** True where x is -Infinity. */
export function isneginf(x: Tensor): Tensor {
  checkTensor('isneginf', x);
  return and(isinf(x), lt(x, 0));
}

/** Options of `isclose` / `allclose` (PyTorch's defaults). */
export interface IsCloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN equals NaN (default false). */
  equalNan?: boolean;
}

const CLOSE_SPEC = { rtol: 'number', atol: 'number', equalNan: 'boolean' } as const;

function closeOptions(op: string, opts: IsCloseOptions): Required<IsCloseOptions> {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = checkOptions(op, opts, CLOSE_SPEC);
  for (const [name, v] of [
    ['rtol', rtol],
    ['atol', atol],
  ] as const) {
    if (typeof v !== 'number' || !(v >= 0))
      throw new RangeError(`${op}: ${name} must be a number >= 0, got ${describe(v)}`);
  }
  if (typeof equalNan !== 'boolean')
    throw new TypeError(`${op}: equalNan must be a boolean, got ${describe(equalNan)}`);
  return { rtol, atol, equalNan };
}

/**
 * Elementwise `|a - b| <= atol + rtol * |b|` (bool, broadcasting), as PyTorch's `isclose`: equal
 * infinities are close, NaN is close to NaN only with `equalNan`. `a` and `b` must share a dtype.
 */
export function isclose(a: Tensor, b: Tensor, opts: IsCloseOptions = {}): Tensor {
  checkTensor('isclose', a);
  checkTensor('isclose', b, 'other');
  sameBackend('isclose', a, b);
  if (a.dtype !== b.dtype)
    throw new TypeError(`isclose: the inputs must have the same dtype, got ${a.dtype} and ${b.dtype}`);
  broadcastShapes('isclose', a.shape, b.shape);
  const { rtol, atol, equalNan } = closeOptions('isclose', opts);
  let close = eq(a, b);
  if (equalNan && isFloating(a.dtype)) close = or(close, and(isnan(a), isnan(b)));
  if (rtol === 0 && atol === 0) return close;
  // Integer differences can wrap in int32: compare them in float64 (exact for every int32) where
  // the backend has it, else float32.
  const ft = a.backend.supportsDType('float64') ? 'float64' : 'float32';
  const fa = isFloating(a.dtype) ? a : cast(a, ft);
  const fb = isFloating(b.dtype) ? b : cast(b, ft);
  const actual = abs(sub(fa, fb));
  const allowed = add(abs(mul(fb, rtol)), atol);
  return or(close, and(isfinite(actual), le(actual, allowed)));
}

/**
 * Whether every element of `a` is close to `b` (see `isclose`): a JS boolean. Reads the result
 * back synchronously; on a backend that cannot (WebGPU) use `await allcloseAsync(a, b)`.
 */
export function allclose(a: Tensor, b: Tensor, opts: IsCloseOptions = {}): boolean {
  closeOptions('allclose', opts); // so a bad option names allclose, not isclose
  const c = all(isclose(a, b, opts));
  const backend = c.backend;
  if (backend.readSync === undefined) {
    c.dispose();
    throw new Error(
      `allclose: the ${backend.name} backend cannot read the result synchronously; use await allcloseAsync(a, b)`,
    );
  }
  const v = c.item() as boolean;
  c.dispose();
  return v;
}

/** `allclose` for any backend: reads the result back asynchronously. */
export async function allcloseAsync(a: Tensor, b: Tensor, opts: IsCloseOptions = {}): Promise<boolean> {
  closeOptions('allcloseAsync', opts);
  const c = all(isclose(a, b, opts));
  const v = (await c.data())[0] !== 0;
  c.dispose();
  return v;
}

function checkFloatPair(op: string, a: Tensor, b: Tensor, what: string): void {
  checkTensor(op, a);
  checkTensor(op, b, what);
  sameBackend(op, a, b);
  if (a.dtype !== b.dtype)
    throw new TypeError(`${op}: the input (${a.dtype}) and ${what} (${b.dtype}) must have the same dtype`);
}

/**
 * `start + weight * (end - start)`, broadcasting (out-of-place `lerp`). Where |weight| >= 0.5 it
 * computes `end - (end - start) * (1 - weight)` instead, as PyTorch does, so weight 1 gives `end`.
 * `weight` is a number or a tensor of the same floating dtype.
 */
export function lerp(start: Tensor, end: Tensor, weight: TensorLike): Tensor {
  checkFloatPair('lerp', start, end, 'end');
  if (!isFloating(start.dtype))
    throw new TypeError(`lerp: expected floating-point inputs, got ${start.dtype}`);
  const d = sub(end, start);
  if (typeof weight === 'number') {
    return Math.abs(weight) < 0.5 ? add(start, mul(d, weight)) : sub(end, mul(d, 1 - weight));
  }
  if (!(weight instanceof Tensor))
    throw new TypeError(`lerp: weight must be a number or a tensor, got ${describe(weight)}`);
  checkFloatPair('lerp', start, weight, 'weight');
  const small = lt(abs(weight), 0.5);
  return where(small, add(start, mul(d, weight)), sub(end, mul(d, sub(1, weight))));
}

function checkValue(op: string, value: number, dtype: string): void {
  if (typeof value !== 'number') throw new TypeError(`${op}: value must be a number, got ${describe(value)}`);
  if (!isFloating(resultType(1, value)) || dtype === 'float32' || dtype === 'float64') return;
  throw new TypeError(`${op}: value must be an integer for ${dtype} inputs, got ${value}`);
}

/** `input + value * t1 * t2`, broadcasting all three (PyTorch's `addcmul`). */
export function addcmul(input: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  checkTensor('addcmul', input);
  checkTensor('addcmul', t1, 'tensor1');
  checkTensor('addcmul', t2, 'tensor2');
  checkValue('addcmul', value, promoteTypes(input.dtype, promoteTypes(t1.dtype, t2.dtype)));
  return add(input, mul(value === 1 ? t1 : mul(t1, value), t2));
}

/** `input + value * t1 / t2`, broadcasting all three (PyTorch's `addcdiv`; integer tensors are refused). */
export function addcdiv(input: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  checkTensor('addcdiv', input);
  checkTensor('addcdiv', t1, 'tensor1');
  checkTensor('addcdiv', t2, 'tensor2');
  if (!isFloating(t1.dtype) || !isFloating(t2.dtype)) {
    throw new TypeError(
      `addcdiv: integer division of tensors is not supported; use floating-point tensor1 and tensor2 (got ${t1.dtype} and ${t2.dtype})`,
    );
  }
  checkValue('addcdiv', value, 'float32');
  return add(input, mul(t1, value).div(t2));
}

/** A `clamp` bound as a tensor of x's backend in `dtype`, or null when absent. */
function boundTensor(x: Tensor, v: TensorLike | null | undefined, what: string, dtype: DType): Tensor | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Tensor) {
    sameBackend('clamp', x, v);
    return cast(v, dtype);
  }
  if (typeof v !== 'number')
    throw new TypeError(`clamp: ${what} must be a number or a tensor, got ${describe(v)}`);
  return scalarOf(x.backend, v, dtype);
}

/**
 * `clamp` with tensor bounds (broadcasting): min(max(x, min), max), NaN wherever x or a bound is
 * NaN; the result dtype promotes x with the bounds. Gradients follow PyTorch: x where
 * min <= x <= max, min where x < min < max, max where x > max or max < min.
 */
export function clampTensor(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  checkTensor('clamp', x);
  const none = (v: unknown) => v === undefined || v === null;
  if (none(min) && none(max)) throw new RangeError('clamp: at least one of min and max must be given');
  let dtype = x.dtype;
  for (const b of [min, max]) if (!none(b)) dtype = promoteTypes(dtype, resultType(x, b as TensorLike));
  if (dtype === 'bool') throw new TypeError('clamp: bool tensors are not supported');
  const xs = cast(x, dtype);
  const lo = boundTensor(x, min, 'min', dtype);
  const hi = boundTensor(x, max, 'max', dtype);
  let r: Tensor;
  if (lo !== null && hi !== null) {
    const inside = and(le(lo, xs), le(xs, hi));
    const maxWins = or(gt(xs, hi), lt(hi, lo));
    const minWins = and(lt(xs, lo), lt(lo, hi));
    // Left over: x < min == max, whose value is min but which PyTorch gives no gradient.
    r = where(inside, xs, where(maxWins, hi, where(minWins, lo, lo.detach())));
  } else if (lo !== null) {
    r = where(lt(xs, lo), lo, xs);
  } else {
    r = where(gt(xs, hi!), hi!, xs);
  }
  if (!isFloating(dtype)) return r;
  let nan = isnan(xs);
  for (const b of [lo, hi]) if (b !== null) nan = or(nan, isnan(b));
  return where(nan, Number.NaN, r);
}
