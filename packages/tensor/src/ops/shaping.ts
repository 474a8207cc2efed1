import type { View } from '../backend.js';
import { runOp } from '../dispatch.js';
import { type DType, promoteTypes } from '../dtype.js';
import { fmt, normalizeDim, normalizeDims, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, where } from './elementwise.js';
import { fromArrayOn, scalarOf } from './from-array.js';
import { clone, expand, flatten, narrow, reshape, unsqueeze } from './movement.js';
import { CAT_OP, FLIP_OP } from './movement-decls.js';
import { checkTensor, empty, sameBackend } from './util.js';

// Shaping ops that copy: cat (recorded), flip (recorded) and composites built from recorded ops
// (stack, split, chunk, repeat, tile, roll, tril, triu). pad and the *Scatter ops live in their
// own files and are re-exported here.

export { type PadMode, pad } from './pad.js';
export { diagonalScatter, selectScatter, sliceScatter } from './scatter-views.js';

/** Throws unless `n` is an integer (optionally >= min), naming the op and the argument. */
export function checkInt(op: string, what: string, n: unknown, min = Number.NEGATIVE_INFINITY): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    const need = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : 'an integer';
    throw new RangeError(`${op}: ${what} must be ${need}, got ${String(n)}`);
  }
  return n;
}

/** Validates a tensor list argument (non-empty array of tensors). */
function checkList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new RangeError(`${op}: expected a non-empty array of tensors`);
  }
  for (let i = 0; i < tensors.length; i++) checkTensor(op, tensors[i], `tensor ${i}`);
}

/**
 * Concatenates tensors along `dim`. dtypes are promoted to a common one; shapes must match except
 * in `dim`. As in PyTorch, 1-D empty tensors (shape [0]) are skipped whatever the other shapes are.
 * Recorded as 'cat' with the sizes along `dim` of the (non-skipped) inputs.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('cat', tensors);
  const backend = sameBackend('cat', ...tensors);
  let dtype: DType = tensors[0]!.dtype;
  tensors.forEach((t, i) => {
    if (t.ndim === 0)
      throw new RangeError(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    dtype = promoteTypes(dtype, t.dtype);
  });
  const kept: number[] = [];
  tensors.forEach((t, i) => {
    if (!(t.ndim === 1 && t.shape[0] === 0)) kept.push(i);
  });
  if (kept.length === 0) {
    normalizeDim('cat', dim, 1);
    return empty(backend, dtype, [0]);
  }
  const first = kept[0]!;
  const ref = tensors[first]!;
  const d = normalizeDim('cat', dim, ref.ndim);
  for (const i of kept) {
    const t = tensors[i]!;
    if (t.ndim !== ref.ndim) {
      throw new RangeError(
        `cat: tensors must have the same number of dims, but tensor ${first} has shape ${fmt(ref.shape)} ` +
          `and tensor ${i} has shape ${fmt(t.shape)}`,
      );
    }
    for (let k = 0; k < t.ndim; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new RangeError(
          `cat: sizes of tensors must match except in dim ${d}, but tensor ${first} has shape ${fmt(ref.shape)} ` +
            `and tensor ${i} has shape ${fmt(t.shape)} (dim ${k}: ${ref.shape[k]} vs ${t.shape[k]})`,
        );
      }
    }
  }
  const inputs = kept.map((i) => cast(tensors[i]!, dtype));
  const sizes = inputs.map((t) => t.shape[d]!);
  const shape = [...ref.shape];
  shape[d] = sizes.reduce((a, b) => a + b, 0);
  return runOp(CAT_OP, inputs, { dim: d, sizes }, () => {
    const out = empty(backend, dtype, shape);
    const ov = out.viewFor('cat');
    let pos = 0;
    for (const t of inputs) {
      if (t.numel() > 0) {
        const target: View = { ...ov, shape: t.shape, offset: ov.offset + pos * ov.strides[d]! };
        backend.copy(target, t.viewFor('cat'));
      }
      pos += t.shape[d]!;
    }
    return out;
  });
}

/** Stacks same-shaped tensors along a new dim `dim` (composite: unsqueeze + cat). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('stack', tensors);
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, ref.shape)) {
      throw new RangeError(
        `stack: expects each tensor to be equal size, but tensor 0 has shape ${fmt(ref.shape)} and tensor ${i} has shape ${fmt(t.shape)}`,
      );
    }
  });
  const d = normalizeDim('stack', dim, ref.ndim + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/**
 * Splits `x` along `dim` into views: pieces of `size` elements (the last may be smaller), or of the
 * listed sizes (which must sum to the dim's size).
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', x);
  if (x.ndim === 0) throw new RangeError('split: expects at least a 1-dimensional tensor, got a 0-d tensor');
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d]!;
  if (typeof sizeOrSizes === 'number') {
    const size = checkInt('split', 'split size', sizeOrSizes, 0);
    if (size === 0 && n !== 0) {
      throw new RangeError(
        `split: split size can only be 0 if dim ${d} has size 0, but it has size ${n} (shape ${fmt(x.shape)})`,
      );
    }
    const pieces = size === 0 ? 1 : Math.max(1, Math.ceil(n / size));
    const out: Tensor[] = [];
    for (let i = 0; i < pieces; i++) out.push(narrow(x, d, i * size, Math.min(size, n - i * size)));
    return out;
  }
  if (!Array.isArray(sizeOrSizes))
    throw new TypeError(`split: sizes must be a number or an array of numbers`);
  for (const s of sizeOrSizes) checkInt('split', 'each split size', s, 0);
  const total = sizeOrSizes.reduce((a, b) => a + b, 0);
  if (total !== n) {
    throw new RangeError(
      `split: split sizes ${fmt(sizeOrSizes)} sum to ${total}, but dim ${d} has size ${n} (shape ${fmt(x.shape)})`,
    );
  }
  let pos = 0;
  return sizeOrSizes.map((s) => {
    const t = narrow(x, d, pos, s);
    pos += s;
    return t;
  });
}

/**
 * Splits `x` into at most `chunks` views of ceil(size / chunks) elements along `dim` (PyTorch's
 * chunk: fewer pieces come back when the size does not allow `chunks` non-empty ones).
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', x);
  checkInt('chunk', 'chunks', chunks, 1);
  if (x.ndim === 0) throw new RangeError('chunk: expects at least a 1-dimensional tensor, got a 0-d tensor');
  const d = normalizeDim('chunk', dim, x.ndim);
  const n = x.shape[d]!;
  if (n === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, Math.ceil(n / chunks), d);
}

/** Reverses the order of elements along `dims` (a copy). Recorded as 'flip' with sorted dims. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor('flip', x);
  const nd = normalizeDims('flip', dims, x.ndim);
  return runOp(FLIP_OP, [x], { dims: nd }, () => {
    const b = x.storage('flip').backend;
    const out = empty(b, x.dtype, x.shape);
    if (out.numel() === 0) return out;
    const v = x.viewFor('flip');
    const strides = [...v.strides];
    let offset = v.offset;
    for (const d of nd) {
      offset += (x.shape[d]! - 1) * strides[d]!;
      strides[d] = -strides[d]!;
    }
    b.copy(out.viewFor('flip'), { ...v, strides, offset });
    return out;
  });
}

/**
 * Tiles `x` `repeats[i]` times along each dim (PyTorch's repeat). `repeats` may be longer than
 * `x.ndim` (new leading dims), never shorter. Always a copy. Composite: reshape + expand + reshape.
 */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  checkTensor('repeat', x);
  for (const r of repeats) checkInt('repeat', 'each repeat', r, 0);
  if (repeats.length < x.ndim) {
    throw new RangeError(
      `repeat: number of repeats (${repeats.length}, ${fmt(repeats)}) can not be smaller than the number of dims of the tensor (${x.ndim}, shape ${fmt(x.shape)})`,
    );
  }
  const lead = repeats.length - x.ndim;
  const sizes = [...new Array<number>(lead).fill(1), ...x.shape];
  const interleaved: number[] = [];
  const expanded: number[] = [];
  const target: number[] = [];
  sizes.forEach((s, i) => {
    interleaved.push(1, s);
    expanded.push(repeats[i]!, s);
    target.push(repeats[i]! * s);
  });
  const r = reshape(expand(reshape(x, interleaved), expanded), target);
  return r._storage === x._storage ? clone(r) : r;
}

/**
 * NumPy/PyTorch tile: like repeat, but `reps` shorter than `x.ndim` is padded with leading 1s.
 */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor('tile', x);
  for (const r of reps) checkInt('tile', 'each rep', r, 0);
  const full = reps.length < x.ndim ? [...new Array<number>(x.ndim - reps.length).fill(1), ...reps] : reps;
  return repeat(x, full);
}

/**
 * Circular shift by `shifts` along `dims`. Without `dims` the tensor is flattened, rolled and
 * restored to its shape. Composite of narrow + cat (a copy).
 */
export function roll(
  x: Tensor,
  shifts: number | readonly number[],
  dims?: number | readonly number[],
): Tensor {
  checkTensor('roll', x);
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  for (const s of sh) checkInt('roll', 'each shift', s);
  if (dims === undefined) {
    if (sh.length !== 1) {
      throw new RangeError(`roll: without dims, shifts must be a single number, got ${fmt(sh)}`);
    }
    if (x.ndim <= 1) return x.ndim === 0 ? clone(x) : rollDims(x, sh, [0]);
    return reshape(rollDims(flatten(x), sh, [0]), x.shape);
  }
  const ds = typeof dims === 'number' ? [dims] : [...dims];
  if (ds.length !== sh.length) {
    throw new RangeError(
      `roll: shifts and dims must have the same length, got shifts ${fmt(sh)} and dims ${fmt(ds)}`,
    );
  }
  const nd = ds.map((d) => normalizeDim('roll', d, x.ndim));
  if (x.ndim === 0) return clone(x);
  return rollDims(x, sh, nd);
}

function rollDims(x: Tensor, shifts: readonly number[], dims: readonly number[]): Tensor {
  let cur = x;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    const n = cur.shape[d]!;
    if (n === 0) continue;
    const k = ((shifts[i]! % n) + n) % n;
    if (k === 0) continue;
    cur = cat([narrow(cur, d, n - k, k), narrow(cur, d, 0, n - k)], d);
  }
  return cur === x ? clone(x) : cur;
}

/** Keeps elements of the last two dims where keep(col - row) holds, zeroing the rest. */
function triangle(op: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  checkTensor(op, x);
  checkInt(op, 'diagonal', diagonal);
  if (x.ndim < 2)
    throw new RangeError(`${op}: input tensor must have at least 2 dims, got shape ${fmt(x.shape)}`);
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++)
      mask[i * cols + j] = (lower ? j - i <= diagonal : j - i >= diagonal) ? 1 : 0;
  }
  const b = x.storage(op).backend;
  return where(fromArrayOn(b, 'bool', mask, [rows, cols]), x, scalarOf(b, 0, x.dtype));
}

/** Lower triangle of the last two dims (elements with col - row <= diagonal), others zeroed. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal, true);
}

/** Upper triangle of the last two dims (elements with col - row >= diagonal), others zeroed. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal, false);
}
