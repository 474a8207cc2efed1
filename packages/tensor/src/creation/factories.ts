import {
  backendFor,
  type CreationOptions,
  creationOptions,
  dtypeOpt,
  finish,
  type SizeArgs,
  shapeArg,
  sizeArgs,
} from '../creation-args.js';
import { allocArray, checkDType, type DType, type TypedArray } from '../dtype.js';
import { checkTensor, empty, emptyOut, storedValue } from '../ops/util.js';
import { checkShape, contiguousStrides, fmt, sizeOf } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';

export { type CreationOptions, finish, type RandomOptions, type SizeArgs } from '../creation-args.js';

/** Nested arrays of numbers/booleans accepted by `tensor()`. */
export type NestedInput = number | boolean | readonly NestedInput[];

/** Anything `tensor()` accepts. */
export type TensorData =
  | NestedInput
  | TypedArray
  | Int8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Uint32Array;

/** Wraps a typed array of the right element type as a new contiguous tensor (the data is copied). */
export function fromTypedArray(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  device?: string,
): Tensor {
  const b = backendFor('tensor', { device }, dtype);
  const storage = new Storage(b, b.upload(dtype, data), dtype, data.length);
  return new Tensor(storage, [...shape], contiguousStrides(shape), 0);
}

function dtypeOfTyped(data: ArrayBufferView): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/**
 * Creates a tensor from nested arrays, a typed array or a number (always a copy of the data).
 * dtype is inferred as PyTorch does: all booleans → bool, all integers (booleans allowed) → int32,
 * otherwise float32; Float32Array/Float64Array keep their type and integer typed arrays give
 * int32. `opts.shape` reshapes the flat data. Ragged nested arrays are an error.
 */
export function tensor(data: TensorData, opts?: CreationOptions & { shape?: readonly number[] }): Tensor {
  creationOptions('tensor', opts, { shape: 'array' });
  if (opts?.dtype !== undefined) checkDType('tensor', opts.dtype);
  let shape: number[];
  let flat: ArrayLike<number | boolean>;
  let inferred: DType;
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView)
      throw new TypeError('tensor: a DataView is not supported; pass a typed array');
    flat = data as unknown as ArrayLike<number>;
    shape = [flat.length];
    inferred = dtypeOfTyped(data);
  } else {
    const r = flattenNested(data as NestedInput);
    flat = r.values;
    shape = r.shape;
    inferred = r.allBool ? 'bool' : r.allInt ? 'int32' : 'float32';
  }
  if (opts?.shape !== undefined) {
    const s = checkShape('tensor', opts.shape);
    if (sizeOf(s) !== flat.length) {
      throw new RangeError(`tensor: shape ${fmt(s)} does not match the ${flat.length} values given`);
    }
    shape = s;
  }
  const dtype = opts?.dtype ?? inferred;
  const arr = allocArray(dtype, flat.length);
  const sameType =
    (dtype === 'float32' && data instanceof Float32Array) ||
    (dtype === 'float64' && data instanceof Float64Array) ||
    (dtype === 'int32' && data instanceof Int32Array);
  if (sameType) arr.set(flat as TypedArray);
  else if (dtype === 'float32' || dtype === 'float64')
    for (let i = 0; i < flat.length; i++) arr[i] = +flat[i]!;
  else for (let i = 0; i < flat.length; i++) arr[i] = intValue(dtype, flat, i);
  return finish(fromTypedArray(arr, shape, dtype, opts?.device), opts);
}

/** Element i of `flat` as `dtype` stores it; an out-of-range int32 names its index. */
function intValue(dtype: DType, flat: ArrayLike<number | boolean>, i: number): number {
  try {
    return storedValue('tensor', dtype, flat[i]!);
  } catch (e) {
    if (e instanceof RangeError && flat.length > 1) {
      throw new RangeError(`${e.message} (element at flat index ${i})`);
    }
    throw e;
  }
}

interface Flattened {
  values: (number | boolean)[];
  shape: number[];
  allBool: boolean;
  allInt: boolean;
}

function flattenNested(data: NestedInput): Flattened {
  if (!Array.isArray(data)) {
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new TypeError(
        `tensor: expected nested arrays of numbers or booleans, got ${describeValue(data)}`,
      );
    }
    const isBool = typeof data === 'boolean';
    return { values: [data], shape: [], allBool: isBool, allInt: isBool || Number.isInteger(data) };
  }
  // The shape comes from the first element at each depth; every other element must match it.
  const shape: number[] = [];
  for (let d: unknown = data; Array.isArray(d); d = d[0]) {
    shape.push(d.length);
    if (d.length === 0) break;
  }
  const st: Flattened = { values: [], shape, allBool: true, allInt: true };
  const path: number[] = [];
  walk(data, 0, path, st);
  if (st.values.length === 0) {
    st.allBool = false;
    st.allInt = false;
  }
  return st;
}

function walk(node: unknown, depth: number, path: number[], st: Flattened): void {
  const shape = st.shape;
  if (depth === shape.length) {
    if (typeof node === 'number') {
      st.allBool = false;
      if (st.allInt && !Number.isInteger(node)) st.allInt = false;
    } else if (typeof node !== 'boolean') {
      if (Array.isArray(node)) {
        throw new RangeError(
          `tensor: ragged nested array: element at [${path.join(',')}] is an array but the first element at that depth is a scalar (expected shape ${fmt(shape)})`,
        );
      }
      throw new TypeError(
        `tensor: element at [${path.join(',')}] is ${describeValue(node)}, expected a number or boolean`,
      );
    }
    st.values.push(node);
    return;
  }
  if (!Array.isArray(node) || node.length !== shape[depth]) {
    throw new RangeError(
      `tensor: ragged nested array: at [${path.join(',')}] expected ${shape[depth]} elements (from the first element at that depth) but got ${Array.isArray(node) ? node.length : 'a scalar'} (expected shape ${fmt(shape)})`,
    );
  }
  for (let i = 0; i < node.length; i++) {
    path.push(i);
    walk(node[i], depth + 1, path, st);
    path.pop();
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `a ${typeof v}`;
}

/** The dtype PyTorch infers for a fill value: bool, int32 for integers, else float32. */
function valueDType(value: number | boolean): DType {
  return typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int32' : 'float32';
}

/** A tensor of `shape` filled with `value`. dtype: from opts, else inferred from the value. */
export function full(
  shape: number | readonly number[],
  value: number | boolean,
  opts?: CreationOptions,
): Tensor {
  return filled('full', shapeArg('full', shape), value, creationOptions('full', opts));
}

function filled(op: string, s: number[], value: number | boolean, opts?: CreationOptions): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`${op}: value must be a number or boolean, got ${describeValue(value)}`);
  }
  const dtype = dtypeOpt(op, opts, valueDType(value));
  const v = storedValue(op, dtype, value);
  const b = backendFor(op, opts, dtype);
  const out = emptyOut(b, dtype, s);
  if (out.numel() > 0) b.fill(out.viewFor(op), v);
  return finish(out, opts);
}

/**
 * A float32 (or `opts.dtype`) tensor of zeros: `zeros([2, 3])` or `zeros(2, 3)`, options last.
 */
export function zeros(...args: SizeArgs<CreationOptions>): Tensor {
  const { shape, opts } = sizeArgs<CreationOptions>('zeros', args);
  creationOptions('zeros', opts);
  return filled('zeros', shape, 0, { ...opts, dtype: opts?.dtype ?? 'float32' });
}

/** A float32 (or `opts.dtype`) tensor of ones: `ones([2, 3])` or `ones(2, 3)`, options last. */
export function ones(...args: SizeArgs<CreationOptions>): Tensor {
  const { shape, opts } = sizeArgs<CreationOptions>('ones', args);
  creationOptions('ones', opts);
  return filled('ones', shape, 1, { ...opts, dtype: opts?.dtype ?? 'float32' });
}

/**
 * A tensor whose contents are not meant to be read before being written (PyTorch's `empty`):
 * `empty([2, 3])` or `empty(2, 3)`. The CPU backend zero-fills it; other backends may not.
 */
export function empty_(...args: SizeArgs<CreationOptions>): Tensor {
  const { shape, opts } = sizeArgs<CreationOptions>('empty', args);
  creationOptions('empty', opts);
  const dtype = dtypeOpt('empty', opts, 'float32');
  return finish(empty(backendFor('empty', opts, dtype), dtype, shape), opts);
}

/** The options of a `*Like` function: `t`'s dtype and device unless given. */
export function likeOpts(op: string, t: Tensor, opts?: CreationOptions): CreationOptions {
  checkTensor(op, t);
  creationOptions(op, opts, { generator: 'object' });
  return {
    dtype: opts?.dtype ?? t.dtype,
    device: opts?.device ?? t.device,
    requiresGrad: opts?.requiresGrad ?? false,
  };
}

/** zeros with `t`'s shape, dtype and device. */
export const zerosLike = (t: Tensor, opts?: CreationOptions): Tensor =>
  zeros(t.shape, likeOpts('zerosLike', t, opts));
/** ones with `t`'s shape, dtype and device. */
export const onesLike = (t: Tensor, opts?: CreationOptions): Tensor =>
  ones(t.shape, likeOpts('onesLike', t, opts));
/** full with `t`'s shape, dtype and device. */
export const fullLike = (t: Tensor, value: number | boolean, opts?: CreationOptions): Tensor =>
  full(t.shape, value, likeOpts('fullLike', t, opts));
/** empty with `t`'s shape, dtype and device. */
export const emptyLike = (t: Tensor, opts?: CreationOptions): Tensor =>
  empty_(t.shape, likeOpts('emptyLike', t, opts));

/**
 * Values from `start` to `end` (exclusive) by `step`; `arange(n)` is 0..n-1. int32 when all
 * arguments are integers, else float32. Options may also come second: `arange(5, { dtype })`.
 */
export function arange(
  start: number,
  end?: number | CreationOptions,
  step: number | CreationOptions = 1,
  opts?: CreationOptions,
): Tensor {
  if (typeof end === 'object' && end !== null) {
    opts = end;
    end = undefined;
  } else if (typeof step === 'object' && step !== null) {
    opts = step;
    step = 1;
  }
  creationOptions('arange', opts);
  if (end === undefined) {
    end = start;
    start = 0;
  }
  const st = step as number;
  for (const [name, v] of [
    ['start', start],
    ['end', end],
    ['step', st],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`arange: ${name} must be a finite number, got ${v}`);
  }
  if (st === 0) throw new RangeError('arange: step must be non-zero');
  if ((end - start) / st < 0) {
    throw new RangeError(`arange: step ${st} has the wrong sign to go from start ${start} to end ${end}`);
  }
  const n = Math.ceil((end - start) / st);
  const dtype = dtypeOpt('arange', opts, [start, end, st].every(Number.isInteger) ? 'int32' : 'float32');
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = storedValue('arange', dtype, start + i * st);
  return finish(fromTypedArray(data, [n], dtype, opts?.device), opts);
}

/** `steps` evenly spaced values from start to end inclusive (float32 unless `opts.dtype`). */
export function linspace(start: number, end: number, steps: number, opts?: CreationOptions): Tensor {
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new RangeError(`linspace: start ${start} and end ${end} must be finite`);
  }
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  }
  creationOptions('linspace', opts);
  const dtype = dtypeOpt('linspace', opts, 'float32');
  const data = allocArray(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends as PyTorch does, so the first value is exactly `start` and the last `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    const v = i < half || steps === 1 ? start + step * i : end - step * (steps - 1 - i);
    data[i] = storedValue('linspace', dtype, v);
  }
  return finish(fromTypedArray(data, [steps], dtype, opts?.device), opts);
}

/** An n x m identity matrix (m defaults to n; `eye(n, opts)` works too). */
export function eye(n: number, m?: number | CreationOptions, opts?: CreationOptions): Tensor {
  if (typeof m === 'object' && m !== null) {
    opts = m;
    m = undefined;
  }
  creationOptions('eye', opts);
  const cols = m ?? n;
  checkShape('eye', [n, cols]);
  const dtype = dtypeOpt('eye', opts, 'float32');
  const data = allocArray(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return finish(fromTypedArray(data, [n, cols], dtype, opts?.device), opts);
}
