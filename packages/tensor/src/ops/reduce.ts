import type { ReduceOp, View } from '../backend.js';
import { runOp } from '../dispatch.js';
import {
  ALL_OP,
  AMAX_OP,
  AMIN_OP,
  ANY_OP,
  ARGMAX_OP,
  ARGMIN_OP,
  CUMPROD_OP,
  CUMSUM_OP,
  KEEPDIM_DEFAULT,
  LOG_SOFTMAX_OP,
  NORM_OP,
  PROD_OP,
  SOFTMAX_OP,
  SUM_OP,
} from './reduce-decls.js';

// The declaration of each op that shares a function with its twin (one property read per call).
const EXTREME_DECLS = { amax: AMAX_OP, amin: AMIN_OP } as const;
const ARG_DECLS = { argmax: ARGMAX_OP, argmin: ARGMIN_OP } as const;
const LOGICAL_DECLS = { all: ALL_OP, any: ANY_OP } as const;
const SCAN_DECLS = { cumsum: CUMSUM_OP, cumprod: CUMPROD_OP } as const;
const SOFTMAX_DECLS = { softmax: SOFTMAX_OP, logSoftmax: LOG_SOFTMAX_OP } as const;

import { type DType, isFloating } from '../dtype.js';
import { checkOptions } from '../options.js';
import { contiguousStrides, fmt, normalizeDim, normalizeDims } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { ne } from './compare.js';
import { abs, add, cast, div, exp, isfinite, log, mul, pow, sqrt, sub, where } from './elementwise.js';
import { gather } from './indexing.js';
import { reshape } from './movement.js';
import { checkTensor, describe, empty } from './util.js';

// Reductions, scans, softmax and sorting. Ops with their own gradient rule (sum, prod, amax, amin,
// norm, cumsum, cumprod, softmax, logSoftmax) and non-differentiable ones with tensor inputs
// (argmax, argmin, any, all, argsort) run through `runOp`; mean, var, std, logsumexp, max/min with
// a dim, topk and sort are compositions of those, so autograd differentiates their parts.
//
// dtypes follow PyTorch: sum/prod/cumsum/cumprod keep float dtypes and turn int32/bool into int32;
// amax/amin/max/min keep the dtype; any/all give bool; argmax/argmin/argsort give int32 indices.
// mean, var, std, norm, softmax and logSoftmax reject non-float inputs as PyTorch does (call
// `.float()` first); logsumexp promotes int32/bool to float32, as PyTorch does.
// An empty dim list (`[]`) reduces over all dims, as in PyTorch.

/** Options of `var` and `std`. */
export interface VarOptions {
  /** Subtracted from the element count in the divisor: 1 (default) is Bessel's correction. */
  correction?: number;
  /** Keep reduced dims as size 1. */
  keepdim?: boolean;
}

/** The normalised, sorted dims a reduction runs over (undefined or `[]` = all dims). */
function reduceDims(op: string, x: Tensor, dim: number | readonly number[] | undefined): number[] {
  if (dim === undefined || (Array.isArray(dim) && dim.length === 0))
    return normalizeDims(op, undefined, x.ndim);
  if (typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new TypeError(`${op}: dim must be an integer or an array of integers, got ${describe(dim)}`);
  }
  return normalizeDims(op, dim, x.ndim);
}

/** The shape of a reduction's result. */
function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  if (keepdim) return shape.map((s, i) => (dims.includes(i) ? 1 : s));
  return shape.filter((_, i) => !dims.includes(i));
}

/** Number of elements reduced into each output element. */
function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d]!;
  return n;
}

/** Throws the PyTorch-style error for ops that need a floating-point input. */
function requireFloat(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new TypeError(`${op}: input dtype ${x.dtype} is not floating point; call .float() first`);
  }
}

/** Throws when an extreme-value reduction would run over an empty dim. */
function requireNonEmpty(op: string, x: Tensor, dims: readonly number[]): void {
  for (const d of dims) {
    if (x.shape[d] === 0) {
      throw new RangeError(
        `${op}: cannot reduce over dim ${d} of size 0 (input shape ${fmt(x.shape)}); the result of an empty reduction is undefined`,
      );
    }
  }
}

/** A view of a 0-d tensor as shape [1], so that kernels taking an axis can run on it. */
export function as1d(v: View): View {
  return v.shape.length > 0 ? v : { ...v, shape: [1], strides: [1] };
}

/** Allocates the result and runs the backend's reduce kernel (no recording: callers do that). */
function reduceKernel(
  op: ReduceOp,
  name: string,
  x: Tensor,
  dims: number[],
  keepdim: boolean,
  dtype: DType,
): Tensor {
  const b = x.storage(name).backend;
  const out = empty(b, dtype, reducedShape(x.shape, dims, keepdim));
  if (out.numel() > 0) {
    const shape = reducedShape(x.shape, dims, false);
    const v = out.viewFor(name);
    b.reduce(op, { ...v, shape, strides: contiguousStrides(shape) }, x.viewFor(name), dims);
  }
  return out;
}

/** sum/prod keep float dtypes; int32 and bool accumulate into int32. */
function accumulateDType(x: Tensor): DType {
  return isFloating(x.dtype) ? x.dtype : 'int32';
}

/** Sum over `dim` (one dim, several, or all when omitted). int32/bool inputs give int32. */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  checkTensor('sum', x);
  const dims = reduceDims('sum', x, dim);
  return runOp(SUM_OP, [x], { dims, keepdim }, () =>
    reduceKernel('sum', 'sum', x, dims, keepdim, accumulateDType(x)),
  );
}

/** Arithmetic mean over `dim` (all dims when omitted); float inputs only. Empty → NaN. */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  checkTensor('mean', x);
  requireFloat('mean', x);
  const dims = reduceDims('mean', x, dim);
  return div(sum(x, dims, keepdim), reducedCount(x.shape, dims));
}

/** Product over `dim` (all dims when omitted). int32/bool inputs give int32 (wrapping). Empty → 1. */
export function prod(x: Tensor, dim?: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  checkTensor('prod', x);
  const dims = reduceDims('prod', x, dim);
  return runOp(PROD_OP, [x], { dims, keepdim }, () =>
    reduceKernel('prod', 'prod', x, dims, keepdim, accumulateDType(x)),
  );
}

function extreme(
  op: 'amax' | 'amin',
  x: Tensor,
  dim: number | readonly number[] | undefined,
  keepdim: boolean,
): Tensor {
  checkTensor(op, x);
  const dims = reduceDims(op, x, dim);
  requireNonEmpty(op, x, dims);
  return runOp(EXTREME_DECLS[op], [x], { dims, keepdim }, () =>
    reduceKernel(op === 'amax' ? 'max' : 'min', op, x, dims, keepdim, x.dtype),
  );
}

/** Largest value over `dim` (all dims when omitted); NaN propagates. Keeps the dtype. */
export function amax(x: Tensor, dim?: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  return extreme('amax', x, dim, keepdim);
}

/** Smallest value over `dim` (all dims when omitted); NaN propagates. Keeps the dtype. */
export function amin(x: Tensor, dim?: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  return extreme('amin', x, dim, keepdim);
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  checkTensor(op, x);
  const d = dim === undefined ? null : normalizeDim(op, dim, x.ndim);
  if (d === null ? x.numel() === 0 : x.ndim > 0 && x.shape[d] === 0) {
    throw new RangeError(
      `${op}: cannot take the ${op} of an empty ${d === null ? 'tensor' : `dim ${d}`} (input shape ${fmt(x.shape)})`,
    );
  }
  return runOp(ARG_DECLS[op], [x], { dim: d, keepdim }, () => {
    const b = x.storage(op).backend;
    const flat = d === null || x.ndim === 0;
    const shape =
      d === null
        ? keepdim
          ? x.shape.map(() => 1)
          : []
        : x.ndim === 0
          ? []
          : reducedShape(x.shape, [d], keepdim);
    const out = empty(b, 'int32', shape);
    const src = flat ? reshape(x, [x.numel()]) : x;
    const axis = flat ? 0 : d;
    const rs = reducedShape(src.shape, [axis], false);
    const v = out.viewFor(op);
    b.reduce(op, { ...v, shape: rs, strides: contiguousStrides(rs) }, src.viewFor(op), [axis]);
    if (src !== x) src.dispose();
    return out;
  });
}

/** Index (int32) of the first largest value along `dim`, or in the flattened tensor when omitted. */
export function argmax(x: Tensor, dim?: number, keepdim = KEEPDIM_DEFAULT): Tensor {
  return argExtreme('argmax', x, dim, keepdim);
}

/** Index (int32) of the first smallest value along `dim`, or in the flattened tensor when omitted. */
export function argmin(x: Tensor, dim?: number, keepdim = KEEPDIM_DEFAULT): Tensor {
  return argExtreme('argmin', x, dim, keepdim);
}

/** `x` gathered at `indices` along `d` (0-d tensors handled), so values are differentiable. */
export function gatherAlong(x: Tensor, d: number, indices: Tensor): Tensor {
  if (x.ndim > 0) return gather(x, d, indices);
  return reshape(gather(reshape(x, [1]), 0, reshape(indices, [1])), []);
}

function extremeDim(
  op: 'max' | 'min',
  x: Tensor,
  dim: number,
  keepdim: boolean,
): { values: Tensor; indices: Tensor } {
  checkTensor(op, x);
  if (typeof dim !== 'number') throw new TypeError(`${op}: dim must be an integer, got ${describe(dim)}`);
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim > 0) requireNonEmpty(op, x, [d]);
  const idx = argExtreme(op === 'max' ? 'argmax' : 'argmin', x, d, true);
  const values = gatherAlong(x, d, idx);
  if (keepdim || x.ndim === 0) return { values, indices: idx };
  const shape = reducedShape(x.shape, [d], false);
  return { values: reshape(values, shape), indices: reshape(idx, shape) };
}

/** Largest values along `dim` and their first indices (PyTorch's `max(dim)`); values via gather. */
export function maxDim(
  x: Tensor,
  dim: number,
  keepdim = KEEPDIM_DEFAULT,
): { values: Tensor; indices: Tensor } {
  return extremeDim('max', x, dim, keepdim);
}

/** Smallest values along `dim` and their first indices (PyTorch's `min(dim)`); values via gather. */
export function minDim(
  x: Tensor,
  dim: number,
  keepdim = KEEPDIM_DEFAULT,
): { values: Tensor; indices: Tensor } {
  return extremeDim('min', x, dim, keepdim);
}

/** The `dim` argument of `var`/`std`, or `unbiased` alone (PyTorch's `var(unbiased)`). */
export type VarDim = number | readonly number[] | boolean;

/**
 * Resolves the argument forms of `var`/`std` that PyTorch 1.13 accepts: `(dim, { correction,
 * keepdim })`, `(dim, unbiased, keepdim)` and `(unbiased)`. A number where `unbiased` goes is
 * rejected (PyTorch's parser rejects it too): taking it as a flag or dropping the keepdim after
 * it would silently give another statistic.
 */
function varArgs(
  op: string,
  dim: VarDim | undefined,
  opts: VarOptions | boolean | undefined,
  keepdimArg: boolean | undefined,
): { dim: number | readonly number[] | undefined; correction: number; keepdim: boolean } {
  if (typeof dim === 'boolean') {
    if (opts !== undefined || keepdimArg !== undefined) {
      throw new TypeError(
        `${op}: ${op}(unbiased) takes no further arguments; write ${op}(dim, unbiased, keepdim)`,
      );
    }
    return { dim: undefined, correction: dim ? 1 : 0, keepdim: false };
  }
  if (typeof opts === 'boolean' || opts === undefined) {
    if (keepdimArg !== undefined && typeof keepdimArg !== 'boolean') {
      throw new TypeError(`${op}: keepdim must be a boolean, got ${describe(keepdimArg)}`);
    }
    if (opts === undefined && keepdimArg !== undefined) {
      throw new TypeError(`${op}: keepdim given without unbiased; write ${op}(dim, { keepdim })`);
    }
    return { dim, correction: opts === false ? 0 : 1, keepdim: keepdimArg ?? false };
  }
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new TypeError(
      `${op}: the second argument must be unbiased (a boolean) or options { correction, keepdim }, got ${describe(opts)}; for a correction write ${op}(dim, { correction: ${String(opts)} })`,
    );
  }
  if (keepdimArg !== undefined) {
    throw new TypeError(`${op}: keepdim given both in the options and as a third argument`);
  }
  checkOptions(op, opts, { correction: 'number', keepdim: 'boolean' });
  return { dim, correction: opts.correction ?? 1, keepdim: opts.keepdim ?? false };
}

/**
 * Variance over `dim` (all dims when omitted): sum((x - mean)^2) / max(0, N - correction), with
 * correction 1 by default (unbiased), as PyTorch. Also PyTorch's positional forms
 * `var(dim, unbiased, keepdim)` and `var(unbiased)`. Float inputs only.
 */
export function variance(x: Tensor, dim?: VarDim, opts?: VarOptions | boolean, keepdimArg?: boolean): Tensor {
  checkTensor('var', x);
  requireFloat('var', x);
  const a = varArgs('var', dim, opts, keepdimArg);
  return varianceOf(x, a.dim, a.correction, a.keepdim);
}

function varianceOf(
  x: Tensor,
  dim: number | readonly number[] | undefined,
  correction: number,
  keepdim: boolean,
): Tensor {
  const dims = reduceDims('var', x, dim);
  const n = reducedCount(x.shape, dims);
  const centered = sub(x, mean(x, dims, true));
  return div(sum(mul(centered, centered), dims, keepdim), Math.max(0, n - correction));
}

/** Standard deviation: the square root of `variance` (same argument forms). */
export function std(x: Tensor, dim?: VarDim, opts?: VarOptions | boolean, keepdimArg?: boolean): Tensor {
  checkTensor('std', x);
  requireFloat('std', x);
  const a = varArgs('std', dim, opts, keepdimArg);
  return sqrt(varianceOf(x, a.dim, a.correction, a.keepdim));
}

/**
 * log(sum(exp(x))) over `dim`, computed stably as m + log(sum(exp(x - m))) with m the (detached)
 * max; rows that are all -inf give -inf and an empty reduction gives -inf. int32/bool inputs are
 * promoted to float32.
 */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  checkTensor('logsumexp', x);
  if (!isFloating(x.dtype)) x = cast(x, 'float32');
  const dims = reduceDims('logsumexp', x, dim);
  let m: Tensor | number = 0;
  if (reducedCount(x.shape, dims) > 0) {
    const mx = amax(x.detach(), dims, true);
    m = where(isfinite(mx), mx, 0); // ±inf and NaN maxima would turn x - m into NaN
  }
  const r = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? r : reshape(r, reducedShape(x.shape, dims, false));
}

/**
 * Vector p-norm over `dim` (all elements when omitted): (sum |x|^p)^(1/p); p = Infinity is the
 * max of |x|, -Infinity the min, 0 the count of non-zeros, 'fro' the same as 2. Float inputs
 * only. Recorded as one op ('norm') so that its gradient can be defined at zero.
 */
export function norm(
  x: Tensor,
  p: number | 'fro' = 2,
  dim?: number | readonly number[],
  keepdim = KEEPDIM_DEFAULT,
): Tensor {
  checkTensor('norm', x);
  const pv = p === 'fro' ? 2 : p;
  if (typeof pv !== 'number' || Number.isNaN(pv)) {
    throw new TypeError(`norm: p must be a number or 'fro', got ${describe(p)}`);
  }
  requireFloat('norm', x);
  const dims = reduceDims('norm', x, dim);
  if (!Number.isFinite(pv)) requireNonEmpty('norm', x, dims);
  return runOp(NORM_OP, [x], { p: pv, dims, keepdim }, () => {
    if (pv === 0) {
      const nz = ne(x, 0);
      const c = cast(nz, x.dtype);
      const r = sum(c, dims, keepdim);
      nz.dispose();
      c.dispose();
      return r;
    }
    if (pv === 2) {
      const sq = mul(x, x);
      const s = sum(sq, dims, keepdim);
      const r = sqrt(s);
      sq.dispose();
      s.dispose();
      return r;
    }
    const a = abs(x);
    let r: Tensor;
    if (pv === Infinity) r = amax(a, dims, keepdim);
    else if (pv === -Infinity) r = amin(a, dims, keepdim);
    else if (pv === 1) r = sum(a, dims, keepdim);
    else {
      const ap = pow(a, pv);
      const s = sum(ap, dims, keepdim);
      r = pow(s, 1 / pv);
      ap.dispose();
      s.dispose();
    }
    a.dispose();
    return r;
  });
}

function logical(
  op: 'all' | 'any',
  x: Tensor,
  dim: number | readonly number[] | undefined,
  keepdim: boolean,
): Tensor {
  checkTensor(op, x);
  const dims = reduceDims(op, x, dim);
  return runOp(LOGICAL_DECLS[op], [x], { dims, keepdim }, () =>
    reduceKernel(op, op, x, dims, keepdim, 'bool'),
  );
}

/** Whether every element over `dim` is non-zero (all dims when omitted). Empty → true. */
export function all(x: Tensor, dim?: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  return logical('all', x, dim, keepdim);
}

/** Whether any element over `dim` is non-zero (all dims when omitted). Empty → false. */
export function any(x: Tensor, dim?: number | readonly number[], keepdim = KEEPDIM_DEFAULT): Tensor {
  return logical('any', x, dim, keepdim);
}

function scanOp(op: 'cumsum' | 'cumprod', x: Tensor, dim: number): Tensor {
  checkTensor(op, x);
  const d = normalizeDim(op, dim, x.ndim);
  const input = isFloating(x.dtype) || x.dtype === 'int32' ? x : cast(x, 'int32');
  return runOp(SCAN_DECLS[op], [input], { dim: d }, () => {
    const b = input.storage(op).backend;
    const out = empty(b, input.dtype, input.shape);
    if (out.numel() > 0) b.scan(op, as1d(out.viewFor(op)), as1d(input.viewFor(op)), d);
    return out;
  });
}

/** Inclusive cumulative sum along `dim`; bool inputs give int32. */
export function cumsum(x: Tensor, dim: number): Tensor {
  return scanOp('cumsum', x, dim);
}

/** Inclusive cumulative product along `dim`; bool inputs give int32. */
export function cumprod(x: Tensor, dim: number): Tensor {
  return scanOp('cumprod', x, dim);
}

function softmaxOp(op: 'softmax' | 'logSoftmax', x: Tensor, dim: number): Tensor {
  checkTensor(op, x);
  requireFloat(op, x);
  const d = normalizeDim(op, dim, x.ndim);
  return runOp(SOFTMAX_DECLS[op], [x], { dim: d }, () => {
    const b = x.storage(op).backend;
    const fused = b[op];
    if (fused !== undefined) {
      const out = empty(b, x.dtype, x.shape);
      if (out.numel() > 0) fused.call(b, as1d(out.viewFor(op)), as1d(x.viewFor(op)), d);
      return out;
    }
    return softmaxFromPrimitives(op, x, d);
  });
}

/** softmax / logSoftmax from public ops, for backends without the fused kernels. */
function softmaxFromPrimitives(op: 'softmax' | 'logSoftmax', x: Tensor, d: number): Tensor {
  if (x.numel() === 0) return empty(x.storage(op).backend, x.dtype, x.shape);
  const m = amax(x, d, true);
  const shifted = sub(x, m);
  const e = exp(shifted);
  const s = sum(e, d, true);
  let r: Tensor;
  if (op === 'softmax') r = div(e, s);
  else {
    const ls = log(s);
    r = sub(shifted, ls);
    ls.dispose();
  }
  for (const t of [m, shifted, e, s]) t.dispose();
  return r;
}

/** exp(x) / sum(exp(x)) along `dim`, computed stably (max subtracted). Float inputs only. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxOp('softmax', x, dim);
}

/** log(softmax(x)) along `dim`, computed stably as x - max - log(sum(exp(x - max))). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxOp('logSoftmax', x, dim);
}

export { argsort, sort, topk } from './sort.js';
