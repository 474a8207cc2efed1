import type { View } from '../backend.js';
import { runOp } from '../dispatch.js';
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { int32On } from './from-array.js';
import { indexSelect } from './indexing.js';
import { PAD_OP } from './movement-decls.js';
import { checkTensor, empty } from './util.js';

// F.pad. Constant padding is one recorded op ('pad'); reflect / replicate / circular padding is a
// composite of one indexSelect per padded dim, so autograd differentiates it through indexSelect.

/** Padding modes of `pad`, as in PyTorch's F.pad. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** One padded dim: the dim, its size, and the (before, after) amounts (negative crops). */
interface PadDim {
  dim: number;
  size: number;
  before: number;
  after: number;
}

function padDims(x: Tensor, padding: readonly number[]): PadDim[] {
  if (!Array.isArray(padding))
    throw new TypeError(`pad: padding must be an array of integers, got ${String(padding)}`);
  if (padding.length % 2 !== 0) {
    throw new RangeError(
      `pad: padding length must be even (before/after pairs), got ${padding.length} values ${fmt(padding)}`,
    );
  }
  if (padding.length / 2 > x.ndim) {
    throw new RangeError(
      `pad: padding ${fmt(padding)} pads ${padding.length / 2} dims but the input of shape ${fmt(x.shape)} has ${x.ndim}`,
    );
  }
  padding.forEach((p) => {
    if (typeof p !== 'number' || !Number.isInteger(p))
      throw new TypeError(`pad: padding ${fmt(padding)} must hold integers`);
  });
  const out: PadDim[] = [];
  for (let k = 0; k < padding.length / 2; k++) {
    const dim = x.ndim - 1 - k;
    const size = x.shape[dim]!;
    const before = padding[2 * k]!;
    const after = padding[2 * k + 1]!;
    if (size + before + after < 0) {
      throw new RangeError(
        `pad: padding (${before}, ${after}) of dim ${dim} (size ${size}, shape ${fmt(x.shape)}) gives a negative size ${size + before + after}`,
      );
    }
    out.push({ dim, size, before, after });
  }
  return out;
}

/**
 * PyTorch's F.pad: `padding` lists (before, after) pairs starting from the LAST dim
 * (`[left, right, top, bottom, ...]`). Negative amounts crop. Modes: 'constant' (fill with
 * `value`), 'reflect' (mirror without repeating the edge; amounts must be smaller than the dim),
 * 'replicate' (repeat the edge), 'circular' (wrap around; amounts at most the dim's size).
 */
export function pad(x: Tensor, padding: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  checkTensor('pad', x);
  if (!MODES.includes(mode)) {
    throw new RangeError(
      `pad: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`,
    );
  }
  const dims = padDims(x, padding);
  if (mode === 'constant') return padConstant(x, [...padding], dims, value);
  let cur = x;
  for (const p of dims) {
    if (p.before === 0 && p.after === 0) continue;
    cur = indexSelect(cur, p.dim, int32On(x.storage('pad').backend, sourceIndices(mode, p, x.shape)));
  }
  return cur;
}

/** The source position along the dim of each output position, for the non-constant modes. */
function sourceIndices(mode: PadMode, p: PadDim, shape: readonly number[]): Int32Array {
  const { dim, size: n, before, after } = p;
  if (mode === 'reflect' && (before >= n || after >= n)) {
    throw new RangeError(
      `pad: reflect padding (${before}, ${after}) must be smaller than the size ${n} of dim ${dim} (shape ${fmt(shape)})`,
    );
  }
  if (mode === 'circular' && (before > n || after > n)) {
    throw new RangeError(
      `pad: circular padding (${before}, ${after}) must be at most the size ${n} of dim ${dim} (shape ${fmt(shape)}); it would wrap more than once`,
    );
  }
  const len = n + before + after;
  if (mode === 'replicate' && n === 0 && len > 0) {
    throw new RangeError(`pad: replicate padding of dim ${dim} needs a non-empty dim (shape ${fmt(shape)})`);
  }
  const idx = new Int32Array(len);
  for (let j = 0; j < len; j++) {
    const i = j - before;
    if (mode === 'reflect') idx[j] = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    else if (mode === 'replicate') idx[j] = i < 0 ? 0 : i >= n ? n - 1 : i;
    else idx[j] = ((i % n) + n) % n;
  }
  return idx;
}

/** Constant padding: fill the output with `value`, then copy the kept part of the input. */
function padConstant(x: Tensor, padding: number[], dims: readonly PadDim[], value: number): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`pad: value must be a number, got ${typeof value}`);
  }
  const shape = [...x.shape];
  for (const p of dims) shape[p.dim] = p.size + p.before + p.after;
  return runOp(PAD_OP, [x], { pad: padding, value }, () => {
    const b = x.storage('pad').backend;
    const out = empty(b, x.dtype, shape);
    if (out.numel() === 0) return out;
    const v = Number(value);
    b.fill(
      out.viewFor('pad'),
      x.dtype === 'bool' ? (v !== 0 ? 1 : 0) : x.dtype === 'int32' ? Math.trunc(v) : v,
    );
    const ov = out.viewFor('pad');
    const xv = x.viewFor('pad');
    const inShape = [...x.shape];
    let inOffset = xv.offset;
    let outOffset = ov.offset;
    for (const p of dims) {
      const start = Math.max(0, -p.before);
      const end = p.size - Math.max(0, -p.after);
      if (end <= start) return out; // everything of this dim is cropped away
      inShape[p.dim] = end - start;
      inOffset += start * xv.strides[p.dim]!;
      outOffset += Math.max(0, p.before) * ov.strides[p.dim]!;
    }
    const target: View = { ...ov, shape: inShape, offset: outOffset };
    b.copy(target, { ...xv, shape: inShape, offset: inOffset });
    return out;
  });
}
