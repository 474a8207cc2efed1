import { checkOptions, convTranspose2d, type Tensor } from '@tessera/tensor';
import { checkTensor, fmt } from './util.js';

/** Options of convTranspose1d (PyTorch's F.conv_transpose1d). */
export interface ConvTranspose1dOptions {
  /** Step of the (forward) convolution this transposes (default 1). */
  stride?: number;
  /** dilation * (k - 1) - padding zeros are added on both sides of the input (default 0). */
  padding?: number;
  /** Extra size added to one side of the output (default 0). */
  outputPadding?: number;
  /** Independent channel groups (default 1). */
  groups?: number;
  /** Spacing between kernel elements (default 1). */
  dilation?: number;
}

/**
 * Transposed 1-D convolution (PyTorch's F.conv_transpose1d) of x [N, Cin, L] (or [Cin, L]) with
 * weight [Cin, Cout/groups, k] and optional bias [Cout]: the 2-D transposed convolution over a
 * height-1 image. Output length (L - 1) stride - 2 padding + dilation (k - 1) + outputPadding + 1.
 */
export function convTranspose1d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTranspose1dOptions = {},
): Tensor {
  const op = 'convTranspose1d';
  checkOptions(op, opts, {
    stride: 'integer',
    padding: 'integer',
    outputPadding: 'integer',
    groups: 'integer',
    dilation: 'integer',
  });
  checkTensor(op, x);
  checkTensor(op, weight, 'weight');
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(`${op}: input must be 3-D [N, Cin, L] or 2-D [Cin, L], got shape ${fmt(x.shape)}`);
  if (weight.ndim !== 3)
    throw new RangeError(`${op}: weight must be 3-D [Cin, Cout/groups, k], got shape ${fmt(weight.shape)}`);
  const y = convTranspose2d(x.unsqueeze(-2), weight.unsqueeze(2), bias ?? null, {
    stride: [1, opts.stride ?? 1],
    padding: [0, opts.padding ?? 0],
    outputPadding: [0, opts.outputPadding ?? 0],
    dilation: [1, opts.dilation ?? 1],
    groups: opts.groups ?? 1,
  });
  return y.squeeze(-2);
}
