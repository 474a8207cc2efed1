import type { Conv2dParams, Pool2dParams } from './backend.js';
import type { Shape } from './shape.js';

// Convolution and pooling geometry for backend kernels: the sizes and window parameters every
// conv2d/pool2d kernel (CPU, WebAssembly, WebGPU) derives from its operands' shapes, in one place.

/** Everything a conv2d kernel needs about one convolution, derived once from shapes and params. */
export interface ConvGeometry {
  /** Images. */
  N: number;
  /** Input channels. */
  C: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Output channels. */
  O: number;
  /** Kernel height. */
  KH: number;
  /** Kernel width. */
  KW: number;
  /** Output height. */
  OH: number;
  /** Output width. */
  OW: number;
  /** Stride along height. */
  sh: number;
  /** Stride along width. */
  sw: number;
  /** Padding at the top. */
  pt: number;
  /** Padding at the left. */
  pl: number;
  /** Dilation along height. */
  dh: number;
  /** Dilation along width. */
  dw: number;
  /** Groups. */
  G: number;
  /** Input channels per group: C / G. */
  Cg: number;
  /** Output channels per group: O / G. */
  Og: number;
  /** Rows of a column (im2col) matrix: Cg * KH * KW. */
  Ck: number;
  /** Output positions: OH * OW. */
  L: number;
}

/**
 * The geometry of conv2d(input [N, C, H, W], weight [O, C/groups, KH, KW]) -> output [N, O, OH, OW].
 * Gradient kernels pass the same three shapes: the input gradient as `input`, the weight gradient
 * as `weight`, dy as `output`. Shapes are trusted (the ops layer has checked them).
 */
export function convGeometry(input: Shape, weight: Shape, output: Shape, p: Conv2dParams): ConvGeometry {
  const [N, C, H, W] = input as [number, number, number, number];
  const [O, , KH, KW] = weight as [number, number, number, number];
  const OH = output[2]!;
  const OW = output[3]!;
  const G = p.groups;
  const Cg = C / G;
  return {
    N,
    C,
    H,
    W,
    O,
    KH,
    KW,
    OH,
    OW,
    sh: p.stride[0],
    sw: p.stride[1],
    pt: p.padding[0],
    pl: p.padding[2],
    dh: p.dilation[0],
    dw: p.dilation[1],
    G,
    Cg,
    Og: O / G,
    Ck: Cg * KH * KW,
    L: OH * OW,
  };
}

/** True when the convolution is a plain per-position matrix product (1x1, stride 1, no padding). */
export function isPointwiseConv(g: ConvGeometry): boolean {
  return (
    g.KH === 1 &&
    g.KW === 1 &&
    g.sh === 1 &&
    g.sw === 1 &&
    g.pt === 0 &&
    g.pl === 0 &&
    g.OH === g.H &&
    g.OW === g.W
  );
}

/**
 * Output [height, width] of a convolution window `kernel` [KH, KW] sliding over the last two dims
 * of `input` (PyTorch's floor rule). No check: a window larger than the padded input gives a
 * size below 1, which the ops layer reports before any kernel runs.
 */
export function convOutputSize(
  input: Shape,
  kernel: readonly [number, number],
  p: Conv2dParams,
): [number, number] {
  const h = input[input.length - 2]!;
  const w = input[input.length - 1]!;
  return [
    Math.floor((h + p.padding[0] + p.padding[1] - p.dilation[0] * (kernel[0] - 1) - 1) / p.stride[0]) + 1,
    Math.floor((w + p.padding[2] + p.padding[3] - p.dilation[1] * (kernel[1] - 1) - 1) / p.stride[1]) + 1,
  ];
}

/** Everything a pool2d kernel needs about one pooling: sizes of input and output, the window. */
export interface PoolGeometry {
  /** Images (1 for a 3-D [C, H, W] operand). */
  N: number;
  /** Channels. */
  C: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Output height. */
  OH: number;
  /** Output width. */
  OW: number;
  /** Window height. */
  KH: number;
  /** Window width. */
  KW: number;
  /** Stride along height. */
  sh: number;
  /** Stride along width. */
  sw: number;
  /** Padding along height (both sides). */
  ph: number;
  /** Padding along width (both sides). */
  pw: number;
  /** Dilation along height. */
  dh: number;
  /** Dilation along width. */
  dw: number;
}

/**
 * The geometry of pool2d(input [N, C, H, W]) -> output [N, C, OH, OW]; 3-D [C, H, W] operands
 * count as N = 1. Backward kernels pass the input gradient as `input` and dy as `output`.
 */
export function poolGeometry(input: Shape, output: Shape, p: Pool2dParams): PoolGeometry {
  const x = input.length === 3 ? [1, ...input] : input;
  const [N, C, H, W] = x as [number, number, number, number];
  return {
    N,
    C,
    H,
    W,
    OH: output[output.length - 2]!,
    OW: output[output.length - 1]!,
    KH: p.kernel[0],
    KW: p.kernel[1],
    sh: p.stride[0],
    sw: p.stride[1],
    ph: p.padding[0],
    pw: p.padding[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
  };
}

/**
 * Whether a pooling is the common 2x2 window with stride 2 and no padding or dilation, over an
 * input of H x W giving OH x OW (the case the CPU kernels specialise).
 */
export function isPlainPool2x2(p: Pool2dParams, OH: number, OW: number, H: number, W: number): boolean {
  return (
    p.kernel[0] === 2 &&
    p.kernel[1] === 2 &&
    p.stride[0] === 2 &&
    p.stride[1] === 2 &&
    p.padding[0] === 0 &&
    p.padding[1] === 0 &&
    p.dilation[0] === 1 &&
    p.dilation[1] === 1 &&
    2 * OH <= H &&
    2 * OW <= W
  );
}
