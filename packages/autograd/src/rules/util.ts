import { type DType, type Tensor, zeros } from '@tessera/tensor';
import type { GradContext } from '../rule.js';
import { sameShape } from '../util.js';

/**
 * Sums a gradient of a broadcast result back to an operand's shape: over leading dims the operand
 * lacks and over dims where it has size 1.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const r = dims.length > 0 ? g.sum(dims, true) : g;
  if (sameShape(r.shape, shape)) return r;
  const v = r.reshape(shape);
  // The sum is a temporary: release it so that the view alone holds the memory.
  if (r !== g) r.dispose();
  return v;
}

/** Zeros shaped like forward input `i`. */
export function zerosForInput(ctx: GradContext, i: number): Tensor {
  return zeros(ctx.inputShape(i), { dtype: ctx.inputDtype(i) as DType, device: ctx.inputDevice(i) });
}

/** Zeros of a shape with `like`'s dtype and device. */
export function zerosLikeShape(like: Tensor, shape: readonly number[]): Tensor {
  return zeros(shape, { dtype: like.dtype, device: like.device });
}

/**
 * Brings a reduction's output (or its gradient) back to the input's rank by re-inserting the
 * reduced dims as size 1 (when the op did not keep them), ready to broadcast against the input.
 */
export function unreduce(
  t: Tensor,
  dims: readonly number[],
  keepdim: boolean,
  inputShape: readonly number[],
): Tensor {
  if (keepdim || dims.length === 0) return t;
  const shape = inputShape.map((s, i) => (dims.includes(i) ? 1 : s));
  return t.reshape(shape);
}

/** Like `unreduce`, then expanded to the input's shape. */
export function expandReduced(
  t: Tensor,
  dims: readonly number[],
  keepdim: boolean,
  inputShape: readonly number[],
): Tensor {
  return unreduce(t, dims, keepdim, inputShape).expand(inputShape);
}
