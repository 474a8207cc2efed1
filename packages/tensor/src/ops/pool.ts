import type { Pool2dParams } from '../backend.js';
import { runOp } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import { checkOptions } from '../options.js';
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { fromArrayOn } from './from-array.js';
import { matmul } from './linalg.js';
import { squeeze, unsqueeze } from './movement.js';
import { AVG_POOL2D_BACKWARD_OP, AVG_POOL2D_OP, MAX_POOL2D_BACKWARD_OP, MAX_POOL2D_OP } from './nn-decls.js';
import { checkTensor, empty, emptyOut } from './util.js';

// 2-D pooling (PyTorch's F.max_pool2d, avg_pool2d, adaptive_avg_pool2d). Recorded ops:
// 'maxPool2d' (two outputs: values and int32 indices), 'maxPool2dBackward', 'avgPool2d',
// 'avgPool2dBackward'; adaptiveAvgPool2d is a composite.

/** Options of maxPool2d (PyTorch's F.max_pool2d); stride defaults to the kernel size. */
export interface Pool2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  ceilMode?: boolean;
}
/** Options of avgPool2d (PyTorch's F.avg_pool2d). */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether zero padding counts in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window by this instead of its size. */
  divisorOverride?: number;
}

/** Reads an int-or-pair option into a pair, checking each value is an integer >= `min`. */
export function pair(op: string, name: string, v: unknown, dflt: number, min: number): [number, number] {
  const p = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) {
    throw new TypeError(`${op}: ${name} must be an integer or a pair of integers, got ${JSON.stringify(v)}`);
  }
  for (const x of p) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
      throw new RangeError(
        `${op}: ${name} must be ${min > 0 ? 'positive' : 'non-negative'} integers, got ${JSON.stringify(v)}`,
      );
    }
  }
  return [p[0] as number, p[1] as number];
}

/** Normalises pooling options into Pool2dParams, validating each value. */
export function poolParams(
  op: string,
  kernelSize: number | readonly [number, number],
  opts: AvgPool2dOptions | undefined,
): Pool2dParams {
  const kernel = pair(op, 'kernelSize', kernelSize, 1, 1);
  const stride = opts?.stride === undefined ? kernel : pair(op, 'stride', opts.stride, 1, 1);
  const padding = pair(op, 'padding', opts?.padding, 0, 0);
  const dilation = pair(op, 'dilation', opts?.dilation, 1, 1);
  for (let i = 0; i < 2; i++) {
    const eff = dilation[i]! * (kernel[i]! - 1) + 1;
    if (2 * padding[i]! > eff) {
      throw new RangeError(
        `${op}: padding ${fmt(padding)} must be at most half of the (dilated) kernel size ${fmt(kernel)} (dilation ${fmt(dilation)})`,
      );
    }
  }
  const div = opts?.divisorOverride;
  if (div !== undefined && (!Number.isInteger(div) || div === 0)) {
    throw new RangeError(`${op}: divisorOverride must be a non-zero integer, got ${div}`);
  }
  const p: Pool2dParams = {
    kernel,
    stride,
    padding,
    dilation,
    ceilMode: opts?.ceilMode ?? false,
    countIncludePad: opts?.countIncludePad ?? true,
  };
  return div === undefined ? p : { ...p, divisorOverride: div };
}

/** Output size of one pooled dim, PyTorch's rule (ceil mode drops a window starting in the padding). */
function pooledSize(size: number, k: number, s: number, pad: number, d: number, ceil: boolean): number {
  const span = size + 2 * pad - d * (k - 1) - 1;
  let out = Math.floor((span + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + pad) out--;
  return out;
}

/** Output shape of a pooling over x [N, C, H, W], with a clear error when it would be empty. */
export function poolOutputShape(op: string, shape: readonly number[], p: Pool2dParams): number[] {
  const oh = pooledSize(shape[2]!, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode);
  const ow = pooledSize(shape[3]!, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode);
  if (oh < 1 || ow < 1) {
    throw new RangeError(
      `${op}: output size ${oh}x${ow} is too small: input ${fmt(shape)}, kernel ${fmt(p.kernel)}, stride ${fmt(p.stride)}, padding ${fmt(p.padding)}, dilation ${fmt(p.dilation)}`,
    );
  }
  return [shape[0]!, shape[1]!, oh, ow];
}

function checkInput(op: string, x: Tensor, floatOnly: boolean): void {
  checkTensor(op, x);
  if (x.ndim !== 4)
    throw new RangeError(`${op}: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${fmt(x.shape)}`);
  if (x.dtype === 'bool' || (floatOnly && !isFloating(x.dtype))) {
    throw new TypeError(
      `${op}: expected a ${floatOnly ? 'floating-point' : 'numeric'} tensor, got ${x.dtype}`,
    );
  }
}

/** Runs 'maxPool2d' on a 4-D input: [values, int32 indices]. */
function maxPoolRecorded(
  x: Tensor,
  kernelSize: number | readonly [number, number],
  opts: Pool2dOptions | undefined,
): readonly Tensor[] {
  const op = 'maxPool2d';
  checkInput(op, x, false);
  const params = poolParams(op, kernelSize, opts);
  const shape = poolOutputShape(op, x.shape, params);
  const inputShape = [...x.shape];
  return runOp(MAX_POOL2D_OP, [x], { params, inputShape }, () => {
    const be = x.storage(op).backend;
    const values = empty(be, x.dtype, shape);
    const indices = empty(be, 'int32', shape);
    if (values.numel() > 0) be.maxPool2d(values.viewFor(op), indices.viewFor(op), x.viewFor(op), params);
    return [values, indices] as const;
  });
}

// Values are validated by poolParams; this catches misspelt names.
const MAX_POOL_OPTIONS = { stride: 'any', padding: 'any', dilation: 'any', ceilMode: 'any' } as const;

/** 2-D max pooling of x [N, C, H, W] (or [C, H, W]); padding counts as -Infinity. NaN propagates. */
export function maxPool2d(
  x: Tensor,
  kernelSize: number | readonly [number, number],
  opts?: Pool2dOptions,
): Tensor {
  return maxPool2dWithIndices(x, kernelSize, opts).values;
}

/**
 * maxPool2d that also returns where each maximum came from: `indices` (int32) holds the flat
 * position h*W + w within each input plane, as PyTorch's return_indices=True.
 */
export function maxPool2dWithIndices(
  x: Tensor,
  kernelSize: number | readonly [number, number],
  opts?: Pool2dOptions,
): { values: Tensor; indices: Tensor } {
  checkTensor('maxPool2d', x);
  checkOptions('maxPool2d', opts, MAX_POOL_OPTIONS);
  if (x.ndim === 3) {
    const r = maxPool2dWithIndices(unsqueeze(x, 0), kernelSize, opts);
    return { values: squeeze(r.values, 0), indices: squeeze(r.indices, 0) };
  }
  const [values, indices] = maxPoolRecorded(x, kernelSize, opts) as [Tensor, Tensor];
  return { values, indices };
}

/**
 * Gradient of maxPool2d: each dy element is added at its saved flat index of its plane in a
 * zero tensor of `inputShape` [N, C, H, W].
 */
export function maxPool2dBackward(dy: Tensor, indices: Tensor, inputShape: readonly number[]): Tensor {
  const op = 'maxPool2dBackward';
  checkTensor(op, dy, 'grad_output');
  checkTensor(op, indices, 'indices');
  const shape = [...inputShape];
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(
      `${op}: input shape must be 4 non-negative integers [N, C, H, W], got ${fmt(inputShape)}`,
    );
  }
  if (indices.dtype !== 'int32') throw new TypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  if (
    dy.ndim !== 4 ||
    dy.shape[0] !== shape[0] ||
    dy.shape[1] !== shape[1] ||
    !dy.shape.every((d, i) => d === indices.shape[i])
  ) {
    throw new RangeError(
      `${op}: grad_output ${fmt(dy.shape)} and indices ${fmt(indices.shape)} must have the same shape [N, C, OH, OW] matching input ${fmt(shape)}`,
    );
  }
  const be = dy.storage(op).backend;
  return runOp(MAX_POOL2D_BACKWARD_OP, [dy, indices], { inputShape: shape }, () => {
    const res = emptyOut(be, dy.dtype, shape);
    if (res.numel() > 0) {
      be.fill(res.viewFor(op), 0);
      if (dy.numel() > 0) be.maxPool2dBackward(res.viewFor(op), dy.viewFor(op), indices.viewFor(op));
    }
    return res;
  });
}

/**
 * 2-D average pooling of x [N, C, H, W] (or [C, H, W]). The divisor is the window size
 * including padding (countIncludePad, default) or only the input elements it covers, or
 * `divisorOverride`; ceil-mode windows that run past the padding are clipped as in PyTorch.
 */
export function avgPool2d(
  x: Tensor,
  kernelSize: number | readonly [number, number],
  opts?: AvgPool2dOptions,
): Tensor {
  const op = 'avgPool2d';
  checkTensor(op, x);
  checkOptions(op, opts, { ...MAX_POOL_OPTIONS, countIncludePad: 'any', divisorOverride: 'any' });
  if (x.ndim === 3) return squeeze(avgPool2d(unsqueeze(x, 0), kernelSize, opts), 0);
  checkInput(op, x, true);
  const params = poolParams(op, kernelSize, opts);
  const shape = poolOutputShape(op, x.shape, params);
  return runOp(AVG_POOL2D_OP, [x], { params }, () => {
    const be = x.storage(op).backend;
    const res = empty(be, x.dtype, shape);
    if (res.numel() > 0) be.avgPool2d(res.viewFor(op), x.viewFor(op), params);
    return res;
  });
}

/** Gradient of avgPool2d: dx of `inputShape` from dy, with the forward call's params. */
export function avgPool2dBackward(dy: Tensor, inputShape: readonly number[], params: Pool2dParams): Tensor {
  const op = 'avgPool2dBackward';
  checkTensor(op, dy, 'grad_output');
  const shape = [...inputShape];
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(
      `${op}: input shape must be 4 non-negative integers [N, C, H, W], got ${fmt(inputShape)}`,
    );
  }
  const p = poolParams(op, params.kernel, params);
  const expected = poolOutputShape(op, shape, p);
  if (dy.ndim !== 4 || !dy.shape.every((d, i) => d === expected[i])) {
    throw new RangeError(
      `${op}: grad_output has shape ${fmt(dy.shape)} but pooling input ${fmt(shape)} produces ${fmt(expected)}`,
    );
  }
  const be = dy.storage(op).backend;
  return runOp(AVG_POOL2D_BACKWARD_OP, [dy], { params: p, inputShape: shape }, () => {
    const res = empty(be, dy.dtype, shape);
    if (res.numel() > 0) be.avgPool2dBackward(res.viewFor(op), dy.viewFor(op), p);
    return res;
  });
}

/**
 * Adaptive average pooling to `outputSize` (PyTorch's F.adaptive_avg_pool2d): output cell i
 * averages input rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1 (and likewise for columns). Uses
 * avgPool2d when the sizes divide evenly, otherwise two matmuls with averaging matrices.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number, number]): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkTensor(op, x);
  if (x.ndim === 3) return squeeze(adaptiveAvgPool2d(unsqueeze(x, 0), outputSize), 0);
  checkInput(op, x, true);
  const [oh, ow] = pair(op, 'outputSize', outputSize, 1, 1);
  const h = x.shape[2]!;
  const w = x.shape[3]!;
  if (h === 0 || w === 0) throw new RangeError(`${op}: input ${fmt(x.shape)} has an empty spatial dim`);
  if (h % oh === 0 && w % ow === 0) {
    return avgPool2d(x, [h / oh, w / ow], { stride: [h / oh, w / ow] });
  }
  const ph = averagingMatrix(oh, h, x); // [oh, h]
  const pw = averagingMatrix(ow, w, x); // [ow, w]
  return matmul(matmul(ph, x), pw.mT);
}

/** The [out, size] matrix whose row i averages the adaptive window i of a dim of `size`. */
function averagingMatrix(out: number, size: number, like: Tensor): Tensor {
  const m = new Float64Array(out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  const backend = like.storage('adaptiveAvgPool2d').backend;
  const f64 = like.dtype === 'float64';
  return fromArrayOn(backend, f64 ? 'float64' : 'float32', f64 ? m : Float32Array.from(m), [out, size]);
}
