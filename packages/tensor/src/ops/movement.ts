import { getBackend } from '../backend.js';
import { runOp } from '../dispatch.js';
import { contiguousStrides, fmt, isContiguousLayout, normalizeDim, sizeOf } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import {
  CLONE_OP,
  CONTIGUOUS_OP,
  DIAGONAL_OP,
  EXPAND_OP,
  PERMUTE_OP,
  RESHAPE_OP,
  SELECT_OP,
  SLICE_OP,
  TO_OP,
} from './movement-decls.js';
import { alive, emptyOut } from './util.js';

// View ops: each returns a tensor sharing the input's buffer, recorded as one op so autograd can
// route gradients back (reshape, permute, expand, slice, select, diagonal).

/** Resolves a single -1 in a target shape and checks the element count. */
function inferShape(op: string, t: Tensor, shape: readonly number[]): number[] {
  alive(op, t);
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: shape must be an array of integers, got ${String(shape)}`);
  const out = [...shape];
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dim can be -1 in ${fmt(shape)}`);
      infer = i;
    } else {
      if (typeof d !== 'number' || !Number.isInteger(d)) {
        throw new TypeError(`${op}: shape ${fmt(shape)} has a non-integer size ${d} at dim ${i}`);
      }
      if (d < 0) throw new RangeError(`${op}: shape ${fmt(shape)} has a negative size ${d} at dim ${i}`);
      known *= d;
    }
  }
  const n = t.numel();
  if (infer >= 0) {
    if (known === 0) {
      throw new RangeError(
        `${op}: cannot infer the -1 in ${fmt(shape)} for a tensor of ${n} elements (the other sizes multiply to 0)`,
      );
    }
    if (n % known !== 0) {
      throw new RangeError(
        `${op}: shape ${fmt(shape)} is invalid for input of shape ${fmt(t.shape)} (${n} elements)`,
      );
    }
    out[infer] = n / known;
  } else if (known !== n) {
    throw new RangeError(
      `${op}: shape ${fmt(shape)} is invalid for input of shape ${fmt(t.shape)} (${n} elements)`,
    );
  }
  return out;
}

/**
 * Strides for viewing (shape, strides) as `target` without copying, or null when impossible.
 * Same algorithm as PyTorch's computeStride: match chunks of dims that are contiguous together.
 */
export function viewStrides(
  shape: readonly number[],
  strides: readonly number[],
  target: readonly number[],
): number[] | null {
  if (shape.length === 0) return target.map(() => 1);
  const n = sizeOf(shape);
  if (n === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** Reshape: a view when the strides allow it, otherwise a contiguous copy. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('reshape', t, shape);
  return runOp(RESHAPE_OP, [t], { shape: target }, () => {
    const s = viewStrides(t.shape, t.strides, target);
    if (s !== null) return t._view(target, s, t.offset);
    const c = copyContiguous(t);
    const out = c._view(target, contiguousStrides(target), 0);
    c.dispose();
    return out;
  });
}

/** Like reshape but never copies. */
export function view(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('view', t, shape);
  const s = viewStrides(t.shape, t.strides, target);
  if (s === null) {
    throw new RangeError(
      `view: cannot view a tensor of shape ${fmt(t.shape)} and strides ${fmt(t.strides)} as ${fmt(target)} without a copy; use reshape()`,
    );
  }
  return runOp(RESHAPE_OP, [t], { shape: target }, () => t._view(target, s, t.offset));
}

/** Flattens dims startDim..endDim (inclusive) into one; a 0-d tensor becomes shape [1]. */
export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  alive('flatten', t);
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normalizeDim('flatten', startDim, t.ndim);
  const e = normalizeDim('flatten', endDim, t.ndim);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...t.shape.slice(0, s), sizeOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return reshape(t, shape);
}

/** Splits dim `dim` into `sizes` (one of which may be -1). */
export function unflatten(t: Tensor, dim: number, sizes: readonly number[]): Tensor {
  alive('unflatten', t);
  const d = normalizeDim('unflatten', dim, t.ndim);
  const size = t.shape[d]!;
  if (sizes.length === 0) throw new RangeError('unflatten: sizes must not be empty');
  const resolved = [...sizes];
  const neg = resolved.indexOf(-1);
  if (neg >= 0 && resolved.indexOf(-1, neg + 1) >= 0) {
    throw new RangeError(`unflatten: only one size can be -1 in ${fmt(sizes)}`);
  }
  for (const x of resolved) {
    if (!Number.isInteger(x) || x < -1) throw new RangeError(`unflatten: invalid size ${x} in ${fmt(sizes)}`);
  }
  if (neg >= 0) {
    const known = sizeOf(resolved.filter((x) => x !== -1));
    if (known === 0 || size % known !== 0) {
      throw new RangeError(
        `unflatten: sizes ${fmt(sizes)} cannot split dim ${dim} of size ${size} (shape ${fmt(t.shape)})`,
      );
    }
    resolved[neg] = size / known;
  }
  if (sizeOf(resolved) !== size) {
    throw new RangeError(
      `unflatten: sizes ${fmt(sizes)} do not multiply to ${size} (dim ${dim} of ${fmt(t.shape)})`,
    );
  }
  return reshape(t, [...t.shape.slice(0, d), ...resolved, ...t.shape.slice(d + 1)]);
}

/** Removes size-1 dims: all of them, or those among `dim` (other dims are left alone). */
export function squeeze(t: Tensor, dim?: number | readonly number[]): Tensor {
  alive('squeeze', t);
  let dims: number[];
  if (dim === undefined) dims = t.shape.flatMap((s, i) => (s === 1 ? [i] : []));
  else dims = (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim('squeeze', d, t.ndim));
  const shape = t.shape.filter((s, i) => !(dims.includes(i) && s === 1));
  return reshape(t, shape);
}

/** Inserts a size-1 dim at `dim` (in -(ndim+1)..ndim). */
export function unsqueeze(t: Tensor, dim: number): Tensor {
  alive('unsqueeze', t);
  const d = normalizeDim('unsqueeze', dim, t.ndim + 1);
  return reshape(t, [...t.shape.slice(0, d), 1, ...t.shape.slice(d)]);
}

/** Reorders dims: dim i of the result is dim `dims[i]` of `t`. A view. */
export function permute(t: Tensor, dims: readonly number[]): Tensor {
  alive('permute', t);
  if (dims.length !== t.ndim) {
    throw new RangeError(
      `permute: got ${dims.length} dims [${dims.join(',')}] for a tensor of shape ${fmt(t.shape)}`,
    );
  }
  const nd = dims.map((d) => normalizeDim('permute', d, t.ndim));
  if (new Set(nd).size !== nd.length) throw new RangeError(`permute: repeated dim in [${dims.join(',')}]`);
  return runOp(PERMUTE_OP, [t], { dims: nd }, () =>
    t._view(
      nd.map((d) => t.shape[d]!),
      nd.map((d) => t.strides[d]!),
      t.offset,
    ),
  );
}

/** Swaps two dims. A view. */
export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  alive('transpose', t);
  if (t.ndim === 0) {
    normalizeDim('transpose', dim0, 0);
    normalizeDim('transpose', dim1, 0);
    return permute(t, []);
  }
  const a = normalizeDim('transpose', dim0, t.ndim);
  const b = normalizeDim('transpose', dim1, t.ndim);
  const dims = t.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(t, dims);
}

/** All dims reversed (PyTorch's `.T`). */
export function T(t: Tensor): Tensor {
  alive('T', t);
  return permute(
    t,
    t.shape.map((_, i) => t.ndim - 1 - i),
  );
}

/** The last two dims swapped (PyTorch's `.mT`); needs at least 2 dims. */
export function mT(t: Tensor): Tensor {
  alive('mT', t);
  if (t.ndim < 2)
    throw new RangeError(`mT: needs a matrix or a batch of matrices, got shape ${fmt(t.shape)}`);
  return transpose(t, -2, -1);
}

/**
 * Broadcasts size-1 dims (and new leading dims) to `shape` without copying (broadcast dims get
 * stride 0); -1 keeps a size. Always a new view.
 */
export function expand(t: Tensor, shape: readonly number[], op = 'expand'): Tensor {
  alive(op, t);
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: shape must be an array of integers, got ${String(shape)}`);
  const n = shape.length;
  if (n < t.ndim) {
    throw new RangeError(
      `${op}: target shape ${fmt(shape)} has fewer dims than the tensor's shape ${fmt(t.shape)}`,
    );
  }
  const off = n - t.ndim;
  const target = new Array<number>(n);
  const strides = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const want = shape[i]!;
    if (typeof want !== 'number' || !Number.isInteger(want)) {
      throw new TypeError(`${op}: shape ${fmt(shape)} has a non-integer size ${want} at dim ${i}`);
    }
    if (want < -1) throw new RangeError(`${op}: shape ${fmt(shape)} has a negative size ${want} at dim ${i}`);
    if (i < off) {
      if (want < 0)
        throw new RangeError(`${op}: size -1 is not allowed for new leading dim ${i} of ${fmt(shape)}`);
      target[i] = want;
      strides[i] = 0;
      continue;
    }
    const have = t.shape[i - off]!;
    if (want === -1 || want === have) {
      target[i] = have;
      strides[i] = t.strides[i - off]!;
    } else if (have === 1) {
      target[i] = want;
      strides[i] = 0;
    } else {
      throw new RangeError(
        `${op}: shape ${fmt(t.shape)} cannot be expanded to ${fmt(shape)} (dim ${i - off} has size ${have}, not 1 or ${want})`,
      );
    }
  }
  return runOp(EXPAND_OP, [t], { shape: target }, () => t._view(target, strides, t.offset));
}

/** NumPy-style broadcast to a shape without copying (as `expand`; -1 keeps a size). */
export function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  return expand(t, shape, 'broadcastTo');
}

/** Clamps a Python-style slice bound into [0, size]. */
function bound(v: number | undefined, size: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  const x = v < 0 ? v + size : v;
  return Math.min(Math.max(x, 0), size);
}

/**
 * Python-style slicing along one dim: start..end (exclusive) by step. A negative step walks
 * backwards (start defaults to the last element), giving a view with a negative stride.
 */
export function slice(t: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  alive('slice', t);
  if (t.ndim === 0) throw new RangeError('slice: cannot slice a 0-d tensor');
  const d = normalizeDim('slice', dim, t.ndim);
  if (!Number.isInteger(step) || step === 0)
    throw new RangeError(`slice: step must be a non-zero integer, got ${step}`);
  for (const v of [start, end]) {
    if (v !== undefined && v !== null && !Number.isInteger(v))
      throw new TypeError(`slice: bound ${v} is not an integer`);
  }
  const size = t.shape[d]!;
  let s: number;
  let len: number;
  if (step > 0) {
    s = bound(start, size, 0);
    const e = bound(end, size, size);
    len = e > s ? Math.ceil((e - s) / step) : 0;
  } else {
    // Backwards: indices start, start+step, ... while > end.
    const st = start === undefined || start === null ? size - 1 : start < 0 ? start + size : start;
    s = Math.min(Math.max(st, -1), size - 1);
    const en =
      end === undefined || end === null ? -1 : end < 0 ? Math.max(end + size, -1) : Math.min(end, size - 1);
    len = s > en ? Math.ceil((s - en) / -step) : 0;
    if (len === 0) s = 0;
  }
  return runOp(SLICE_OP, [t], { dim: d, start: s, length: len, step }, () => {
    const shape = [...t.shape];
    const strides = [...t.strides];
    shape[d] = len;
    strides[d] = t.strides[d]! * step;
    return t._view(shape, strides, t.offset + (len > 0 ? s * t.strides[d]! : 0));
  });
}

/** `length` elements from `start` (negative counts from the end) along `dim`. A view. */
export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  alive('narrow', t);
  if (t.ndim === 0) throw new RangeError('narrow: cannot narrow a 0-d tensor');
  const d = normalizeDim('narrow', dim, t.ndim);
  const size = t.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || s < 0 || !Number.isInteger(length) || length < 0 || s + length > size) {
    throw new RangeError(
      `narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${size} (shape ${fmt(t.shape)})`,
    );
  }
  return slice(t, d, s, s + length, 1);
}

/** The sub-tensor at `index` (negative counts from the end) along `dim`, that dim removed. A view. */
export function select(t: Tensor, dim: number, index: number): Tensor {
  alive('select', t);
  if (t.ndim === 0) throw new RangeError('select: cannot select from a 0-d tensor');
  const d = normalizeDim('select', dim, t.ndim);
  const size = t.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(
      `select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${fmt(t.shape)})`,
    );
  }
  const i = index < 0 ? index + size : index;
  return runOp(SELECT_OP, [t], { dim: d, index: i }, () =>
    t._view(
      t.shape.filter((_, k) => k !== d),
      t.strides.filter((_, k) => k !== d),
      t.offset + i * t.strides[d]!,
    ),
  );
}

/**
 * The diagonal of dims dim1/dim2 (removed; the diagonal becomes the last dim), above the main one
 * for offset > 0 and below for offset < 0. A view.
 */
export function diagonal(t: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  alive('diagonal', t);
  if (!Number.isInteger(offset)) throw new TypeError(`diagonal: offset must be an integer, got ${offset}`);
  if (t.ndim < 2) throw new RangeError(`diagonal: needs at least 2 dims, got shape ${fmt(t.shape)}`);
  const a = normalizeDim('diagonal', dim1, t.ndim);
  const b = normalizeDim('diagonal', dim2, t.ndim);
  if (a === b) throw new RangeError(`diagonal: dim1 and dim2 must differ (both ${a})`);
  return runOp(DIAGONAL_OP, [t], { offset, dim1: a, dim2: b }, () => {
    const na = t.shape[a]!;
    const nb = t.shape[b]!;
    const len = Math.max(0, offset >= 0 ? Math.min(na, nb - offset) : Math.min(na + offset, nb));
    let start = t.offset;
    if (len > 0) start += offset >= 0 ? offset * t.strides[b]! : -offset * t.strides[a]!;
    const shape: number[] = [];
    const strides: number[] = [];
    for (let k = 0; k < t.ndim; k++) {
      if (k === a || k === b) continue;
      shape.push(t.shape[k]!);
      strides.push(t.strides[k]!);
    }
    shape.push(len);
    strides.push(t.strides[a]! + t.strides[b]!);
    return t._view(shape, strides, start);
  });
}

/** A contiguous copy made without recording (callers record their own op). */
export function copyContiguous(t: Tensor): Tensor {
  const b = t.storage('contiguous').backend;
  const out = emptyOut(b, t.dtype, t.shape);
  if (out.numel() > 0) b.copy(out.viewFor('contiguous'), t.viewFor('contiguous'));
  return out;
}

/** `t` itself when its layout is row-major already, else a contiguous copy. */
export function contiguous(t: Tensor): Tensor {
  alive('contiguous', t);
  if (isContiguousLayout(t.shape, t.strides)) return t;
  return runOp(CONTIGUOUS_OP, [t], undefined, () => copyContiguous(t));
}

/** A contiguous copy (always a new buffer). */
export function clone(t: Tensor): Tensor {
  alive('clone', t);
  return runOp(CLONE_OP, [t], undefined, () => copyContiguous(t));
}

/** Copies a tensor to another backend (synchronous: the source must support readSync). */
export function toDevice(t: Tensor, device: string): Tensor {
  const src = t.storage('to');
  const dst = getBackend(device);
  if (dst === src.backend) return t;
  if (!dst.supportsDType(t.dtype))
    throw new TypeError(`to: the ${device} backend does not support dtype ${t.dtype}`);
  if (src.backend.readSync === undefined) {
    throw new Error(
      `to: moving from ${src.backend.name} to ${device} needs a readback; use await toAsync(t, '${device}')`,
    );
  }
  return runOp(TO_OP, [t], { device }, () => {
    const c = isContiguousLayout(t.shape, t.strides) ? t : copyContiguous(t);
    const data = src.backend.readSync!(c.storage('to').buffer, c.dtype, c.offset, c.numel());
    if (c !== t) c.dispose();
    const n = data.length;
    const storage = new Storage(dst, dst.upload(t.dtype, data), t.dtype, n);
    return new Tensor(storage, [...t.shape], contiguousStrides(t.shape), 0);
  });
}

/** Copies a tensor to another backend, reading it back asynchronously when needed (GPU → CPU). */
export async function toAsync(t: Tensor, device: string): Promise<Tensor> {
  const src = t.storage('toAsync');
  const dst = getBackend(device);
  if (dst === src.backend) return t;
  if (src.backend.readSync !== undefined) return toDevice(t, device);
  const data = await t.data();
  const storage = new Storage(dst, dst.upload(t.dtype, data), t.dtype, data.length);
  return new Tensor(storage, [...t.shape], contiguousStrides(t.shape), 0);
}
