import type { Backend } from '../backend.js';
import { type DType, itemSize } from '../dtype.js';
import { contiguousStrides, fmt, sizeOf } from '../shape.js';
import { Storage } from '../storage.js';
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
    return Math.trunc(v) | 0;
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
    if (o !== b) {
      throw new Error(
        b.name === o.name
          ? `${op}: tensors are on different backend instances (both named '${b.name}'); move one with .to(device)`
          : `${op}: tensors are on different devices (${b.name} and ${o.name}); move one with .to('${b.name}')`,
      );
    }
  }
  return b;
}

/** Turns a TensorLike into a tensor on `like`'s backend (numbers become 0-d tensors of `dtype`). */
export function asTensor(op: string, x: TensorLike, like: Tensor, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number' && typeof x !== 'boolean') {
    throw new TypeError(`${op}: expected a tensor, number or boolean, got ${describe(x)}`);
  }
  return scalarOn(like.storage(op).backend, x, dtype, op);
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x instanceof Tensor) return `tensor of shape ${fmt(x.shape)} (${x.dtype})`;
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

/** Throws unless `t` is a tensor that has not been disposed. */
export function checkTensor(op: string, t: unknown, what = 'input'): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${what} must be a tensor, got ${describe(t)}`);
  t.storage(op);
  return t;
}

/** Bytes of a tensor's elements (not of its buffer). */
export function nbytes(t: Tensor): number {
  return t.numel() * itemSize(t.dtype);
}

/** Marks an in-place write on a tensor's buffer (autograd's saved-tensor check reads this). */
export function bumpVersion(t: Tensor): void {
  t.storage('in-place').version++;
}
