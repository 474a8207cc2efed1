import {
  type AvgPool2dOptions,
  adaptiveAvgPool2d,
  avgPool2d,
  checkOptions,
  maxPool2dWithIndices,
  type Pool2dOptions,
  type Tensor,
} from '@tessera/tensor';
import { checkTensor, fmt } from './util.js';

export {
  type AvgPool2dOptions,
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool2d,
  maxPool2dWithIndices,
  type Pool2dOptions,
} from '@tessera/tensor';

/** Options of the 1-D poolings (PyTorch's F.max_pool1d); stride defaults to the kernel size. */
export interface Pool1dOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  ceilMode?: boolean;
}

/** Options of avgPool1d (PyTorch's F.avg_pool1d). */
export interface AvgPool1dOptions {
  stride?: number;
  padding?: number;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** Runs a 2-D pooling over x [N, C, L] (or [C, L]) seen as [N, C, 1, L]. */
function as2d(op: string, x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  checkTensor(op, x);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(`${op}: input must be 3-D [N, C, L] or 2-D [C, L], got shape ${fmt(x.shape)}`);
  const x3 = x.ndim === 2 ? x.unsqueeze(0) : x;
  const y = f(x3.unsqueeze(2)).squeeze(2);
  return x.ndim === 2 ? y.squeeze(0) : y;
}

/** Converts 1-D pooling options to the 2-D ones over a height-1 image. */
function opts2d(o: Pool1dOptions | AvgPool1dOptions | undefined, kernel: number): AvgPool2dOptions {
  const d = o as Pool1dOptions | undefined;
  return {
    stride: [1, o?.stride ?? kernel],
    padding: [0, o?.padding ?? 0],
    dilation: [1, d?.dilation ?? 1],
    ceilMode: o?.ceilMode ?? false,
    countIncludePad: (o as AvgPool1dOptions | undefined)?.countIncludePad ?? true,
  };
}

/** 1-D max pooling of x [N, C, L] (or [C, L]) over windows of `kernelSize`. */
export function maxPool1d(x: Tensor, kernelSize: number, opts?: Pool1dOptions): Tensor {
  return maxPool1dWithIndices(x, kernelSize, opts).values;
}

/** maxPool1d that also returns the int32 position (along L) of each maximum. */
export function maxPool1dWithIndices(
  x: Tensor,
  kernelSize: number,
  opts?: Pool1dOptions,
): { values: Tensor; indices: Tensor } {
  let indices: Tensor | undefined;
  checkOptions('maxPool1d', opts, {
    stride: 'integer',
    padding: 'integer',
    dilation: 'integer',
    ceilMode: 'boolean',
  });
  const values = as2d('maxPool1d', x, (x4) => {
    const { countIncludePad: _, ...o } = opts2d(opts, kernelSize);
    const r = maxPool2dWithIndices(x4, [1, kernelSize], o as Pool2dOptions);
    indices = r.indices;
    return r.values;
  });
  const idx = indices!.squeeze(2);
  return { values, indices: x.ndim === 2 ? idx.squeeze(0) : idx };
}

/** 1-D average pooling of x [N, C, L] (or [C, L]). */
export function avgPool1d(x: Tensor, kernelSize: number, opts?: AvgPool1dOptions): Tensor {
  checkOptions('avgPool1d', opts, {
    stride: 'integer',
    padding: 'integer',
    ceilMode: 'boolean',
    countIncludePad: 'boolean',
  });
  return as2d('avgPool1d', x, (x4) => avgPool2d(x4, [1, kernelSize], opts2d(opts, kernelSize)));
}

/** Adaptive 1-D average pooling of x [N, C, L] (or [C, L]) to `outputSize` positions. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor {
  return as2d('adaptiveAvgPool1d', x, (x4) => adaptiveAvgPool2d(x4, [1, outputSize]));
}
