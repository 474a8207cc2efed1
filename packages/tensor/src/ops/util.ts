import type { Backend } from '../backend.js';
import { type DType, itemSize, type TypedArray } from '../dtype.js';
import { describeValue as describe } from '../kit-checks.js';
import { contiguousStrides, sizeOf } from '../shape.js';
import { isGcOwned, Storage } from '../storage.js';
import { Tensor, type TensorLike } from '../tensor.js';

/** A new contiguous tensor on `backend` (zero-filled on the CPU backend, unspecified elsewhere). */
export function empty(backend: Backend, dtype: DType, shape: readonly number[]): Tensor {
  return Tensor._empty(backend, dtype, shape);
}

/**
 * A new contiguous tensor for a kernel to overwrite completely: its contents are not cleared
 * first where the backend can skip that (`allocUninitialized`). Never read it before writing.
 */
export function emptyOut(backend: Backend, dtype: DType, shape: readonly number[]): Tensor {
  if (backend.allocUninitialized === undefined) return Tensor._empty(backend, dtype, shape);
  if (!backend.supportsDType(dtype)) {
    throw new TypeError(`dtype ${dtype} is not supported by the ${backend.name} backend`);
  }
  const size = sizeOf(shape);
  const storage = new Storage(backend, backend.allocUninitialized(dtype, size), dtype, size);
  return new Tensor(storage, shape, contiguousStrides(shape), 0);
}

/**
 * The number a dtype stores for a JS value, as PyTorch converts a Python scalar: bool is
 * `value != 0`, int32 truncates toward zero (non-finite values are an error), floats keep it.
 */
export function storedValue(op: string, dtype: DType, value: number | boolean): number {
  const v = Number(value);
  if (dtype === 'bool') return v !== 0 ? 1 : 0;
  if (dtype === 'int32') {
    if (!Number.isFinite(v)) throw new RangeError(`${op}: cannot convert ${v} to int32`);
    const t = Math.trunc(v);
    // `| 0` would wrap 3e9 to -1294967296: a silently wrong value, so out of range is an error.
    if (t > 2147483647 || t < -2147483648) {
      throw new RangeError(
        `${op}: value ${v} is out of range for int32 [-2147483648, 2147483647]; use a floating dtype`,
      );
    }
    return t === 0 ? 0 : t; // no -0
  }
  return v;
}

/** A 0-d tensor holding `value` (converted to `dtype`) on `backend`. */
export function scalarOn(backend: Backend, value: number | boolean, dtype: DType, op = 'scalar'): Tensor {
  const out = emptyOut(backend, dtype, []);
  backend.fill(out.viewFor(op), storedValue(op, dtype, value));
  return out;
}

/** Throws a clear error naming `op` if any of the tensors was disposed. */
export function alive(op: string, ...ts: readonly Tensor[]): void {
  for (const t of ts) t.storage(op);
}

/** Throws unless every tensor lives on the same backend; returns that backend. */
export function sameBackend(op: string, ...ts: readonly Tensor[]): Backend {
  const b = ts[0]!.storage(op).backend;
  for (let i = 1; i < ts.length; i++) {
    const o = ts[i]!.storage(op).backend;
    if (o !== b) throw differentBackends(op, b, o);
  }
  return b;
}

/** `sameBackend` for exactly two tensors (no argument array: used on every binary op). */
export function sameBackend2(op: string, a: Tensor, b: Tensor): Backend {
  const ba = a.storage(op).backend;
  const bb = b.storage(op).backend;
  if (ba !== bb) throw differentBackends(op, ba, bb);
  return ba;
}

function differentBackends(op: string, b: Backend, o: Backend): Error {
  return new Error(
    b.name === o.name
      ? `${op}: tensors are on different backend instances (both named '${b.name}'); move one with .to(device)`
      : `${op}: tensors are on different devices (${b.name} and ${o.name}); move one with .to('${b.name}')`,
  );
}

/**
 * Turns a TensorLike into a tensor on `like`'s backend (numbers become 0-d tensors of `dtype`).
 * The 0-d tensor of a number may be a shared, cached constant: callers only read it.
 */
export function asTensor(op: string, x: TensorLike, like: Tensor, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number' && typeof x !== 'boolean') {
    throw new TypeError(`${op}: expected a tensor, number or boolean, got ${describe(x)}`);
  }
  return scalarOperand(like.storage(op).backend, x, dtype, op);
}

// Scalar operands (`x.mul(0.5)`, `x.add(1)`) reuse read-only 0-d constants, one per backend, dtype
// and JS value, instead of allocating (and later finalizing) a tensor per call. Only buffers the
// garbage collector owns are cached (the CPU backend's), since constants are never freed; they are
// not counted by memory(). A constant that was written in place (its version moved: possible only
// through a reference handed to an op observer) is never handed out again.

/** Constants kept per backend and dtype before the cache starts over. */
const MAX_CONSTANTS = 256;
const constants = new WeakMap<Backend, Record<DType, Map<number, Tensor>>>();

function constantsOf(backend: Backend, dtype: DType): Map<number, Tensor> {
  let byDtype = constants.get(backend);
  if (byDtype === undefined) {
    byDtype = { float32: new Map(), float64: new Map(), int32: new Map(), bool: new Map() };
    constants.set(backend, byDtype);
  }
  return byDtype[dtype];
}

/** A 0-d tensor of `dtype` holding `value`, for use as a read-only operand (see above). */
function scalarOperand(backend: Backend, value: number | boolean, dtype: DType, op: string): Tensor {
  const key = typeof value === 'number' ? value : value ? 1 : 0;
  // -0 and 0 are one Map key but different float values: -0 is never cached.
  const cacheable = key !== 0 || 1 / key > 0;
  const cache = constantsOf(backend, dtype);
  if (cacheable) {
    const hit = cache.get(key);
    if (hit !== undefined && hit._storage!.version === 0) return hit;
  }
  if (!backend.supportsDType(dtype)) {
    throw new TypeError(`dtype ${dtype} is not supported by the ${backend.name} backend`);
  }
  const v = storedValue(op, dtype, value);
  const buffer =
    backend.allocUninitialized === undefined ? backend.alloc(dtype, 1) : backend.allocUninitialized(dtype, 1);
  const constant = cacheable && isGcOwned(buffer);
  const t = new Tensor(new Storage(backend, buffer, dtype, 1, !constant), [], [], 0, !constant);
  backend.fill(t.viewFor(op), v);
  if (constant) {
    if (cache.size >= MAX_CONSTANTS) cache.clear();
    cache.set(key, t);
  }
  return t;
}

// A short description of a value for error messages; the check that an argument is a live tensor.
export { checkTensor, describeValue as describe } from '../kit-checks.js';

/** Bytes of a tensor's elements (not of its buffer). */
export function nbytes(t: Tensor): number {
  return t.numel() * itemSize(t.dtype);
}

/** Marks an in-place write on a tensor's buffer (autograd's saved-tensor check reads this). */
export function bumpVersion(t: Tensor): void {
  t.storage('in-place').version++;
}

/**
 * `t`'s values when its backend reads synchronously (the CPU backend), else null. Value checks
 * PyTorch makes (a zero integer divisor, probabilities outside [0, 1]) run only then: elsewhere
 * they would need a readback, which a training step must never force.
 */
export function syncValues(t: Tensor): TypedArray | null {
  return t.backend.readSync === undefined || t.numel() === 0 ? null : t.dataSync();
}
