import type { Conv2dParams } from '../backend.js';
import { runOp } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import { checkOptions } from '../options.js';
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { reshape, squeeze, unsqueeze } from './movement.js';
import {
  COL2IM_OP,
  CONV2D_BACKWARD_INPUT_OP,
  CONV2D_BACKWARD_WEIGHT_OP,
  CONV2D_OP,
  IM2COL_OP,
} from './nn-decls.js';
import { pair } from './pool.js';
import { checkTensor, empty, sameBackend } from './util.js';

export {
  type AvgPool2dOptions,
  adaptiveAvgPool2d,
  avgPool2d,
  avgPool2dBackward,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dWithIndices,
  type Pool2dOptions,
} from './pool.js';

// Convolutions (PyTorch's F.conv2d, conv1d, conv_transpose2d, unfold, fold). The recorded ops are
// 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'im2col' and 'col2im', each with the
// normalised Conv2dParams in attrs; bias is a separate broadcast add. conv1d and convTranspose2d
// are composites of these.

/** Options of conv2d (PyTorch's F.conv2d). */
export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  /**
   * Zero padding: one number for all sides, [height, width] (each applied on both sides),
   * [top, bottom, left, right] (as in Conv2dParams, so a recorded op's params can be passed back
   * as options), 'valid' (none) or 'same' (output size = input size; stride 1 only; an odd total
   * puts the extra row/column at the bottom/right like PyTorch).
   */
  padding?: number | readonly [number, number] | readonly [number, number, number, number] | 'valid' | 'same';
  dilation?: number | readonly [number, number];
  groups?: number;
}
/** Options of conv1d (PyTorch's F.conv1d). */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'valid' | 'same';
  dilation?: number;
  groups?: number;
}
/** Options of convTranspose2d (PyTorch's F.conv_transpose2d). */
export interface ConvTranspose2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  /** Extra rows/columns added to one side of the output (must be below stride or dilation). */
  outputPadding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  groups?: number;
}

/** Normalises conv options for a kernel of size [kh, kw] into Conv2dParams. */
function convParams(op: string, opts: Conv2dOptions | undefined, kh: number, kw: number): Conv2dParams {
  checkOptions(op, opts, { stride: 'any', padding: 'any', dilation: 'any', groups: 'any' });
  const stride = pair(op, 'stride', opts?.stride, 1, 1);
  const dilation = pair(op, 'dilation', opts?.dilation, 1, 1);
  const groups = opts?.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  const pad = opts?.padding ?? 0;
  let padding: [number, number, number, number];
  if (pad === 'valid') padding = [0, 0, 0, 0];
  else if (pad === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new RangeError(
        `${op}: padding='same' is not supported for strided convolutions (stride ${fmt(stride)})`,
      );
    }
    const th = dilation[0] * (kh - 1);
    const tw = dilation[1] * (kw - 1);
    padding = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  } else if (Array.isArray(pad) && pad.length === 4) {
    for (const x of pad) {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
        throw new RangeError(`${op}: padding must be non-negative integers, got ${JSON.stringify(pad)}`);
      }
    }
    padding = [pad[0], pad[1], pad[2], pad[3]];
  } else if (typeof pad === 'string') {
    throw new RangeError(`${op}: padding must be a number, a pair, 'valid' or 'same', got '${pad}'`);
  } else {
    const [ph, pw] = pair(op, 'padding', pad, 0, 0);
    padding = [ph, ph, pw, pw];
  }
  return { stride, padding, dilation, groups };
}

/** Output spatial size of a convolution, with a clear error when the window does not fit. */
function convOutputSize(
  op: string,
  inputShape: readonly number[],
  kh: number,
  kw: number,
  p: Conv2dParams,
): [number, number] {
  const h = inputShape[2]! + p.padding[0] + p.padding[1];
  const w = inputShape[3]! + p.padding[2] + p.padding[3];
  const ekh = p.dilation[0] * (kh - 1) + 1;
  const ekw = p.dilation[1] * (kw - 1) + 1;
  if (ekh > h || ekw > w) {
    throw new RangeError(
      `${op}: kernel ${kh}x${kw} (dilation ${p.dilation[0]}x${p.dilation[1]}, effective ${ekh}x${ekw}) is larger than the padded input ${h}x${w} (input ${fmt(inputShape)}, padding ${fmt(p.padding)})`,
    );
  }
  return [Math.floor((h - ekh) / p.stride[0]) + 1, Math.floor((w - ekw) / p.stride[1]) + 1];
}

/** Checks the dtypes of a convolution's tensors: one floating dtype. */
function checkFloat(op: string, ...ts: readonly Tensor[]): void {
  for (const t of ts) {
    if (!isFloating(t.dtype))
      throw new TypeError(`${op}: expected floating-point tensors, got ${t.dtype} (shape ${fmt(t.shape)})`);
    if (t.dtype !== ts[0]!.dtype)
      throw new TypeError(`${op}: tensors must have the same dtype, got ${ts[0]!.dtype} and ${t.dtype}`);
  }
}

/** Checks a weight [O, C/groups, KH, KW] against C input channels. */
function checkWeight(
  op: string,
  inputShape: readonly number[],
  wShape: readonly number[],
  groups: number,
  what = 'input',
): void {
  if (wShape.length !== 4)
    throw new RangeError(`${op}: weight must be 4-D [out, in/groups, kh, kw], got shape ${fmt(wShape)}`);
  const C = inputShape[1]!;
  const O = wShape[0]!;
  if (C % groups !== 0)
    throw new RangeError(
      `${op}: ${what} channels ${C} are not divisible by groups=${groups} (${what} ${fmt(inputShape)})`,
    );
  if (O % groups !== 0)
    throw new RangeError(
      `${op}: weight ${fmt(wShape)} has ${O} output channels, not divisible by groups=${groups}`,
    );
  if (wShape[1]! * groups !== C) {
    throw new RangeError(
      `${op}: ${what} ${fmt(inputShape)} has ${C} channels but weight ${fmt(wShape)} with groups=${groups} expects ${wShape[1]! * groups}`,
    );
  }
}

/** Adds a per-channel bias [C] to `out` [N, C, ...], a temporary it releases (recorded as reshape + add). */
function addBias(op: string, out: Tensor, bias: Tensor | null | undefined, channels: number): Tensor {
  if (bias === undefined || bias === null) return out;
  checkTensor(op, bias, 'bias');
  if (bias.ndim !== 1 || bias.shape[0] !== channels) {
    throw new RangeError(
      `${op}: bias must have shape [${channels}] (one per output channel), got ${fmt(bias.shape)}`,
    );
  }
  if (bias.dtype !== out.dtype)
    throw new TypeError(`${op}: bias dtype ${bias.dtype} differs from the input's ${out.dtype}`);
  const shape = out.shape.map((_, i) => (i === 1 ? channels : 1));
  const b = reshape(bias, shape);
  const r = add(out, b);
  // `out` is the caller's temporary and `b` a view made here; the sum keeps neither (autograd's
  // add saves no operand), so releasing them now lets their memory be reused at once.
  b.dispose();
  out.dispose();
  return r;
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch) of x [N, C, H, W] (or unbatched [C, H, W])
 * with weight [O, C/groups, KH, KW], plus an optional bias [O].
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor {
  const op = 'conv2d';
  checkTensor(op, x);
  checkTensor(op, weight, 'weight');
  if (x.ndim === 3) return squeeze(conv2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 4)
    throw new RangeError(`${op}: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${fmt(x.shape)}`);
  const be = sameBackend(op, x, weight);
  checkFloat(op, x, weight);
  if (weight.ndim !== 4)
    throw new RangeError(
      `${op}: weight must be 4-D [out, in/groups, kh, kw], got shape ${fmt(weight.shape)}`,
    );
  const [O, , kh, kw] = weight.shape as [number, number, number, number];
  const params = convParams(op, opts, kh, kw);
  checkWeight(op, x.shape, weight.shape, params.groups);
  const [oh, ow] = convOutputSize(op, x.shape, kh, kw, params);
  const out = runOp(CONV2D_OP, [x, weight], { params }, () => {
    const res = empty(be, x.dtype, [x.shape[0]!, O, oh, ow]);
    if (res.numel() === 0) return res;
    if (weight.numel() === 0) be.fill(res.viewFor(op), 0);
    else be.conv2d(res.viewFor(op), x.viewFor(op), weight.viewFor(op), params);
    return res;
  });
  return addBias(op, out, bias, O);
}

/**
 * 1-D convolution of x [N, C, L] (or [C, L]) with weight [O, C/groups, K] plus optional bias,
 * computed as conv2d over a height-1 image.
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv1dOptions): Tensor {
  const op = 'conv1d';
  checkOptions(op, opts, { stride: 'any', padding: 'any', dilation: 'any', groups: 'any' });
  checkTensor(op, x);
  checkTensor(op, weight, 'weight');
  if (x.ndim === 2) return squeeze(conv1d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 3)
    throw new RangeError(`${op}: input must be 3-D [N, C, L] or 2-D [C, L], got shape ${fmt(x.shape)}`);
  if (weight.ndim !== 3)
    throw new RangeError(`${op}: weight must be 3-D [out, in/groups, k], got shape ${fmt(weight.shape)}`);
  const scalar = (name: string, v: unknown, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number')
      throw new TypeError(`${op}: ${name} must be an integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const pad = opts?.padding;
  const padding = pad === 'same' || pad === 'valid' ? pad : ([0, scalar('padding', pad, 0)] as const);
  const opts2: Conv2dOptions = {
    stride: [1, scalar('stride', opts?.stride, 1)],
    padding,
    dilation: [1, scalar('dilation', opts?.dilation, 1)],
    groups: opts?.groups ?? 1,
  };
  try {
    return squeeze(conv2d(unsqueeze(x, 2), unsqueeze(weight, 2), bias, opts2), 2);
  } catch (e) {
    // Report the user's 1-D shapes rather than the internal 2-D ones.
    if (e instanceof Error && e.message.startsWith('conv2d:')) {
      const err = new (e.constructor as ErrorConstructor)(
        `${op}: ${e.message.slice('conv2d: '.length)} (input ${fmt(x.shape)}, weight ${fmt(weight.shape)} seen as 2-D)`,
      );
      throw err;
    }
    throw e;
  }
}

/** Shared checks of the backward kernels: returns params and the implied conv output size. */
function backwardSetup(
  op: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  dy: Tensor,
  opts: Conv2dOptions | undefined,
): Conv2dParams {
  if (inputShape.length !== 4 || !inputShape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(
      `${op}: input shape must be 4 non-negative integers [N, C, H, W], got ${fmt(inputShape)}`,
    );
  }
  if (weightShape.length !== 4)
    throw new RangeError(`${op}: weight must be 4-D [out, in/groups, kh, kw], got shape ${fmt(weightShape)}`);
  const params = convParams(op, opts, weightShape[2]!, weightShape[3]!);
  checkWeight(op, inputShape, weightShape, params.groups);
  const [oh, ow] = convOutputSize(op, inputShape, weightShape[2]!, weightShape[3]!, params);
  const expected = [inputShape[0]!, weightShape[0]!, oh, ow];
  if (dy.ndim !== 4 || !dy.shape.every((d, i) => d === expected[i])) {
    throw new RangeError(
      `${op}: grad_output has shape ${fmt(dy.shape)} but a convolution of input ${fmt(inputShape)} with weight ${fmt(weightShape)} (stride ${fmt(params.stride)}, padding ${fmt(params.padding)}, dilation ${fmt(params.dilation)}) produces ${fmt(expected)}`,
    );
  }
  return params;
}

/**
 * Gradient of conv2d with respect to its input: dx [N, C, H, W] = inputShape from
 * dy [N, O, OH, OW] and weight [O, C/groups, KH, KW]. Also the transposed convolution's forward.
 */
export function conv2dBackwardInput(
  dy: Tensor,
  weight: Tensor,
  inputShape: readonly number[],
  opts?: Conv2dOptions,
): Tensor {
  const op = 'conv2dBackwardInput';
  checkTensor(op, dy, 'grad_output');
  checkTensor(op, weight, 'weight');
  const be = sameBackend(op, dy, weight);
  checkFloat(op, dy, weight);
  const shape = [...inputShape];
  const params = backwardSetup(op, shape, weight.shape, dy, opts);
  return runOp(CONV2D_BACKWARD_INPUT_OP, [dy, weight], { params, inputShape: shape }, () => {
    const res = empty(be, dy.dtype, shape);
    if (res.numel() === 0) return res;
    if (dy.numel() === 0 || weight.numel() === 0) be.fill(res.viewFor(op), 0);
    else be.conv2dBackwardInput(res.viewFor(op), dy.viewFor(op), weight.viewFor(op), params);
    return res;
  });
}

/**
 * Gradient of conv2d with respect to its weight: dw = weightShape [O, C/groups, KH, KW] from the
 * input x [N, C, H, W] and dy [N, O, OH, OW].
 */
export function conv2dBackwardWeight(
  x: Tensor,
  dy: Tensor,
  weightShape: readonly number[],
  opts?: Conv2dOptions,
): Tensor {
  const op = 'conv2dBackwardWeight';
  checkTensor(op, x);
  checkTensor(op, dy, 'grad_output');
  const be = sameBackend(op, x, dy);
  checkFloat(op, x, dy);
  if (x.ndim !== 4) throw new RangeError(`${op}: input must be 4-D [N, C, H, W], got shape ${fmt(x.shape)}`);
  const shape = [...weightShape];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new RangeError(`${op}: invalid weight shape ${fmt(shape)}`);
  const params = backwardSetup(op, x.shape, shape, dy, opts);
  return runOp(CONV2D_BACKWARD_WEIGHT_OP, [x, dy], { params, weightShape: shape }, () => {
    const res = empty(be, x.dtype, shape);
    if (res.numel() === 0) return res;
    if (dy.numel() === 0 || x.numel() === 0) be.fill(res.viewFor(op), 0);
    else be.conv2dBackwardWeight(res.viewFor(op), x.viewFor(op), dy.viewFor(op), params);
    return res;
  });
}

/**
 * Transposed 2-D convolution (PyTorch's F.conv_transpose2d) of x [N, Cin, H, W] (or [Cin, H, W])
 * with weight [Cin, Cout/groups, KH, KW] plus optional bias [Cout]: the gradient of a conv2d
 * with respect to its input. Output size (H-1)*stride - 2*padding + dilation*(KH-1) + outputPadding + 1.
 */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts?: ConvTranspose2dOptions,
): Tensor {
  const op = 'convTranspose2d';
  checkOptions(op, opts, {
    stride: 'any',
    padding: 'any',
    outputPadding: 'any',
    dilation: 'any',
    groups: 'any',
  });
  checkTensor(op, x);
  checkTensor(op, weight, 'weight');
  if (x.ndim === 3) return squeeze(convTranspose2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 4)
    throw new RangeError(`${op}: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${fmt(x.shape)}`);
  if (weight.ndim !== 4)
    throw new RangeError(
      `${op}: weight must be 4-D [in, out/groups, kh, kw], got shape ${fmt(weight.shape)}`,
    );
  const stride = pair(op, 'stride', opts?.stride, 1, 1);
  const padding = pair(op, 'padding', opts?.padding, 0, 0);
  const dilation = pair(op, 'dilation', opts?.dilation, 1, 1);
  const outPad = pair(op, 'outputPadding', opts?.outputPadding, 0, 0);
  const groups = opts?.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  for (let i = 0; i < 2; i++) {
    if (outPad[i]! >= stride[i]!) {
      throw new RangeError(
        `${op}: outputPadding ${fmt(outPad)} must be smaller than stride ${fmt(stride)} in each dim`,
      );
    }
  }
  const [cin, coutG, kh, kw] = weight.shape as [number, number, number, number];
  if (x.shape[1] !== cin) {
    throw new RangeError(
      `${op}: input ${fmt(x.shape)} has ${x.shape[1]} channels but weight ${fmt(weight.shape)} expects ${cin}`,
    );
  }
  if (cin % groups !== 0)
    throw new RangeError(
      `${op}: weight ${fmt(weight.shape)} has ${cin} input channels, not divisible by groups=${groups}`,
    );
  const cout = coutG * groups;
  const size = (i: number, k: number): number =>
    (x.shape[2 + i]! - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (k - 1) + outPad[i]! + 1;
  const oh = size(0, kh);
  const ow = size(1, kw);
  if (oh <= 0 || ow <= 0) {
    throw new RangeError(
      `${op}: output size ${oh}x${ow} is not positive (input ${fmt(x.shape)}, weight ${fmt(weight.shape)}, padding ${fmt(padding)})`,
    );
  }
  const out = conv2dBackwardInput(x, weight, [x.shape[0]!, cout, oh, ow], {
    stride,
    padding,
    dilation,
    groups,
  });
  return addBias(op, out, bias, cout);
}

/** Options of unfold and fold. */
export interface UnfoldOptions {
  dilation?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  stride?: number | readonly [number, number];
}

function unfoldParams(op: string, opts: UnfoldOptions | undefined): Conv2dParams {
  checkOptions(op, opts, { stride: 'any', padding: 'any', dilation: 'any' });
  const [ph, pw] = pair(op, 'padding', opts?.padding, 0, 0);
  return {
    stride: pair(op, 'stride', opts?.stride, 1, 1),
    padding: [ph, ph, pw, pw],
    dilation: pair(op, 'dilation', opts?.dilation, 1, 1),
    groups: 1,
  };
}

/**
 * Extracts sliding blocks (im2col, PyTorch's F.unfold): x [N, C, H, W] (or [C, H, W]) →
 * [N, C*KH*KW, L] with L the number of block positions; zero padding as in conv2d.
 */
export function unfold(
  x: Tensor,
  kernelSize: number | readonly [number, number],
  opts?: UnfoldOptions,
): Tensor {
  const op = 'unfold';
  checkTensor(op, x);
  if (x.ndim === 3) return squeeze(unfold(unsqueeze(x, 0), kernelSize, opts), 0);
  if (x.ndim !== 4)
    throw new RangeError(`${op}: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${fmt(x.shape)}`);
  const kernel = pair(op, 'kernelSize', kernelSize, 1, 1);
  const params = unfoldParams(op, opts);
  const [oh, ow] = convOutputSize(op, x.shape, kernel[0], kernel[1], params);
  const be = x.storage(op).backend;
  const shape = [x.shape[0]!, x.shape[1]! * kernel[0] * kernel[1], oh * ow];
  return runOp(IM2COL_OP, [x], { kernel, params }, () => {
    const res = empty(be, x.dtype, shape);
    if (res.numel() > 0) be.im2col(res.viewFor(op), x.viewFor(op), kernel, params);
    return res;
  });
}

/**
 * Combines sliding blocks into an image, summing overlaps (col2im, PyTorch's F.fold):
 * cols [N, C*KH*KW, L] (or [C*KH*KW, L]) → [N, C, outputSize[0], outputSize[1]].
 */
export function fold(
  cols: Tensor,
  outputSize: readonly [number, number],
  kernelSize: number | readonly [number, number],
  opts?: UnfoldOptions,
): Tensor {
  const op = 'fold';
  checkTensor(op, cols);
  if (cols.ndim === 2) return squeeze(fold(unsqueeze(cols, 0), outputSize, kernelSize, opts), 0);
  if (cols.ndim !== 3)
    throw new RangeError(`${op}: input must be 3-D [N, C*kh*kw, L] or 2-D, got shape ${fmt(cols.shape)}`);
  const kernel = pair(op, 'kernelSize', kernelSize, 1, 1);
  const size = pair(op, 'outputSize', outputSize, 1, 1);
  const params = unfoldParams(op, opts);
  const kk = kernel[0] * kernel[1];
  if (cols.shape[1]! % kk !== 0) {
    throw new RangeError(
      `${op}: dim 1 of input ${fmt(cols.shape)} (${cols.shape[1]}) is not divisible by the kernel size ${kernel[0]}*${kernel[1]}`,
    );
  }
  const C = cols.shape[1]! / kk;
  const [oh, ow] = convOutputSize(op, [1, C, size[0], size[1]], kernel[0], kernel[1], params);
  if (cols.shape[2] !== oh * ow) {
    throw new RangeError(
      `${op}: input ${fmt(cols.shape)} has ${cols.shape[2]} blocks but output size ${fmt(size)} with kernel ${fmt(kernel)} gives ${oh}*${ow}=${oh * ow}`,
    );
  }
  const be = cols.storage(op).backend;
  const shape = [cols.shape[0]!, C, size[0], size[1]];
  return runOp(COL2IM_OP, [cols], { kernel, params, outputSize: size }, () => {
    const res = empty(be, cols.dtype, shape);
    if (res.numel() > 0) be.col2im(res.viewFor(op), cols.viewFor(op), kernel, params);
    return res;
  });
}
