import type { View } from '../backend.js';
import { runOp } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import { fmt, normalizeDim } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { scalarOf } from './from-array.js';
import { GATHER_OP, INDEX_ADD_OP, INDEX_SELECT_OP, SCATTER_ADD_OP, SCATTER_OP } from './index-decls.js';
import { copyContiguous, expand } from './movement.js';
import { checkTensor, describe, empty, sameBackend } from './util.js';

// Index ops: gather / scatter / scatterAdd / indexSelect / indexAdd are recorded ops computed by
// the backend's index kernels (which range-check every index). maskedFill, maskedSelect and
// oneHot are composites and live in masked.ts (re-exported here).

export { maskedFill, maskedSelect, maskedSelectAsync, oneHot } from './masked.js';

import { type ScatterOptions, scatterWithReduce } from './scatter-reduce.js';

export type { ScatterOptions };

/** Throws unless `index` is an int32 tensor. */
export function checkIndex(op: string, index: unknown): Tensor {
  const t = checkTensor(op, index, 'index');
  if (t.dtype !== 'int32') throw new TypeError(`${op}: index must be an int32 tensor, got ${t.dtype}`);
  return t;
}

/** Runs `fill(out)` and returns `out`, disposing it if the kernel throws (e.g. a bad index). */
function fillOut(out: Tensor, fill: (v: View) => void): Tensor {
  try {
    fill(out.viewFor('kernel'));
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
}

/** Rank treating 0-d as 1-d (gather/scatter allow a 0-d tensor where a 1-element 1-d one fits). */
const rank = (t: Tensor): number => Math.max(t.ndim, 1);
/** Size of dim k treating a 0-d tensor as [1]. */
const sizeAt = (t: Tensor, k: number): number => (t.ndim === 0 ? 1 : t.shape[k]!);

/** Checks index.size(k) <= other.size(k) for each k (except `skip`). */
function checkIndexFits(op: string, index: Tensor, other: Tensor, what: string, skip: number): void {
  if (rank(index) !== rank(other)) {
    throw new RangeError(
      `${op}: index of shape ${fmt(index.shape)} must have as many dims as ${what} of shape ${fmt(other.shape)}`,
    );
  }
  for (let k = 0; k < rank(index); k++) {
    if (k !== skip && sizeAt(index, k) > sizeAt(other, k)) {
      throw new RangeError(
        `${op}: index of shape ${fmt(index.shape)} is larger than ${what} of shape ${fmt(other.shape)} in dim ${k} (${sizeAt(index, k)} > ${sizeAt(other, k)})`,
      );
    }
  }
}

/**
 * out[i][j] = x[index[i][j]][j] (dim 0 shown; likewise for other dims). `index` is int32 with as
 * many dims as `x` and no larger than `x` outside `dim`; the result has the index's shape.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', x);
  checkIndex('gather', index);
  const b = sameBackend('gather', x, index);
  const d = normalizeDim('gather', dim, x.ndim);
  checkIndexFits('gather', index, x, 'the input', d);
  return runOp(GATHER_OP, [x, index], { dim: d }, () => {
    const out = empty(b, x.dtype, index.shape);
    if (out.numel() === 0) return out;
    return fillOut(out, (ov) => b.gather(ov, x.viewFor('gather'), d, index.viewFor('gather')));
  });
}

function scatterOp(
  op: 'scatter' | 'scatterAdd',
  x: Tensor,
  dim: number,
  index: Tensor,
  src: TensorLike,
): Tensor {
  checkTensor(op, x);
  checkIndex(op, index);
  const b = sameBackend(op, x, index);
  const d = normalizeDim(op, dim, x.ndim);
  if (op === 'scatterAdd' && x.dtype === 'bool')
    throw new TypeError('scatterAdd: bool tensors are not supported');
  let s: Tensor;
  if (src instanceof Tensor) {
    sameBackend(op, x, src);
    if (src.dtype !== x.dtype) {
      throw new TypeError(`${op}: src dtype ${src.dtype} must equal the input's dtype ${x.dtype}`);
    }
    checkIndexFits(op, index, src, 'src', -1);
    s = src;
  } else if (op === 'scatter' && (typeof src === 'number' || typeof src === 'boolean')) {
    s = expand(scalarOf(b, src, x.dtype, op), index.shape);
  } else {
    throw new TypeError(
      `${op}: src must be a tensor${op === 'scatter' ? ' or a number' : ''}, got ${describe(src)}`,
    );
  }
  checkIndexFits(op, index, x, 'the input', d);
  const reduce = op === 'scatterAdd' ? 'add' : 'assign';
  return runOp(op === 'scatter' ? SCATTER_OP : SCATTER_ADD_OP, [x, index, s], { dim: d }, () => {
    const out = copyContiguous(x);
    if (index.numel() === 0) return out;
    return fillOut(out, (ov) => b.scatter(ov, d, index.viewFor(op), s.viewFor(op), reduce));
  });
}

/**
 * A copy of `x` with out[index[i][j]][j] = src[i][j] (dim 0 shown). `src` is a tensor of x's dtype
 * (at least as large as `index` in every dim) or a number. With repeated indices the last write
 * wins on the CPU backend (unspecified in general, as in PyTorch). With `opts.reduce` the values
 * are reduced instead (see `scatterReduce`; 'add' and 'multiply' are PyTorch's older names for
 * 'sum' and 'prod').
 */
export function scatter(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: TensorLike,
  opts?: ScatterOptions,
): Tensor {
  if (opts === undefined) return scatterOp('scatter', x, dim, index, src);
  return scatterWithReduce(x, dim, index, src, opts);
}

/** A copy of `x` with out[index[i][j]][j] += src[i][j] (dim 0 shown); repeated indices accumulate. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterOp('scatterAdd', x, dim, index, src);
}

/** Validates a 1-D (or 0-d) int32 index for indexSelect/indexAdd. */
function vectorIndex(op: string, index: Tensor): number {
  checkIndex(op, index);
  if (index.ndim > 1) throw new RangeError(`${op}: index must be 1-D, got shape ${fmt(index.shape)}`);
  return index.numel();
}

/**
 * The slices of `x` at the positions in the 1-D int32 `index` along `dim` (PyTorch's
 * index_select). Negative indices are errors, as in PyTorch.
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('indexSelect', x);
  const n = vectorIndex('indexSelect', index);
  const b = sameBackend('indexSelect', x, index);
  const d = normalizeDim('indexSelect', dim, x.ndim);
  let shape: number[];
  if (x.ndim === 0) {
    if (n !== 1)
      throw new RangeError(`indexSelect: index into a 0-d tensor must hold exactly 1 value, got ${n}`);
    shape = [];
  } else {
    shape = [...x.shape];
    shape[d] = n;
  }
  return runOp(INDEX_SELECT_OP, [x, index], { dim: d }, () => {
    const out = empty(b, x.dtype, shape);
    if (out.numel() === 0) return out;
    return fillOut(out, (ov) => b.indexSelect(ov, x.viewFor('indexSelect'), d, index.viewFor('indexSelect')));
  });
}

/**
 * A copy of `x` with `alpha * source[..., i, ...]` added at `x[..., index[i], ...]` along `dim`
 * (PyTorch's index_add); repeated indices accumulate. `source` has x's dtype and shape except
 * that its `dim` has the index's length.
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, alpha = 1): Tensor {
  checkTensor('indexAdd', x);
  checkTensor('indexAdd', source, 'source');
  const n = vectorIndex('indexAdd', index);
  const b = sameBackend('indexAdd', x, index, source);
  const d = normalizeDim('indexAdd', dim, x.ndim);
  if (x.dtype === 'bool') throw new TypeError('indexAdd: bool tensors are not supported');
  if (source.dtype !== x.dtype) {
    throw new TypeError(`indexAdd: source dtype ${source.dtype} must equal the input's dtype ${x.dtype}`);
  }
  if (typeof alpha !== 'number' || (!isFloating(x.dtype) && !Number.isInteger(alpha))) {
    throw new TypeError(
      `indexAdd: alpha must be ${isFloating(x.dtype) ? 'a number' : 'an integer for an int32 input'}, got ${alpha}`,
    );
  }
  const want = x.ndim === 0 ? [] : x.shape.map((s, k) => (k === d ? n : s));
  if (rank(source) !== rank(x) || want.some((s, k) => sizeAt(source, k) !== s) || (x.ndim === 0 && n !== 1)) {
    throw new RangeError(
      `indexAdd: source of shape ${fmt(source.shape)} must have shape ${fmt(want)} (the input's ${fmt(x.shape)} with dim ${d} of the index's length ${n})`,
    );
  }
  return runOp(INDEX_ADD_OP, [x, index, source], { dim: d, alpha }, () => {
    const out = copyContiguous(x);
    if (source.numel() === 0) return out;
    let src = source;
    if (alpha !== 1) {
      src = empty(b, x.dtype, source.shape);
      const a = scalarOf(b, alpha, x.dtype, 'indexAdd');
      const av = a.viewFor('indexAdd');
      b.binary('mul', src.viewFor('indexAdd'), source.viewFor('indexAdd'), {
        ...av,
        shape: source.shape,
        strides: source.shape.map(() => 0),
      });
      a.dispose();
    }
    try {
      return fillOut(out, (ov) => b.indexAdd(ov, d, index.viewFor('indexAdd'), src.viewFor('indexAdd')));
    } finally {
      if (src !== source) src.dispose();
    }
  });
}
