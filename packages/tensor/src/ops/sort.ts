import { runOp } from '../dispatch.js';
import { fmt, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { ARGSORT_OP, DESCENDING_DEFAULT } from './index-decls.js';
import { contiguous, narrow } from './movement.js';
import { as1d, gatherAlong } from './reduce.js';
import { checkTensor, empty } from './util.js';

// Sorting: argsort is the recorded op (non-differentiable indices); sort and topk gather the
// values at its indices, so autograd differentiates them through gather.

/**
 * Indices (int32) that sort `x` along `dim`; stable (equal values keep their order). NaN counts
 * as the largest value: last when ascending, first when descending (as PyTorch).
 */
export function argsort(x: Tensor, dim = -1, descending = DESCENDING_DEFAULT): Tensor {
  checkTensor('argsort', x);
  const d = normalizeDim('argsort', dim, x.ndim);
  return runOp(ARGSORT_OP, [x], { dim: d, descending }, () => {
    const b = x.storage('argsort').backend;
    const indices = empty(b, 'int32', x.shape);
    if (indices.numel() > 0) {
      const values = empty(b, x.dtype, x.shape);
      b.sort(
        as1d(values.viewFor('argsort')),
        as1d(indices.viewFor('argsort')),
        as1d(x.viewFor('argsort')),
        d,
        descending,
      );
      values.dispose();
    }
    return indices;
  });
}

/**
 * Sorts along `dim` (stable; NaN largest): `{values, indices}`. The values are gathered from `x`
 * at the sorted indices, so they are differentiable.
 */
export function sort(
  x: Tensor,
  dim = -1,
  descending = DESCENDING_DEFAULT,
): { values: Tensor; indices: Tensor } {
  checkTensor('sort', x);
  const d = normalizeDim('sort', dim, x.ndim);
  const indices = argsort(x, d, descending);
  return { values: gatherAlong(x, d, indices), indices };
}

/**
 * The `k` largest (or smallest) elements along `dim` and their indices, in sorted order (also
 * when `sorted` is false, which PyTorch allows). Ties keep their original order; NaN counts as
 * the largest value. Values are gathered from `x`, so they are differentiable.
 */
export function topk(
  x: Tensor,
  k: number,
  dim = -1,
  largest = true,
  sorted = true,
): { values: Tensor; indices: Tensor } {
  checkTensor('topk', x);
  const d = normalizeDim('topk', dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RangeError(
      `topk: k (${k}) is out of range for dim ${dim} of size ${size} (input shape ${fmt(x.shape)})`,
    );
  }
  void sorted; // results are always sorted
  const order = argsort(x, d, largest);
  const indices = x.ndim === 0 || k === size ? order : contiguous(narrow(order, d, 0, k));
  return { values: gatherAlong(x, d, indices), indices };
}
