import type { View } from '../backend.js';
import { runOp } from '../dispatch.js';
import { contiguousStrides, fmt, normalizeDim, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { AttrsOf, OpDecl } from './declare.js';
import { cast } from './elementwise.js';
import { DIAGONAL_SCATTER_OP, SELECT_SCATTER_OP, SLICE_SCATTER_OP } from './movement-decls.js';
import { checkTensor, empty, sameBackend } from './util.js';

// Out-of-place "write into a view" ops: the result is a contiguous copy of `base` whose slice /
// select / diagonal view holds `src`. They are the gradients of slice, select and diagonal, so
// each is one recorded op whose compute uses kernels only.

/** A window (shape, strides, offset) into a contiguous tensor of `baseShape` at offset 0. */
interface Window {
  shape: number[];
  strides: number[];
  offset: number;
}

/**
 * Normalises Python-style slice bounds exactly as `slice` does: the first index, the number of
 * elements, for a dim of `size` walked by `step`.
 */
export function sliceBounds(
  size: number,
  start: number | undefined,
  end: number | undefined,
  step: number,
): { start: number; length: number } {
  const bound = (v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v)) throw new TypeError(`sliceScatter: bound ${v} is not an integer`);
    const x = v < 0 ? v + size : v;
    return Math.min(Math.max(x, 0), size);
  };
  if (step > 0) {
    const s = bound(start, 0);
    const e = bound(end, size);
    return { start: s, length: e > s ? Math.ceil((e - s) / step) : 0 };
  }
  const st = start === undefined ? size - 1 : start < 0 ? start + size : start;
  const s = Math.min(Math.max(st, -1), size - 1);
  const en = end === undefined ? -1 : end < 0 ? Math.max(end + size, -1) : Math.min(end, size - 1);
  const length = s > en ? Math.ceil((s - en) / -step) : 0;
  return { start: length === 0 ? 0 : s, length };
}

/**
 * Copies `base` into a fresh contiguous tensor and writes `src` into `win` of it. `src` is cast to
 * base's dtype first and must have exactly the window's shape.
 */
function scatterInto<D extends OpDecl>(
  decl: D,
  base: Tensor,
  src: Tensor,
  attrs: AttrsOf<D>,
  win: Window,
  what: string,
): Tensor {
  const op = decl.name;
  const b = sameBackend(op, base, src);
  if (!shapesEqual(src.shape, win.shape)) {
    throw new RangeError(
      `${op}: src of shape ${fmt(src.shape)} must have the shape ${fmt(win.shape)} of ${what} of the base of shape ${fmt(base.shape)}`,
    );
  }
  const s = cast(src, base.dtype);
  return runOp(decl, [base, s], attrs, () => {
    const out = empty(b, base.dtype, base.shape);
    if (out.numel() === 0) return out;
    const ov = out.viewFor(op);
    b.copy(ov, base.viewFor(op));
    if (s.numel() > 0) {
      const target: View = { ...ov, shape: win.shape, strides: win.strides, offset: ov.offset + win.offset };
      b.copy(target, s.viewFor(op));
    }
    return out;
  });
}

/**
 * `base` with `src` written into `base.slice(dim, start, end, step)` (out of place; PyTorch's
 * slice_scatter). Recorded as 'sliceScatter' with the normalised {dim, start, length, step}.
 */
export function sliceScatter(
  base: Tensor,
  src: Tensor,
  dim = 0,
  start?: number,
  end?: number,
  step = 1,
): Tensor {
  checkTensor('sliceScatter', base, 'base');
  checkTensor('sliceScatter', src, 'src');
  const d = normalizeDim('sliceScatter', dim, base.ndim);
  if (!Number.isInteger(step) || step === 0)
    throw new RangeError(`sliceScatter: step must be a non-zero integer, got ${step}`);
  if (base.ndim === 0) throw new RangeError('sliceScatter: cannot slice a 0-d base');
  const { start: s, length } = sliceBounds(base.shape[d]!, start, end, step);
  const strides = contiguousStrides(base.shape);
  const shape = [...base.shape];
  shape[d] = length;
  const offset = length > 0 ? s * strides[d]! : 0;
  strides[d] = strides[d]! * step;
  const attrs = { dim: d, start: s, length, step };
  return scatterInto(
    SLICE_SCATTER_OP,
    base,
    src,
    attrs,
    { shape, strides, offset },
    `slice(${d}, start ${s}, length ${length}, step ${step})`,
  );
}

/**
 * `base` with `src` written at `base.select(dim, index)` (out of place; PyTorch's select_scatter).
 * Recorded as 'selectScatter' with the normalised {dim, index}.
 */
export function selectScatter(base: Tensor, src: Tensor, dim: number, index: number): Tensor {
  checkTensor('selectScatter', base, 'base');
  checkTensor('selectScatter', src, 'src');
  if (base.ndim === 0) throw new RangeError('selectScatter: cannot select from a 0-d base');
  const d = normalizeDim('selectScatter', dim, base.ndim);
  const size = base.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(
      `selectScatter: index ${index} is out of range for dim ${d} of size ${size} (shape ${fmt(base.shape)}; valid range ${-size}..${size - 1})`,
    );
  }
  const i = index < 0 ? index + size : index;
  const full = contiguousStrides(base.shape);
  const win: Window = {
    shape: base.shape.filter((_, k) => k !== d),
    strides: full.filter((_, k) => k !== d),
    offset: i * full[d]!,
  };
  return scatterInto(SELECT_SCATTER_OP, base, src, { dim: d, index: i }, win, `select(${d}, ${i})`);
}

/**
 * `base` with `src` written into `base.diagonal(offset, dim1, dim2)` (out of place; PyTorch's
 * diagonal_scatter). Recorded as 'diagonalScatter' with the normalised {offset, dim1, dim2}.
 */
export function diagonalScatter(base: Tensor, src: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkTensor('diagonalScatter', base, 'base');
  checkTensor('diagonalScatter', src, 'src');
  if (base.ndim < 2)
    throw new RangeError(`diagonalScatter: base needs at least 2 dims, got shape ${fmt(base.shape)}`);
  if (!Number.isInteger(offset))
    throw new TypeError(`diagonalScatter: offset must be an integer, got ${offset}`);
  const a = normalizeDim('diagonalScatter', dim1, base.ndim);
  const b = normalizeDim('diagonalScatter', dim2, base.ndim);
  if (a === b) throw new RangeError(`diagonalScatter: dim1 and dim2 must differ (both ${a})`);
  const full = contiguousStrides(base.shape);
  const na = base.shape[a]!;
  const nb = base.shape[b]!;
  const len = Math.max(0, offset >= 0 ? Math.min(na, nb - offset) : Math.min(na + offset, nb));
  let start = 0;
  if (len > 0) start = offset >= 0 ? offset * full[b]! : -offset * full[a]!;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let k = 0; k < base.ndim; k++) {
    if (k === a || k === b) continue;
    shape.push(base.shape[k]!);
    strides.push(full[k]!);
  }
  shape.push(len);
  strides.push(full[a]! + full[b]!);
  const attrs = { offset, dim1: a, dim2: b };
  return scatterInto(
    DIAGONAL_SCATTER_OP,
    base,
    src,
    attrs,
    { shape, strides, offset: start },
    `diagonal(${offset}, ${a}, ${b})`,
  );
}
