import type { Backend, BinaryOp, UnaryAttrs, UnaryOp, UpdateOp } from '../backend.js';
import { runOp } from '../dispatch.js';
import { canCast, type DType, isFloating, promoteTypes } from '../dtype.js';
import { broadcastShapes, fmt, shapesEqual } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { declOf, resolveAttrs } from './declare.js';
import {
  broadcastView,
  checkIntegerPow,
  clampAttrs,
  clampNeedsFloat,
  div,
  mul,
  resultType,
  sub,
} from './elementwise.js';
import {
  COPY_INPLACE_OP,
  FILL_INPLACE_OP,
  inplaceDecl,
  UPDATE_INPLACE,
  type UpdateInplaceOp,
} from './inplace-decls.js';
import { clampTensor } from './math.js';
import { toDevice } from './movement.js';
import { runScalarKernel, type ScalarAttrs } from './scalar-binary.js';
import {
  alive,
  asTensor,
  bumpVersion,
  checkTensor,
  describe,
  emptyOut,
  sameBackend,
  storedValue,
} from './util.js';

// In-place ops write into the target's buffer and bump its version counter. They run through
// `runOp` with names ending in `_`, so an attached autograd can refuse them while recording; their
// `compute` uses kernels only. As in PyTorch: the operand broadcasts to the target's shape (never
// the other way), the result dtype must be castable to the target's (no float into int32, no int
// into bool), and a target whose elements overlap in memory (an expanded view) is refused. An
// operand that shares memory with the target is read completely before the target is written.

/** Refuses targets in which several elements share one memory location (stride 0, size > 1). */
function checkWritable(op: string, target: Tensor): void {
  if (target.numel() === 0) return;
  for (let d = 0; d < target.ndim; d++) {
    if (target.strides[d] === 0 && target.shape[d]! > 1) {
      throw new RangeError(
        `${op}: cannot write in place into a tensor of shape ${fmt(target.shape)} whose dim ${d} is broadcast (stride 0): ` +
          'several elements share one memory location; clone() it first',
      );
    }
  }
}

function checkInto(op: string, target: Tensor, result: DType, shape: readonly number[]): void {
  if (!canCast(result, target.dtype)) {
    throw new TypeError(
      `${op}: result type ${result} can't be cast to the ${target.dtype} tensor being written in place`,
    );
  }
  const b = broadcastShapes(op, target.shape, shape);
  if (!shapesEqual(b, target.shape)) {
    throw new RangeError(
      `${op}: an operand of shape ${fmt(shape)} does not broadcast to the in-place target's shape ${fmt(target.shape)}`,
    );
  }
}

/** True when `other` can be read while `target` is written element by element in the same order. */
function safeAlias(target: Tensor, other: Tensor): boolean {
  if (other._storage !== target._storage) return true;
  return (
    shapesEqual(other.shape, target.shape) &&
    shapesEqual(other.strides, target.strides) &&
    other.offset === target.offset
  );
}

/** `t` as a tensor of `dtype`: `t` itself, or a converted contiguous copy (kernel-only, unrecorded). */
function converted(be: Backend, op: string, t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const c = emptyOut(be, dtype, t.shape);
  if (c.numel() > 0) be.copy(c.viewFor(op), t.viewFor(op));
  return c;
}

/** Writes op(target, other), computed in `dtype`, into target with kernels only. */
function binaryInto(name: string, op: BinaryOp, target: Tensor, other: Tensor, dtype: DType): void {
  const be = target.storage(name).backend;
  if (target.numel() === 0) return;
  const shape = target.shape;
  if (target.isContiguous() && target.dtype === dtype && other.dtype === dtype && safeAlias(target, other)) {
    const tv = target.viewFor(name);
    be.binary(op, tv, tv, broadcastView(name, other, shape));
    return;
  }
  // General case: compute into a temporary, then copy (converting) into the target's layout.
  const a = converted(be, name, target, dtype);
  const b = converted(be, name, other, dtype);
  const tmp = emptyOut(be, dtype, shape);
  be.binary(op, tmp.viewFor(name), broadcastView(name, a, shape), broadcastView(name, b, shape));
  be.copy(target.viewFor(name), tmp.viewFor(name));
  tmp.dispose();
  if (a !== target) a.dispose();
  if (b !== other) b.dispose();
}

function binaryInPlace<T extends Tensor>(op: BinaryOp, target: T, other: TensorLike): T {
  const name = `${op}_`;
  checkTensor(name, target);
  checkWritable(name, target);
  if (other instanceof Tensor) alive(name, other);
  let dtype = resultType(target, other);
  if (op === 'div' && !isFloating(dtype)) dtype = 'float32';
  if (dtype === 'bool' && op !== 'maximum' && op !== 'minimum') dtype = 'int32';
  if (typeof other === 'number' || typeof other === 'boolean') return scalarInPlace(op, target, other, dtype);
  const o = asTensor(
    name,
    other,
    target,
    other instanceof Tensor ? dtype : canCast(dtype, target.dtype) ? target.dtype : dtype,
  );
  checkInto(name, target, promoteTypes(dtype, o.dtype), o.shape);
  sameBackend(name, target, o);
  return runOp(inplaceDecl(op), [target, o], undefined, () => {
    binaryInto(name, op, target, o, dtype);
    bumpVersion(target);
    return target;
  });
}

/**
 * `target op= s` for a JS number `s`, computed in `dtype`: recorded as `<op>_` with inputs
 * [target] and the scalar's attributes (see `ScalarAttrs`); no 0-d tensor is made for `s`.
 */
function scalarInPlace<T extends Tensor>(op: BinaryOp, target: T, other: number | boolean, dtype: DType): T {
  const name = `${op}_`;
  checkInto(name, target, dtype, []);
  const attrs: ScalarAttrs = { scalar: storedValue(name, dtype, other), scalarFirst: 0 };
  return runOp(inplaceDecl(op), [target], attrs, () => {
    const be = target.storage(name).backend;
    if (target.numel() > 0) {
      if (target.isContiguous()) {
        runScalarKernel(be, op, target.viewFor(name), target, attrs.scalar, false);
      } else {
        // Computed into a temporary, then copied into the target's layout.
        const tmp = emptyOut(be, dtype, target.shape);
        runScalarKernel(be, op, tmp.viewFor(name), target, attrs.scalar, false);
        be.copy(target.viewFor(name), tmp.viewFor(name));
        tmp.dispose();
      }
    }
    bumpVersion(target);
    return target;
  });
}

/**
 * A unary op in place, as its declaration says: float-valued ops are refused on integer/bool
 * targets (the result could not be stored), ops that refuse bool refuse a bool target, and
 * attributes not given take the declaration's defaults.
 */
function unaryInPlace<T extends Tensor>(op: UnaryOp, target: T, args: UnaryAttrs): T {
  const name = `${op}_`;
  const decl = declOf(op);
  checkTensor(name, target);
  checkWritable(name, target);
  if (
    (decl.dtype === 'float' && !isFloating(target.dtype)) ||
    (decl.dtype === 'bool' && target.dtype !== 'bool')
  ) {
    const result = decl.dtype === 'bool' ? 'bool' : 'float32';
    throw new TypeError(
      `${name}: result type ${result} can't be cast to the ${target.dtype} tensor being written in place`,
    );
  }
  if (target.dtype === 'bool' && decl.boolInput !== 'keep') {
    throw new TypeError(`${name}: bool tensors are not supported`);
  }
  const attrs = resolveAttrs(decl, args) as UnaryAttrs;
  return runOp(inplaceDecl(op), [target], attrs, () => {
    const be = target.storage(name).backend;
    if (target.numel() > 0) {
      if (target.isContiguous()) {
        const tv = target.viewFor(name);
        be.unary(op, tv, tv, attrs);
      } else {
        const tmp = emptyOut(be, target.dtype, target.shape);
        be.unary(op, tmp.viewFor(name), target.viewFor(name), attrs);
        be.copy(target.viewFor(name), tmp.viewFor(name));
        tmp.dispose();
      }
    }
    bumpVersion(target);
    return target;
  });
}

/** `alpha * other` for add_/sub_ (alpha must be an integer for integer targets). */
function scaledOperand(op: string, target: Tensor, other: TensorLike, alpha: number | undefined): TensorLike {
  if (alpha === undefined || alpha === 1) return other;
  if (typeof alpha !== 'number') throw new TypeError(`${op}: alpha must be a number, got ${describe(alpha)}`);
  if (!isFloating(target.dtype) && !Number.isInteger(alpha)) {
    throw new TypeError(`${op}: alpha must be an integer for a ${target.dtype} target, got ${alpha}`);
  }
  return other instanceof Tensor ? mul(other, alpha) : Number(other) * alpha;
}

/**
 * Whether an update of `target` by `operands` can run as one fused kernel: a backend that has
 * them, a contiguous float target, operands of its shape, dtype and backend, contiguous, and not
 * overlapping it other than exactly. Otherwise the ops fall back to a chain of primitives.
 */
function fusable(target: Tensor, ...operands: TensorLike[]): boolean {
  const s = target._storage;
  if (s === null || s.backend.update === undefined || !isFloating(target.dtype) || !target.isContiguous())
    return false;
  for (const t of operands) {
    if (!(t instanceof Tensor) || t._storage === null || t._storage.backend !== s.backend) return false;
    if (t.dtype !== target.dtype || !shapesEqual(t.shape, target.shape) || !t.isContiguous()) return false;
    if (!safeAlias(target, t)) return false;
  }
  return true;
}

/** Runs the fused update `op` into `target` (checked by `fusable`), recorded as `name` with `attrs`. */
function fused<T extends Tensor>(
  name: UpdateInplaceOp,
  op: UpdateOp,
  target: T,
  b: Tensor,
  c: Tensor | null,
  s: number,
  attrs: Readonly<Record<string, number>>,
): T {
  return runOp(UPDATE_INPLACE[name], c === null ? [target, b] : [target, b, c], attrs, () => {
    const be = target.storage(name).backend;
    if (target.numel() > 0)
      be.update!(op, target.viewFor(name), b.viewFor(name), c?.viewFor(name) ?? null, s);
    bumpVersion(target);
    return target;
  });
}

/** target += alpha * other */
export function add_<T extends Tensor>(target: T, other: TensorLike, alpha?: number): T {
  checkTensor('add_', target);
  if (typeof alpha === 'number' && alpha !== 1 && fusable(target, other)) {
    return fused('add_', 'axpy', target, other as Tensor, null, alpha, { alpha });
  }
  return binaryInPlace('add', target, scaledOperand('add_', target, other, alpha));
}
/** target -= alpha * other */
export function sub_<T extends Tensor>(target: T, other: TensorLike, alpha?: number): T {
  checkTensor('sub_', target);
  if (typeof alpha === 'number' && alpha !== 1 && fusable(target, other)) {
    return fused('sub_', 'axpy', target, other as Tensor, null, -alpha, { alpha });
  }
  return binaryInPlace('sub', target, scaledOperand('sub_', target, other, alpha));
}
/** target *= other */
export function mul_<T extends Tensor>(target: T, other: TensorLike): T {
  return binaryInPlace('mul', target, other);
}
/** target /= other (true division, so the target must be floating point) */
export function div_<T extends Tensor>(target: T, other: TensorLike): T {
  return binaryInPlace('div', target, other);
}
/** target = maximum(target, other) */
export function maximum_<T extends Tensor>(target: T, other: TensorLike): T {
  return binaryInPlace('maximum', target, other);
}
/** target = minimum(target, other) */
export function minimum_<T extends Tensor>(target: T, other: TensorLike): T {
  return binaryInPlace('minimum', target, other);
}
/** target = target ** exponent */
export function pow_<T extends Tensor>(target: T, exponent: TensorLike): T {
  checkTensor('pow_', target);
  checkIntegerPow('pow_', target.dtype, exponent);
  return binaryInPlace('pow', target, exponent);
}
/** target += value * t1 * t2, computed as (value * t1) * t2 (PyTorch's CPU order) */
export function addcmul_<T extends Tensor>(target: T, t1: Tensor, t2: Tensor, value = 1): T {
  checkTensor('addcmul_', target);
  if (typeof value === 'number' && fusable(target, t1, t2))
    return fused('addcmul_', 'addcmul', target, t1, t2, value, { value });
  return add_(target, mul(value === 1 ? t1 : mul(t1, value), t2));
}
/** target += value * t1 / t2, computed as (value * t1) / t2 (PyTorch's CPU order) */
export function addcdiv_<T extends Tensor>(target: T, t1: Tensor, t2: Tensor, value = 1): T {
  checkTensor('addcdiv_', target);
  if (typeof value === 'number' && fusable(target, t1, t2))
    return fused('addcdiv_', 'addcdiv', target, t1, t2, value, { value });
  return add_(target, div(value === 1 ? t1 : mul(t1, value), t2));
}
/**
 * target += weight * (end - target). With a number weight of magnitude 0.5 or more it computes
 * `end - (end - target) * (1 - weight)` instead, PyTorch's more accurate form there.
 */
export function lerp_<T extends Tensor>(target: T, end: TensorLike, weight: TensorLike): T {
  checkTensor('lerp_', target);
  if (typeof weight !== 'number') return add_(target, mul(sub(end, target), weight));
  if (fusable(target, end)) return fused('lerp_', 'lerp', target, end as Tensor, null, weight, { weight });
  const d = sub(end, target);
  if (Math.abs(weight) < 0.5) return add_(target, mul(d, weight));
  return copy_(target, sub(end, mul(d, 1 - weight)));
}
/** Clamps in place into [min, max] (either may be omitted; bounds may be tensors that broadcast to the target). */
export function clamp_<T extends Tensor>(target: T, min?: TensorLike | null, max?: TensorLike | null): T {
  checkTensor('clamp_', target);
  if (min instanceof Tensor || max instanceof Tensor) {
    const r = clampTensor(target, min, max);
    if (!canCast(r.dtype, target.dtype)) {
      throw new TypeError(
        `clamp_: result type ${r.dtype} can't be cast to the ${target.dtype} tensor being written in place`,
      );
    }
    return copy_(target, r);
  }
  const attrs = clampAttrs('clamp_', min as number | null | undefined, max as number | null | undefined);
  if (!isFloating(target.dtype) && clampNeedsFloat(attrs)) {
    throw new TypeError(
      `clamp_: result type float32 can't be cast to the ${target.dtype} tensor being written in place`,
    );
  }
  return unaryInPlace('clamp', target, attrs);
}
/** Square root in place (floating targets only). */
export function sqrt_<T extends Tensor>(target: T): T {
  return unaryInPlace('sqrt', target, {});
}
/** Negates in place. */
export function neg_<T extends Tensor>(target: T): T {
  return unaryInPlace('neg', target, {});
}
/** Runs any unary kernel in place (e.g. `'relu'`, `'exp'`); float-valued ops need a float target. */
export function unary_<T extends Tensor>(target: T, op: UnaryOp, attrs: UnaryAttrs = {}): T {
  return unaryInPlace(op, target, attrs);
}

/**
 * Copies `src` into the target: broadcast to the target's shape and converted to its dtype (float
 * → int truncates, → bool is `!= 0`). A source on another device is brought over first.
 */
export function copy_<T extends Tensor>(target: T, src: TensorLike): T {
  checkTensor('copy_', target);
  checkWritable('copy_', target);
  let s = asTensor('copy_', src, target, target.dtype);
  checkInto('copy_', target, target.dtype, s.shape);
  if (s.storage('copy_').backend !== target.storage('copy_').backend) s = toDevice(s, target.device);
  return runOp(COPY_INPLACE_OP, [target, s], undefined, () => {
    const be = target.storage('copy_').backend;
    if (target.numel() > 0) {
      // A source sharing memory with the target (other than exactly) is read completely first.
      const read = safeAlias(target, s) ? s : copyOf(be, s);
      be.copy(target.viewFor('copy_'), broadcastView('copy_', read, target.shape));
      if (read !== s) read.dispose();
    }
    bumpVersion(target);
    return target;
  });
}

/** A contiguous copy made with kernels only. */
function copyOf(be: Backend, t: Tensor): Tensor {
  const c = emptyOut(be, t.dtype, t.shape);
  if (c.numel() > 0) be.copy(c.viewFor('copy_'), t.viewFor('copy_'));
  return c;
}

/** Sets every element to `value` (converted to the target's dtype). */
export function fill_<T extends Tensor>(target: T, value: number | boolean): T {
  checkTensor('fill_', target);
  checkWritable('fill_', target);
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`fill_: value must be a number or boolean, got ${describe(value)}`);
  }
  const v = storedValue('fill_', target.dtype, value);
  return runOp(FILL_INPLACE_OP, [target], { value }, () => {
    const be = target.storage('fill_').backend;
    if (target.numel() > 0) {
      if (target.isContiguous()) {
        be.fill(target.viewFor('fill_'), v);
      } else {
        const s = emptyOut(be, target.dtype, []);
        be.fill(s.viewFor('fill_'), v);
        be.copy(target.viewFor('fill_'), broadcastView('fill_', s, target.shape));
        s.dispose();
      }
    }
    bumpVersion(target);
    return target;
  });
}
