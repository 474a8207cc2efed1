import { fmt, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, mul, resultType, sub } from './elementwise.js';
import { scalarOf } from './from-array.js';
import { clone, diagonal, expand, narrow, permute, select } from './movement.js';
import { sum } from './reduce.js';
import { diagonalScatter } from './scatter-views.js';
import { cat, checkInt } from './shaping.js';
import { checkTensor, sameBackend } from './util.js';

// Structural composites: unbind, movedim, diff, trace, diag, cross. Each is written with recorded
// ops (select, permute, narrow, diagonal, diagonalScatter, cat), so autograd differentiates them.

/** The slices of `x` along `dim`, as views (PyTorch's `unbind`). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor('unbind', x);
  if (x.ndim === 0) throw new RangeError('unbind: a 0-d tensor has no dim to unbind');
  const d = normalizeDim('unbind', dim, x.ndim);
  const out: Tensor[] = [];
  for (let i = 0; i < x.shape[d]!; i++) out.push(select(x, d, i));
  return out;
}

/**
 * Moves dims `source` to positions `destination` (numbers or equal-length lists), keeping the
 * other dims in order (PyTorch's `movedim`). A view.
 */
export function movedim(
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  checkTensor('movedim', x);
  const src = typeof source === 'number' ? [source] : [...source];
  const dst = typeof destination === 'number' ? [destination] : [...destination];
  if (src.length !== dst.length) {
    throw new RangeError(
      `movedim: source (${src.length} dims) and destination (${dst.length} dims) must have the same number of dims`,
    );
  }
  const n = Math.max(x.ndim, 1);
  const s = src.map((d) => normalizeDim('movedim', d, n));
  const t = dst.map((d) => normalizeDim('movedim', d, n));
  for (const [name, list] of [
    ['source', s],
    ['destination', t],
  ] as const) {
    if (new Set(list).size !== list.length)
      throw new RangeError(`movedim: repeated dim in ${name} [${list.join(', ')}]`);
  }
  if (x.ndim === 0) return x._view(x.shape, x.strides, x.offset);
  const order = new Array<number>(x.ndim).fill(-1);
  s.forEach((d, i) => {
    order[t[i]!] = d;
  });
  const rest = [...Array(x.ndim).keys()].filter((d) => !s.includes(d));
  for (let i = 0, k = 0; i < x.ndim; i++) if (order[i] === -1) order[i] = rest[k++]!;
  return permute(x, order);
}

/**
 * The `n`-th forward difference along `dim`: out[i] = x[i + 1] - x[i], applied n times, after
 * concatenating `prepend` and `append` along dim (PyTorch's `diff`). Bool inputs give xor.
 */
export function diff(x: Tensor, n = 1, dim = -1, prepend?: Tensor, append?: Tensor): Tensor {
  checkTensor('diff', x);
  if (x.ndim === 0) throw new RangeError('diff: expects input to be at least one-dimensional');
  const order = checkInt('diff', 'n', n, 0);
  const d = normalizeDim('diff', dim, x.ndim);
  const parts: Tensor[] = [];
  for (const [what, t] of [
    ['prepend', prepend],
    ['append', append],
  ] as const) {
    if (t === undefined) continue;
    checkTensor('diff', t, what);
    sameBackend('diff', x, t);
    if (t.ndim !== x.ndim) {
      throw new RangeError(
        `diff: ${what} must have the same number of dims as the input (${fmt(t.shape)} vs ${fmt(x.shape)})`,
      );
    }
  }
  if (prepend !== undefined) parts.push(prepend);
  parts.push(x);
  if (append !== undefined) parts.push(append);
  let r = parts.length === 1 ? x : cat(parts, d);
  for (let k = 0; k < order; k++) {
    const len = r.shape[d]!;
    if (len === 0) break;
    const hi = narrow(r, d, 1, len - 1);
    const lo = narrow(r, d, 0, len - 1);
    r = r.dtype === 'bool' ? hi.ne(lo) : sub(hi, lo);
  }
  return order === 0 ? clone(r) : r;
}

/** Sum of the main diagonal of a 2-D tensor (PyTorch's `trace`). */
export function trace(x: Tensor): Tensor {
  checkTensor('trace', x);
  if (x.ndim !== 2) throw new RangeError(`trace: expected a 2-D tensor, got shape ${fmt(x.shape)}`);
  return sum(diagonal(x));
}

/**
 * With a 1-D input, a square matrix with x on diagonal `offset` (0 main, > 0 above, < 0 below);
 * with a 2-D input, a copy of that diagonal as a 1-D tensor (PyTorch's `diag`).
 */
export function diag(x: Tensor, offset = 0): Tensor {
  checkTensor('diag', x);
  if (!Number.isInteger(offset)) throw new TypeError(`diag: diagonal must be an integer, got ${offset}`);
  if (x.ndim === 2) return clone(diagonal(x, offset));
  if (x.ndim !== 1) throw new RangeError(`diag: expected a 1-D or 2-D tensor, got shape ${fmt(x.shape)}`);
  const n = x.shape[0]! + Math.abs(offset);
  return diagonalScatter(clone(expand(scalarOf(x.backend, 0, x.dtype), [n, n])), x, offset);
}

/**
 * The cross product of 3-vectors along `dim` (default -1), broadcasting `a` and `b` (PyTorch's
 * `linalg.cross`; `dim` must have size 3 in both).
 */
export function cross(a: Tensor, b: Tensor, dim = -1): Tensor {
  checkTensor('cross', a);
  checkTensor('cross', b, 'other');
  sameBackend('cross', a, b);
  if (a.ndim !== b.ndim) {
    throw new RangeError(
      `cross: inputs must have the same number of dims, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`,
    );
  }
  if (a.ndim === 0) throw new RangeError('cross: inputs must have at least one dim');
  const d = normalizeDim('cross', dim, a.ndim);
  if (a.shape[d] !== 3 || b.shape[d] !== 3) {
    throw new RangeError(
      `cross: dim ${dim} must have size 3 in both inputs, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`,
    );
  }
  const dtype = resultType(a, b);
  const x = cast(a, dtype);
  const y = cast(b, dtype);
  const c = (t: Tensor, i: number) => narrow(t, d, i, 1);
  const term = (i: number, j: number) => sub(mul(c(x, i), c(y, j)), mul(c(x, j), c(y, i)));
  return cat([term(1, 2), term(2, 0), term(0, 1)], d);
}
