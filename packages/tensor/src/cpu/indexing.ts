import type { View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { currentOpContext, describeOpContextShapes } from '../op-context.js';
import { arr } from './buffer.js';
import { stridedCopy } from './elementwise.js';
import { collapse, forEachRow } from './iterate.js';

// Index kernels: gather, scatter, indexSelect, indexAdd. Inputs are read as strided views in
// place (no copies); every index is range-checked as it is read, so a bad index throws an error
// naming the op, the value and the valid range instead of reading or writing out of bounds.

/**
 * The error thrown for an index outside [0, size). Inside a user-level op (`withOpContext`, e.g.
 * scatterReduce around its scatterAdd) it names that op and its shapes first, as WebGPU does.
 */
export function indexError(op: string, value: number, dim: number, size: number): RangeError {
  const range = size === 0 ? 'none: the dim is empty' : `0..${size - 1}`;
  const what = `index ${value} is out of range for dim ${dim} of size ${size} (valid range ${range})`;
  const user = currentOpContext();
  if (user === null || user.name === op) return new RangeError(`${op}: ${what}`);
  return new RangeError(`${user.name}: ${what} in its internal ${op} (${describeOpContextShapes()})`);
}

/** `strides` with the entry at `dim` replaced by 0 (the index supplies that coordinate). */
function zeroAt(strides: readonly number[], dim: number): number[] {
  const s = [...strides];
  s[dim] = 0;
  return s;
}

/** Strides of `v` (a 0-d view counts as one element of a 1-d view). */
function stridesOf(v: View): readonly number[] {
  return v.shape.length === 0 ? [1] : v.strides;
}

/** Shape of `v` (a 0-d view counts as [1]). */
function shapeOf(v: View): readonly number[] {
  return v.shape.length === 0 ? [1] : v.shape;
}

/**
 * out[i][j] = x[index[i][j]][j] (dim 0 shown). `out` and `index` share a shape; `x` may be larger
 * in every dim but `dim`'s coordinate comes from the index.
 */
export function gather(out: View, x: View, dim: number, index: View): void {
  const o = arr(out);
  const a = arr(x);
  const ind = arr(index);
  const size = shapeOf(x)[dim]!;
  const sd = stridesOf(x)[dim]!;
  const shape = shapeOf(index);
  const c = collapse(shape, [stridesOf(out), stridesOf(index), zeroAt(stridesOf(x), dim)]);
  const last = c.shape.length - 1;
  const so = c.strides[0]![last]!;
  const si = c.strides[1]![last]!;
  const sx = c.strides[2]![last]!;
  forEachRow(c.shape, c.strides, [out.offset, index.offset, x.offset], (off, n) => {
    let oo = off[0]!;
    let io = off[1]!;
    let xo = off[2]!;
    for (let k = 0; k < n; k++, oo += so, io += si, xo += sx) {
      const v = ind[io]!;
      if (v < 0 || v >= size) throw indexError('gather', v, dim, size);
      o[oo] = a[xo + v * sd]!;
    }
  });
}

/**
 * out[index[i][j]][j] = src[i][j] ('assign') or += ('add') (dim 0 shown). Iterates over the
 * index's shape; `src` may be larger than the index in every dim (only the leading part is read).
 * `out` already holds the base values.
 */
export function scatter(out: View, dim: number, index: View, src: View, reduce: 'assign' | 'add'): void {
  const o = arr(out);
  const s = arr(src);
  const ind = arr(index);
  const size = shapeOf(out)[dim]!;
  const sd = stridesOf(out)[dim]!;
  const shape = shapeOf(index);
  const op = reduce === 'add' ? 'scatterAdd' : 'scatter';
  const c = collapse(shape, [zeroAt(stridesOf(out), dim), stridesOf(index), stridesOf(src)]);
  const last = c.shape.length - 1;
  const so = c.strides[0]![last]!;
  const si = c.strides[1]![last]!;
  const ss = c.strides[2]![last]!;
  const add = reduce === 'add';
  forEachRow(c.shape, c.strides, [out.offset, index.offset, src.offset], (off, n) => {
    let oo = off[0]!;
    let io = off[1]!;
    let xo = off[2]!;
    for (let k = 0; k < n; k++, oo += so, io += si, xo += ss) {
      const v = ind[io]!;
      if (v < 0 || v >= size) throw indexError(op, v, dim, size);
      if (add) o[oo + v * sd] = o[oo + v * sd]! + s[xo]!;
      else o[oo + v * sd] = s[xo]!;
    }
  });
}

/** Reads and checks index[j] of a 1-D (or 0-d) index view. */
function indexAt(op: string, ind: TypedArray, index: View, j: number, dim: number, size: number): number {
  const v = ind[index.offset + j * stridesOf(index)[0]!]!;
  if (v < 0 || v >= size) throw indexError(op, v, dim, size);
  return v;
}

/**
 * Walks the slabs of `out` and `x` (every dim but `dim`) together: `slab(oBase, xBase)` runs one
 * copy or accumulation of a whole slab, row by row.
 */
function slabWalker(
  out: View,
  x: View,
  dim: number,
  rowOp: (o: TypedArray, oo: number, so: number, a: TypedArray, ao: number, sa: number, n: number) => void,
): (oBase: number, xBase: number) => void {
  const o = arr(out);
  const a = arr(x);
  const outShape = shapeOf(out);
  const shape = outShape.filter((_, k) => k !== dim);
  const os = stridesOf(out).filter((_, k) => k !== dim);
  const xs = stridesOf(x).filter((_, k) => k !== dim);
  const c = collapse(shape, [os, xs]);
  const last = c.shape.length - 1;
  const so = c.strides[0]![last]!;
  const sa = c.strides[1]![last]!;
  if (c.shape.length === 1) {
    // The common case (a slab walks as one row): no odometer needed.
    const n = c.shape[0]!;
    return (oBase, xBase) => rowOp(o, oBase, so, a, xBase, sa, n);
  }
  const base = [0, 0];
  const row = (off: number[], n: number): void => rowOp(o, off[0]!, so, a, off[1]!, sa, n);
  return (oBase, xBase) => {
    base[0] = oBase;
    base[1] = xBase;
    forEachRow(c.shape, c.strides, base, row);
  };
}

function addRow(
  o: TypedArray,
  oo: number,
  so: number,
  a: TypedArray,
  ao: number,
  sa: number,
  n: number,
): void {
  for (let k = 0; k < n; k++, oo += so, ao += sa) o[oo] = o[oo]! + a[ao]!;
}

/** out = x indexed by the 1-D int32 `index` along `dim` (out's dim has the index's length). */
export function indexSelect(out: View, x: View, dim: number, index: View): void {
  const ind = arr(index);
  const size = shapeOf(x)[dim]!;
  const len = shapeOf(out)[dim]!;
  const osd = stridesOf(out)[dim]!;
  const xsd = stridesOf(x)[dim]!;
  const walk = slabWalker(out, x, dim, stridedCopy);
  for (let j = 0; j < len; j++) {
    const v = indexAt('indexSelect', ind, index, j, dim, size);
    walk(out.offset + j * osd, x.offset + v * xsd);
  }
}

/** out[..., index[i], ...] += src[..., i, ...] along `dim`; `out` already holds the base. */
export function indexAdd(out: View, dim: number, index: View, src: View): void {
  const ind = arr(index);
  const size = shapeOf(out)[dim]!;
  const len = shapeOf(src)[dim]!;
  const osd = stridesOf(out)[dim]!;
  const ssd = stridesOf(src)[dim]!;
  // Walk src's slabs (the shapes agree outside `dim`), accumulating into out's.
  const walk = slabWalker(src, out, dim, (s, so, sso, o, oo, soo, n) => addRow(o, oo, soo, s, so, sso, n));
  for (let j = 0; j < len; j++) {
    const v = indexAt('indexAdd', ind, index, j, dim, size);
    walk(src.offset + j * ssd, out.offset + v * osd);
  }
}
