import type { TypedArray } from '../dtype.js';
import { withOpContext } from '../op-context.js';
import { broadcastShapes, broadcastStrides, fmt, shapesEqual } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { eq } from './compare.js';
import { cast, where } from './elementwise.js';
import { int32On, scalarOf } from './from-array.js';
import { checkIndex, indexSelect, scatter } from './indexing.js';
import { contiguous, copyContiguous, expand, reshape, unsqueeze } from './movement.js';
import { checkTensor, describe, sameBackend } from './util.js';

// Masked ops and oneHot: composites of recorded ops (where, indexSelect, eq, cast). maskedSelect
// and oneHot(numClasses = -1) have data-dependent shapes, so they read their mask / indices back.

function checkMask(op: string, mask: unknown): Tensor {
  const m = checkTensor(op, mask, 'mask');
  if (m.dtype !== 'bool') throw new TypeError(`${op}: mask must be a bool tensor, got ${m.dtype}`);
  return m;
}

/**
 * A copy of `x` with `value` wherever the bool `mask` (broadcast to x's shape) is true. `value` is
 * a number/boolean or a 0-d tensor; it is converted to x's dtype. Composite: `where`.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkTensor('maskedFill', x);
  checkMask('maskedFill', mask);
  const b = sameBackend('maskedFill', x, mask);
  const shape = broadcastShapes('maskedFill', mask.shape, x.shape);
  if (!shapesEqual(shape, x.shape)) {
    throw new RangeError(
      `maskedFill: mask of shape ${fmt(mask.shape)} does not broadcast to the input's shape ${fmt(x.shape)}`,
    );
  }
  let v: Tensor;
  if (value instanceof Tensor) {
    sameBackend('maskedFill', x, value);
    if (value.ndim !== 0) {
      throw new RangeError(
        `maskedFill: value must be a number or a 0-d tensor, got a tensor of shape ${fmt(value.shape)}`,
      );
    }
    v = cast(value, x.dtype);
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    v = scalarOf(b, value, x.dtype, 'maskedFill');
  } else {
    throw new TypeError(`maskedFill: value must be a number, boolean or 0-d tensor, got ${describe(value)}`);
  }
  return where(mask, v, x);
}

/** Checks the operands of maskedSelect; returns their broadcast shape. */
function selectShape(op: string, x: Tensor, mask: Tensor): number[] {
  checkTensor(op, x);
  checkMask(op, mask);
  sameBackend(op, x, mask);
  return broadcastShapes(op, x.shape, mask.shape);
}

/** A contiguous copy of `mask` broadcast to `shape` (not recorded: masks are not differentiable). */
function broadcastMask(op: string, mask: Tensor, shape: readonly number[]): Tensor {
  const view = mask._view(shape, broadcastStrides(op, mask.shape, mask.strides, shape), mask.offset);
  const c = copyContiguous(view);
  view.dispose();
  return c;
}

/** The selection itself, once the broadcast mask's values are known. */
function selectWith(x: Tensor, shape: readonly number[], maskData: TypedArray): Tensor {
  let count = 0;
  for (let i = 0; i < maskData.length; i++) if (maskData[i] !== 0) count++;
  const positions = new Int32Array(count);
  for (let i = 0, k = 0; i < maskData.length; i++) if (maskData[i] !== 0) positions[k++] = i;
  const flat = reshape(expand(x, shape), [-1]);
  return indexSelect(flat, 0, int32On(x.storage('maskedSelect').backend, positions));
}

/**
 * The elements of `x` where the bool `mask` is true, as a 1-D tensor (x and mask broadcast
 * together). The result's size depends on the mask's values, so the mask is read synchronously;
 * on a backend that cannot do that (WebGPU) use `await maskedSelectAsync(x, mask)`.
 * Composite: reshape + indexSelect, so gradients flow to `x`.
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const shape = selectShape('maskedSelect', x, mask);
  const backend = mask.storage('maskedSelect').backend;
  if (backend.readSync === undefined) {
    throw new Error(
      `maskedSelect: the ${backend.name} backend cannot read the mask synchronously (the result's size depends on it); use await maskedSelectAsync(x, mask)`,
    );
  }
  const m = broadcastMask('maskedSelect', mask, shape);
  const data = backend.readSync(m.storage('maskedSelect').buffer, 'bool', m.offset, m.numel());
  m.dispose();
  return selectWith(x, shape, data);
}

/** `maskedSelect` for any backend: reads the mask back asynchronously. */
export async function maskedSelectAsync(x: Tensor, mask: Tensor): Promise<Tensor> {
  const shape = selectShape('maskedSelectAsync', x, mask);
  const m = broadcastMask('maskedSelectAsync', mask, shape);
  const data = await m.data();
  m.dispose();
  return selectWith(x, shape, data);
}

/**
 * One-hot encoding: int32 `indices` of any shape → int32 of shape [...indices.shape, numClasses]
 * with a 1 at each index. `numClasses = -1` uses max(indices) + 1. Indices are read back to check
 * they lie in [0, numClasses) (on backends without synchronous reads only when numClasses is given,
 * and then unchecked). Composite: eq + cast.
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  checkIndex('oneHot', indices);
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < -1) {
    throw new RangeError(
      `oneHot: numClasses must be -1 or a non-negative integer, got ${String(numClasses)}`,
    );
  }
  const b = indices.storage('oneHot').backend;
  let classes = numClasses;
  if (b.readSync !== undefined) {
    const c = copyContiguous(indices);
    const data = b.readSync(c.storage('oneHot').buffer, 'int32', c.offset, c.numel());
    c.dispose();
    if (classes === -1) {
      if (data.length === 0)
        throw new RangeError('oneHot: cannot infer numClasses from an empty indices tensor; pass numClasses');
      let max = 0;
      for (let i = 0; i < data.length; i++) if (data[i]! > max) max = data[i]!;
      classes = max + 1;
    }
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < 0 || v >= classes) {
        const range = classes === 0 ? 'none: numClasses is 0' : `0..${classes - 1}`;
        throw new RangeError(
          `oneHot: class index ${v} is out of range for numClasses ${classes} (valid range ${range})`,
        );
      }
    }
  } else if (classes === -1) {
    throw new Error(
      `oneHot: numClasses = -1 needs the indices read back, which the ${b.name} backend cannot do synchronously; pass numClasses`,
    );
  }
  if (b.readSync === undefined) {
    // Without a synchronous read (WebGPU) the indices cannot be checked here: a scatter of ones
    // checks them in its kernel, and an out-of-range class is reported, under oneHot's name, at
    // the next read instead of leaving a silent row of zeros.
    return withOpContext('oneHot', { indices }, () => {
      const shape = [...indices.shape, classes];
      const out = contiguous(expand(scalarOf(b, 0, 'int32', 'oneHot'), shape));
      const idx = unsqueeze(indices, -1);
      return scatter(out, -1, idx, expand(scalarOf(b, 1, 'int32', 'oneHot'), idx.shape));
    });
  }
  const range = new Int32Array(classes);
  for (let i = 0; i < classes; i++) range[i] = i;
  return cast(eq(unsqueeze(indices, -1), int32On(b, range)), 'int32');
}
