import type { Backend } from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { contiguousStrides } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { scalarOn } from './util.js';

/**
 * A new contiguous tensor on `backend` holding `data` (whose element type matches `dtype`).
 * Used by composite ops for small constant helpers (index lists, masks) built on the host.
 */
export function fromArrayOn(
  backend: Backend,
  dtype: DType,
  data: TypedArray,
  shape: readonly number[],
): Tensor {
  const storage = new Storage(backend, backend.upload(dtype, data), dtype, data.length);
  return new Tensor(storage, [...shape], contiguousStrides(shape), 0);
}

/** A 1-D int32 tensor of `values` on `backend`. */
export function int32On(backend: Backend, values: Int32Array): Tensor {
  return fromArrayOn(backend, 'int32', values, [values.length]);
}

/**
 * A 0-d tensor of `dtype` holding `value` as a tensor of that dtype would store it: bool is
 * `value != 0`, int32 truncates toward zero (out of range is a RangeError naming `op`).
 */
export function scalarOf(backend: Backend, value: number | boolean, dtype: DType, op = 'scalar'): Tensor {
  const v = Number(value);
  return scalarOn(
    backend,
    dtype === 'bool' ? (v !== 0 ? 1 : 0) : dtype === 'int32' ? Math.trunc(v) : v,
    dtype,
    op,
  );
}
