import { isFloating } from '../dtype.js';
import { withOpContext } from '../op-context.js';
import { checkOptions } from '../options.js';
import { normalizeDim } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { eq, gt } from './compare.js';
import { div, where } from './elementwise.js';
import { fromArrayOn, scalarOf } from './from-array.js';
import { checkIndex, scatter, scatterAdd } from './indexing.js';
import { expand, narrow, reshape, unsqueeze } from './movement.js';
import { amax, amin, prod } from './reduce.js';
import { cat } from './shaping.js';
import { checkTensor, describe, sameBackend } from './util.js';

// scatter_reduce as a composite. 'sum' and 'mean' are scatterAdd (plus a count); 'amax', 'amin'
// and 'prod' compare every index along `dim` with every output position (a mask of
// input.size(dim) x index.size(dim) per slice) and reduce the masked values, so gradients are
// PyTorch's: split evenly between ties (self included) for amax/amin.

/** The reductions of `scatterReduce`. */
export type ScatterReduce = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';
const REDUCTIONS = new Set<string>(['sum', 'prod', 'mean', 'amax', 'amin']);

/** Options of `scatterReduce`. */
export interface ScatterReduceOptions {
  /** Whether the input's own values take part in the reduction (default true). */
  includeSelf?: boolean;
}

function includeSelfOption(opts: ScatterReduceOptions): boolean {
  return checkOptions('scatterReduce', opts, { includeSelf: 'boolean' }).includeSelf ?? true;
}

/** The value that leaves a reduction unchanged, for masked-out entries. */
function neutral(reduce: ScatterReduce, floating: boolean): number {
  if (reduce === 'prod') return 1;
  if (reduce === 'amax') return floating ? Number.NEGATIVE_INFINITY : -(2 ** 31);
  return floating ? Number.POSITIVE_INFINITY : 2 ** 31 - 1;
}

/**
 * Reduces the values of `src` into a copy of `x` at the positions `index` gives along `dim`
 * (PyTorch's `scatter_reduce`): out[index[i][j]][j] = reduce(x[...] if includeSelf, src[i][j], ...)
 * (dim 0 shown). Positions no index names keep x's value. 'mean' of integers rounds down, as in
 * PyTorch. Differentiable for floating inputs.
 */
export function scatterReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduce,
  opts: ScatterReduceOptions = {},
): Tensor {
  // Named as the user's op (with these shapes) in errors the GPU reports later.
  return withOpContext('scatterReduce', { x, index, src }, () =>
    scatterReduceBody(x, dim, index, src, reduce, opts),
  );
}

function scatterReduceBody(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduce,
  opts: ScatterReduceOptions,
): Tensor {
  checkTensor('scatterReduce', x);
  checkIndex('scatterReduce', index);
  checkTensor('scatterReduce', src, 'src');
  sameBackend('scatterReduce', x, index, src);
  if (typeof reduce !== 'string' || !REDUCTIONS.has(reduce)) {
    throw new RangeError(
      `scatterReduce: reduce must be 'sum', 'prod', 'mean', 'amax' or 'amin', got ${describe(reduce)}`,
    );
  }
  const includeSelf = includeSelfOption(opts);
  if (x.dtype === 'bool') throw new TypeError('scatterReduce: bool tensors are not supported');
  // scatterAdd checks the shapes, the dtypes and every index value (in range along dim).
  const ones = scalarOf(x.backend, 1, x.dtype);
  const count = scatterAdd(
    expand(scalarOf(x.backend, 0, x.dtype), x.shape).contiguous(),
    dim,
    index,
    expand(ones, src.shape).contiguous(),
  );
  const d = normalizeDim('scatterReduce', dim, Math.max(x.ndim, 1));
  const hit = gt(count, 0);
  if (reduce === 'sum' || reduce === 'mean') {
    const base = includeSelf ? x : scatter(x, d, index, 0);
    const total = scatterAdd(base, d, index, src);
    if (reduce === 'sum') return total;
    const n = includeSelf ? count.add(1) : where(hit, count, ones);
    return isFloating(x.dtype) ? div(total, n) : div(total, n, 'floor');
  }
  return denseReduce(x, d, index, src, reduce, includeSelf, hit);
}

/** amax / amin / prod through an [..., size(dim), index.size(dim), ...] mask. */
function denseReduce(
  x: Tensor,
  d: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduce,
  includeSelf: boolean,
  hit: Tensor,
): Tensor {
  const x1 = x.ndim === 0 ? reshape(x, [1]) : x;
  let idx = index.ndim === 0 ? reshape(index, [1]) : index;
  let s = src.ndim === 0 ? reshape(src, [1]) : src;
  // Only the first index.shape elements of src take part, as in PyTorch.
  for (let k = 0; k < idx.ndim; k++) s = narrow(s, k, 0, idx.shape[k]!);
  // The region of x the index reaches: index's extent in every dim except d.
  let region = x1;
  for (let k = 0; k < idx.ndim; k++) if (k !== d) region = narrow(region, k, 0, idx.shape[k]!);
  const m = x1.shape[d]!;
  const positions = new Int32Array(m);
  for (let i = 0; i < m; i++) positions[i] = i;
  const posShape = idx.shape.map(() => 1);
  posShape.splice(d, 0, m);
  const pos = reshape(fromArrayOn(x.backend, 'int32', positions, [m]), posShape);
  idx = unsqueeze(idx, d); // [..., 1, K, ...]
  const mask = eq(idx, pos); // [..., M, K, ...]
  const fill = scalarOf(x.backend, neutral(reduce, isFloating(x.dtype)), x.dtype);
  let vals = where(mask, unsqueeze(s, d), fill);
  if (includeSelf) vals = cat([unsqueeze(region, d + 1), vals], d + 1);
  const r = reduce === 'prod' ? prod(vals, d + 1) : reduce === 'amax' ? amax(vals, d + 1) : amin(vals, d + 1);
  let out = where(narrowLike(hit, region), r, region);
  // Put the region back into x where the index did not reach every position.
  for (let k = idx.ndim - 1; k >= 0; k--) {
    if (k !== d && out.shape[k]! < x1.shape[k]!) out = cat([out, narrowTo(x1, out, k)], k);
  }
  return x.ndim === 0 ? reshape(out, []) : out;
}

/** `t` narrowed to `like`'s extent in every dim. */
function narrowLike(t: Tensor, like: Tensor): Tensor {
  let r = t.ndim === 0 ? reshape(t, [1]) : t;
  for (let k = 0; k < like.ndim; k++) r = narrow(r, k, 0, like.shape[k]!);
  return r;
}

/** The part of `x` beyond `part` along dim k, restricted to part's extent in the dims after k. */
function narrowTo(x: Tensor, part: Tensor, k: number): Tensor {
  let r = narrow(x, k, part.shape[k]!, x.shape[k]! - part.shape[k]!);
  for (let j = 0; j < x.ndim; j++) if (j !== k) r = narrow(r, j, 0, part.shape[j]!);
  return r;
}

/** Options of `scatter` with a reduction. */
export interface ScatterOptions extends ScatterReduceOptions {
  /** How values meeting at one position combine ('add' = 'sum', 'multiply' = 'prod'). */
  reduce?: ScatterReduce | 'add' | 'multiply';
}

/** `scatter(x, dim, index, src, { reduce, includeSelf })`: scatterReduce with a tensor or number src. */
export function scatterWithReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: TensorLike,
  opts: ScatterOptions,
): Tensor {
  if (typeof opts !== 'object' || opts === null)
    throw new TypeError(`scatter: options must be an object, got ${describe(opts)}`);
  const { reduce, ...rest } = opts;
  if (reduce === undefined) return scatter(x, dim, index, src);
  const r = reduce === 'add' ? 'sum' : reduce === 'multiply' ? 'prod' : reduce;
  checkTensor('scatter', x);
  const s =
    src instanceof Tensor
      ? src
      : typeof src === 'number' || typeof src === 'boolean'
        ? expand(
            scalarOf(x.backend, src, x.dtype, 'scatter'),
            checkIndex('scatter', index).shape,
          ).contiguous()
        : checkTensor('scatter', src, 'src');
  return scatterReduce(x, dim, index, s, r, rest);
}
