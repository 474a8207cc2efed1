import { maxPool2dWithIndices, stack, type Tensor, tensor } from '@tessera/tensor';
import { checkTensor, fmt } from './util.js';

/** Max values and where they came from (flat index into each input plane, int32). */
export interface PoolWithIndices {
  values: Tensor;
  indices: Tensor;
}

/** PyTorch's adaptive window of output cell i: [floor(i*in/out), ceil((i+1)*in/out)). */
function windows(inS: number, outS: number): [number, number][] {
  return Array.from({ length: outS }, (_, i) => [
    Math.floor((i * inS) / outS),
    Math.ceil(((i + 1) * inS) / outS),
  ]);
}

/** Checks an output size entry (a positive integer, or null for the input's size). */
function sizeEntry(op: string, v: unknown, input: number): number {
  if (v === null) return input;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new RangeError(
      `${op}: outputSize entries must be positive integers or null, got ${JSON.stringify(v)}`,
    );
  return v;
}

/**
 * Adaptive 2-D max pooling of x [N, C, H, W] (or [C, H, W]) to outputSize (PyTorch's
 * F.adaptive_max_pool2d with return_indices=True): output cell (i, j) is the max over rows
 * floor(i H/oh) .. ceil((i+1) H/oh) - 1 and likewise columns; indices are flat h*W + w. Uses
 * maxPool2d when the sizes divide evenly, otherwise one max per window.
 */
export function adaptiveMaxPool2dWithIndices(
  x: Tensor,
  outputSize: number | readonly [number | null, number | null],
): PoolWithIndices {
  const op = 'adaptiveMaxPool2d';
  checkTensor(op, x);
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new RangeError(`${op}: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${fmt(x.shape)}`);
  const [H, W] = x.shape.slice(-2) as [number, number];
  if (H < 1 || W < 1)
    throw new RangeError(`${op}: input spatial size must be non-empty, got shape ${fmt(x.shape)}`);
  const o = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (!Array.isArray(o) || o.length !== 2)
    throw new RangeError(
      `${op}: outputSize must be a number or 2 of them, got ${JSON.stringify(outputSize)}`,
    );
  const oh = sizeEntry(op, o[0], H);
  const ow = sizeEntry(op, o[1], W);
  if (H % oh === 0 && W % ow === 0) {
    const k: [number, number] = [H / oh, W / ow];
    return maxPool2dWithIndices(x, k, { stride: k });
  }
  const lead = x.shape.slice(0, -2);
  const vals: Tensor[] = [];
  const idxs: Tensor[] = [];
  for (const [h0, h1] of windows(H, oh)) {
    for (const [w0, w1] of windows(W, ow)) {
      const hl = h1 - h0;
      const wl = w1 - w0;
      const win = x
        .narrow(-2, h0, hl)
        .narrow(-1, w0, wl)
        .reshape([...lead, hl * wl]);
      const { values, indices } = win.max(-1);
      // Local window index → flat index in the plane, through a small lookup table.
      const table = Int32Array.from(
        { length: hl * wl },
        (_, t) => (h0 + Math.floor(t / wl)) * W + w0 + (t % wl),
      );
      const lut = tensor(table, { dtype: 'int32', device: x.device });
      vals.push(values);
      idxs.push(lut.indexSelect(0, indices.reshape(-1)).reshape(indices.shape));
    }
  }
  const shape = [...lead, oh, ow];
  return { values: stack(vals, -1).reshape(shape), indices: stack(idxs, -1).reshape(shape) };
}

/** Adaptive 2-D max pooling (PyTorch's F.adaptive_max_pool2d); see adaptiveMaxPool2dWithIndices. */
export function adaptiveMaxPool2d(
  x: Tensor,
  outputSize: number | readonly [number | null, number | null],
): Tensor {
  return adaptiveMaxPool2dWithIndices(x, outputSize).values;
}

/**
 * Adaptive 1-D max pooling of x [N, C, L] (or [C, L]) to outputSize positions, with the indices
 * (positions in L) of the maxima (PyTorch's F.adaptive_max_pool1d with return_indices=True).
 */
export function adaptiveMaxPool1dWithIndices(x: Tensor, outputSize: number): PoolWithIndices {
  const op = 'adaptiveMaxPool1d';
  checkTensor(op, x);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(`${op}: input must be 3-D [N, C, L] or 2-D [C, L], got shape ${fmt(x.shape)}`);
  if (typeof outputSize !== 'number' || !Number.isInteger(outputSize) || outputSize < 1)
    throw new RangeError(`${op}: outputSize must be a positive integer, got ${JSON.stringify(outputSize)}`);
  const r = adaptiveMaxPool2dWithIndices(x.unsqueeze(-2), [1, outputSize]);
  return { values: r.values.squeeze(-2), indices: r.indices.squeeze(-2) };
}

/** Adaptive 1-D max pooling (PyTorch's F.adaptive_max_pool1d). */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number): Tensor {
  return adaptiveMaxPool1dWithIndices(x, outputSize).values;
}
