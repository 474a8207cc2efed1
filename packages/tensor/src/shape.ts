/** A tensor's shape: one non-negative integer size per dimension. */
export type Shape = readonly number[];

/** Formats a shape the way errors print it: `[2,3]`. */
export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Number of elements of a shape (1 for a scalar's empty shape). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C-order) strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when shape + strides describe row-major layout (size-1 dims may have any stride). */
export function isContiguousLayout(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 0) return true;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Validates a user-supplied shape: non-negative integers only. Returns a fresh array. */
export function checkShape(op: string, shape: readonly unknown[]): number[] {
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: shape must be an array of integers, got ${String(shape)}`);
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw new TypeError(`${op}: shape [${shape.join(',')}] has a non-integer size at dim ${i}`);
    }
    if (d < 0) throw new RangeError(`${op}: shape [${shape.join(',')}] has a negative size at dim ${i}`);
    out.push(d);
  }
  return out;
}

/** Normalises a possibly negative dim into [0, ndim), with a clear error when out of range. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  if (!Number.isInteger(dim)) throw new TypeError(`${op}: dim must be an integer, got ${dim}`);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (dim < lo || dim > hi) {
    throw new RangeError(
      `${op}: dim ${dim} is out of range for a tensor of ${ndim} dims (expected ${lo}..${hi})`,
    );
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalises a list of dims (or undefined = all dims), rejecting duplicates; result sorted. */
export function normalizeDims(
  op: string,
  dims: number | readonly number[] | undefined,
  ndim: number,
): number[] {
  if (dims === undefined) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  if (typeof dims === 'number') {
    const d = normalizeDim(op, dims, ndim);
    return ndim === 0 ? [] : [d];
  }
  const list = dims;
  const out = list.map((d) => normalizeDim(op, d, ndim));
  // Insertion sort: dim lists are short.
  for (let i = 1; i < out.length; i++) {
    const v = out[i]!;
    let j = i - 1;
    for (; j >= 0 && out[j]! > v; j--) out[j + 1] = out[j]!;
    out[j + 1] = v;
  }
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1])
      throw new RangeError(`${op}: dim ${out[i]} appears more than once in [${list.join(',')}]`);
  }
  return ndim === 0 ? [] : out;
}

/** NumPy/PyTorch broadcasting of two shapes, naming both shapes and the dim on failure. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast (dim ${i - n}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that view a tensor of `shape`/`strides` as `target` (broadcast dims get stride 0). */
export function broadcastStrides(
  op: string,
  shape: Shape,
  strides: readonly number[],
  target: Shape,
): number[] {
  const n = target.length;
  const off = n - shape.length;
  if (off < 0) throw new RangeError(`${op}: cannot broadcast shape ${fmt(shape)} to ${fmt(target)}`);
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    const t = target[i + off]!;
    if (d === t) out[i + off] = strides[i]!;
    else if (d === 1) out[i + off] = 0;
    else
      throw new RangeError(
        `${op}: cannot broadcast shape ${fmt(shape)} to ${fmt(target)} (dim ${i}: ${d} vs ${t})`,
      );
  }
  return out;
}

/** True when two shapes are equal element by element. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
