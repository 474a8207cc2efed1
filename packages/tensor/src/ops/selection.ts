import type { Backend } from '../backend.js';
import { isFloating, type TypedArray } from '../dtype.js';
import { checkOptions } from '../options.js';
import { fmt, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { isnan, where } from './elementwise.js';
import { fromArrayOn, scalarOf } from './from-array.js';
import { gather, indexSelect } from './indexing.js';
import { contiguous, reshape, squeeze } from './movement.js';
import { argsort, sum } from './reduce.js';
import { KEEPDIM_DEFAULT } from './reduce-decls.js';
import { checkTensor, describe } from './util.js';

// Median (a composite of argsort and gather: no read-back, differentiable) and the ops whose
// result size depends on the data (nonzero, unique), which read their input back: synchronously
// where the backend allows it, or through the *Async variants (as maskedSelect does).

/**
 * The lower median along `dim` with its index (PyTorch's `median(dim)`), or of all elements when
 * `dim` is omitted (then a 0-d tensor, the values alone). NaN propagates: a row holding NaN has
 * median NaN, at the index of its first NaN. Values are gathered from `x`, so differentiable.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function median(
  x: Tensor,
  dim?: number,
  keepdim = KEEPDIM_DEFAULT,
): Tensor | { values: Tensor; indices: Tensor } {
  checkTensor('median', x);
  if (x.dtype === 'bool') throw new TypeError('median: bool tensors are not supported');
  if (dim === undefined) {
    if (x.numel() === 0) return scalarOf(x.backend, Number.NaN, isFloating(x.dtype) ? x.dtype : 'float32');
    return reshape(medianAlong(reshape(x, [-1]), 0).values, []);
  }
  if (typeof dim !== 'number') throw new TypeError(`median: dim must be an integer, got ${describe(dim)}`);
  if (typeof keepdim !== 'boolean')
    throw new TypeError(`median: keepdim must be a boolean, got ${describe(keepdim)}`);
  const src = x.ndim === 0 ? reshape(x, [1]) : x;
  const d = normalizeDim('median', dim, src.ndim);
  if (src.shape[d] === 0) {
    throw new RangeError(`median: dim ${dim} of the input (shape ${fmt(x.shape)}) has size 0: no median`);
  }
  const r = medianAlong(src, d);
  if (x.ndim === 0) return { values: reshape(r.values, []), indices: reshape(r.indices, []) };
  if (keepdim) return r;
  return { values: squeeze(r.values, d), indices: squeeze(r.indices, d) };
}

/** Median along `d` (non-empty), keeping `d` with size 1. */
function medianAlong(x: Tensor, d: number): { values: Tensor; indices: Tensor } {
  const n = x.shape[d]!;
  const order = argsort(x, d);
  // Position (n - 1) / 2 in sorted order; NaN sorts last, so a row with NaN takes position
  // `count of non-NaN`, its first NaN.
  let pos = scalarOf(x.backend, (n - 1) >> 1, 'int32');
  if (isFloating(x.dtype)) {
    const finite = sum(isnan(x).not(), d, true);
    pos = where(finite.lt(n), finite, pos);
  }
  const shape = [...x.shape];
  shape[d] = 1;
  const at = contiguous(pos.expand(shape));
  const indices = gather(order, d, at);
  return { values: gather(x, d, indices), indices };
}

/** Reads `x` back synchronously for `op`, or explains how to read it asynchronously. */
function readNow(op: string, x: Tensor): TypedArray {
  const b = x.backend;
  if (b.readSync === undefined) {
    throw new Error(
      `${op}: the ${b.name} backend cannot read the input synchronously (the result's size depends on it); use await ${op}Async(...)`,
    );
  }
  return x.dataSync();
}

function nonzeroOf(b: Backend, shape: readonly number[], data: TypedArray): Tensor {
  const nd = shape.length;
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  const out = new Int32Array(count * nd);
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, s) => a * s, 1));
  for (let i = 0, r = 0; i < data.length; i++) {
    if (data[i] === 0) continue;
    for (let k = 0; k < nd; k++) out[r * nd + k] = Math.floor(i / strides[k]!) % shape[k]!;
    r++;
  }
  return fromArrayOn(b, 'int32', out, [count, nd]);
}

/**
 * The indices of the non-zero (true) elements of `x`, as an int32 tensor of shape [count, ndim]
 * in row-major order (PyTorch's `nonzero`). NaN counts as non-zero. Reads `x` synchronously; on a
 * backend that cannot (WebGPU) use `await nonzeroAsync(x)`.
 */
export function nonzero(x: Tensor): Tensor {
  checkTensor('nonzero', x);
  return nonzeroOf(x.backend, x.shape, readNow('nonzero', x));
}

/** `nonzero` for any backend: reads `x` back asynchronously. */
export async function nonzeroAsync(x: Tensor): Promise<Tensor> {
  checkTensor('nonzeroAsync', x);
  return nonzeroOf(x.backend, x.shape, await x.data());
}

/** Options of `unique` (PyTorch's names; the values are always returned sorted). */
export interface UniqueOptions {
  /** Sort the values ascending (default true; unsorted order is unspecified in PyTorch, so sorted here too). */
  sorted?: boolean;
  /** Also return, for each input element, the index of its value in `values` (shape of the input). */
  returnInverse?: boolean;
  /** Also return how often each value occurs. */
  returnCounts?: boolean;
  /** Find distinct slices along this dim (in lexicographic order) instead of distinct elements. */
  dim?: number;
}

/** What `unique` returns when `returnInverse` or `returnCounts` is set. */
export interface UniqueResult {
  /** The distinct values, ascending (each NaN is distinct, last). */
  values: Tensor;
  /** int32, the input's shape (with `dim`: [size of dim]): index into `values` of each element or slice. */
  inverse?: Tensor;
  /** int32, one count per value (when asked for). */
  counts?: Tensor;
}

/** Options asking for the inverse or the counts: `unique` then returns a `UniqueResult`. */
export type UniqueAsked = UniqueOptions & ({ returnInverse: true } | { returnCounts: true });

const UNIQUE_SPEC = {
  sorted: 'boolean',
  returnInverse: 'boolean',
  returnCounts: 'boolean',
  dim: 'integer',
} as const;

type UniqueConfig = Required<Omit<UniqueOptions, 'dim'>> & { dim: number | undefined };

function uniqueOptions(op: string, x: Tensor, opts: UniqueOptions): UniqueConfig {
  checkOptions(op, opts, UNIQUE_SPEC);
  const { sorted = true, returnInverse = false, returnCounts = false } = opts;
  const dim = opts.dim === undefined ? undefined : normalizeDim(op, opts.dim, x.ndim);
  return { sorted, returnInverse, returnCounts, dim };
}

function uniqueOf(x: Tensor, data: TypedArray, o: UniqueConfig): Tensor | UniqueResult {
  if (o.dim !== undefined) return uniqueSlices(x, data, o.dim, o);
  const n = data.length;
  const order = Array.from({ length: n }, (_, i) => i);
  // NaN last (each one distinct), as PyTorch's sorted unique.
  const key = (i: number) => data[i]!;
  order.sort((i, j) => {
    const a = key(i);
    const b = key(j);
    if (Number.isNaN(a)) return Number.isNaN(b) ? i - j : 1;
    if (Number.isNaN(b)) return -1;
    return a - b || i - j;
  });
  const values: number[] = [];
  const counts: number[] = [];
  const inverse = new Int32Array(n);
  for (const i of order) {
    const v = key(i);
    if (values.length > 0 && values[values.length - 1] === v) counts[counts.length - 1]!++;
    else {
      values.push(v);
      counts.push(1);
    }
    inverse[i] = values.length - 1;
  }
  const b = x.backend;
  const ctor = data.constructor as new (v: number[]) => TypedArray;
  const vt = fromArrayOn(b, x.dtype, new ctor(values), [values.length]);
  if (!o.returnInverse && !o.returnCounts) return vt;
  const res: UniqueResult = { values: vt };
  if (o.returnInverse) res.inverse = fromArrayOn(b, 'int32', inverse, x.shape);
  if (o.returnCounts) res.counts = fromArrayOn(b, 'int32', Int32Array.from(counts), [counts.length]);
  return res;
}

/** Compares two numbers as sorted unique does: ascending, NaN last. */
function cmpValue(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `unique` along `dim`: distinct slices in lexicographic order (a slice holding NaN is distinct). */
function uniqueSlices(x: Tensor, data: TypedArray, d: number, o: UniqueConfig): Tensor | UniqueResult {
  const size = x.shape[d]!;
  const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = x.shape.slice(0, d).reduce((a, b) => a * b, 1);
  const slices: number[][] = [];
  for (let i = 0; i < size; i++) {
    const s: number[] = [];
    for (let a = 0; a < outer; a++)
      for (let k = 0; k < inner; k++) s.push(Number(data[(a * size + i) * inner + k]!));
    slices.push(s);
  }
  const cmp = (i: number, j: number): number => {
    for (let k = 0; k < slices[i]!.length; k++) {
      const c = cmpValue(slices[i]![k]!, slices[j]![k]!);
      if (c !== 0) return c;
    }
    return 0;
  };
  const same = (i: number, j: number) => slices[i]!.every((v, k) => v === slices[j]![k]);
  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) => cmp(i, j) || i - j);
  const first: number[] = [];
  const counts: number[] = [];
  const inverse = new Int32Array(size);
  for (const i of order) {
    if (first.length > 0 && same(first[first.length - 1]!, i)) counts[counts.length - 1]!++;
    else {
      first.push(i);
      counts.push(1);
    }
    inverse[i] = first.length - 1;
  }
  const b = x.backend;
  const values = indexSelect(x.detach(), d, fromArrayOn(b, 'int32', Int32Array.from(first), [first.length]));
  if (!o.returnInverse && !o.returnCounts) return values;
  const res: UniqueResult = { values };
  if (o.returnInverse) res.inverse = fromArrayOn(b, 'int32', inverse, [size]);
  if (o.returnCounts) res.counts = fromArrayOn(b, 'int32', Int32Array.from(counts), [counts.length]);
  return res;
}

/**
 * The distinct elements of `x` (flattened), ascending (PyTorch's `unique`), or with `dim` the
 * distinct slices along it. With `returnInverse`
 * or `returnCounts` it returns `{ values, inverse?, counts? }`. Not differentiable. Reads `x`
 * synchronously; on a backend that cannot (WebGPU) use `await uniqueAsync(x, opts)`.
 */
export function unique(
  x: Tensor,
  opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false },
): Tensor;
export function unique(x: Tensor, opts: UniqueAsked): UniqueResult;
export function unique(x: Tensor, opts: UniqueOptions): Tensor | UniqueResult;
export function unique(x: Tensor, opts: UniqueOptions = {}): Tensor | UniqueResult {
  checkTensor('unique', x);
  const o = uniqueOptions('unique', x, opts);
  return uniqueOf(x, readNow('unique', x), o);
}

/** `unique` for any backend: reads `x` back asynchronously. */
export async function uniqueAsync(
  x: Tensor,
  opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false },
): Promise<Tensor>;
export async function uniqueAsync(x: Tensor, opts: UniqueAsked): Promise<UniqueResult>;
export async function uniqueAsync(x: Tensor, opts: UniqueOptions): Promise<Tensor | UniqueResult>;
export async function uniqueAsync(x: Tensor, opts: UniqueOptions = {}): Promise<Tensor | UniqueResult> {
  checkTensor('uniqueAsync', x);
  const o = uniqueOptions('uniqueAsync', x, opts);
  return uniqueOf(x, await x.data(), o);
}
