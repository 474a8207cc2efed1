import { checkOptions, type Tensor, tensor } from '@tessera/tensor';
import { checkFloat, checkTensor, fmt } from './util.js';

/** Resampling modes of interpolate (PyTorch's F.interpolate). */
export type InterpolateMode = 'nearest' | 'linear' | 'bilinear';

/** Options of interpolate: exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** Output spatial size: one number for every spatial dim, or one per dim. */
  size?: number | readonly number[];
  /** Multiplier of the spatial size (output = floor(input * scaleFactor)), or one per dim. */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default), 'linear' (3-D input) or 'bilinear' (4-D input). */
  mode?: InterpolateMode;
  /** Linear modes: align the corner pixels' centres of input and output (default false). */
  alignCorners?: boolean;
}

const INTERPOLATE_SPEC = {
  size: 'integer|array',
  scaleFactor: 'number|array',
  mode: 'string',
  alignCorners: 'boolean',
} as const;

/** One value per spatial dim from a number or a tuple. */
function perDim(op: string, name: string, v: number | readonly number[], n: number): number[] {
  const arr = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (arr.length !== n) {
    throw new RangeError(
      `${op}: ${name} must have ${n} entries (one per spatial dim), got ${JSON.stringify(v)}`,
    );
  }
  return arr;
}

/** An int32 index vector on x's device. */
function indexVector(idx: number[], x: Tensor): Tensor {
  return tensor(Int32Array.from(idx), { dtype: 'int32', device: x.device });
}

/**
 * Resamples the spatial dims of x [N, C, L] or [N, C, H, W] (PyTorch's F.interpolate). 'nearest'
 * takes source index floor(dst * scale), scale = in/out for `size` or 1/scaleFactor; the linear
 * modes weight the two neighbours of the source coordinate ((dst + 0.5) * scale - 0.5, clamped at
 * 0; or dst * (in - 1)/(out - 1) with alignCorners). Differentiable (index selects and products).
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  const op = 'interpolate';
  checkTensor(op, x);
  checkOptions(op, opts, INTERPOLATE_SPEC);
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear')
    throw new RangeError(
      `${op}: mode must be 'nearest', 'linear' or 'bilinear', got ${JSON.stringify(mode)}`,
    );
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new RangeError(`${op}: input must be 3-D [N, C, L] or 4-D [N, C, H, W], got shape ${fmt(x.shape)}`);
  if (mode === 'linear' && x.ndim !== 3)
    throw new RangeError(`${op}: mode 'linear' needs a 3-D input, got shape ${fmt(x.shape)}`);
  if (mode === 'bilinear' && x.ndim !== 4)
    throw new RangeError(`${op}: mode 'bilinear' needs a 4-D input, got shape ${fmt(x.shape)}`);
  if (mode === 'nearest' && opts.alignCorners !== undefined)
    throw new RangeError(`${op}: alignCorners only applies to the linear modes, not 'nearest'`);
  if (mode !== 'nearest') checkFloat(op, x);
  const n = x.ndim - 2;
  const spatial = x.shape.slice(2);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined))
    throw new RangeError(`${op}: give exactly one of size and scaleFactor`);
  let outSize: number[];
  let scales: (number | null)[];
  if (opts.size !== undefined) {
    outSize = perDim(op, 'size', opts.size, n);
    if (!outSize.every((s) => Number.isInteger(s) && s >= 1))
      throw new RangeError(`${op}: size must be positive integers, got ${JSON.stringify(opts.size)}`);
    scales = outSize.map(() => null);
  } else {
    scales = perDim(op, 'scaleFactor', opts.scaleFactor!, n);
    if (!scales.every((s) => Number.isFinite(s) && s! > 0))
      throw new RangeError(`${op}: scaleFactor must be positive, got ${JSON.stringify(opts.scaleFactor)}`);
    outSize = spatial.map((s, i) => Math.floor(s * scales[i]!));
    if (outSize.some((s) => s < 1))
      throw new RangeError(
        `${op}: scaleFactor ${JSON.stringify(opts.scaleFactor)} gives an empty output from input ${fmt(x.shape)}`,
      );
  }
  let y = x;
  for (let i = 0; i < n; i++) {
    const dim = i + 2;
    const inS = spatial[i]!;
    const outS = outSize[i]!;
    const scale = scales[i] !== null ? 1 / scales[i]! : inS / outS;
    if (mode === 'nearest') {
      // PyTorch computes the index in float32: floorf(dst * (float)scale).
      const s32 = Math.fround(scale);
      const idx = Array.from({ length: outS }, (_, d) => Math.min(Math.floor(Math.fround(d * s32)), inS - 1));
      y = y.indexSelect(dim, indexVector(idx, x));
    } else y = linearAlong(y, dim, inS, outS, scale, opts.alignCorners ?? false);
  }
  return y;
}

/** Linear resampling along one dim: (1 - w) * x[i0] + w * x[i1]. */
function linearAlong(
  x: Tensor,
  dim: number,
  inS: number,
  outS: number,
  scale: number,
  align: boolean,
): Tensor {
  const i0: number[] = [];
  const i1: number[] = [];
  const w = new Float64Array(outS);
  for (let d = 0; d < outS; d++) {
    const src = align ? (outS > 1 ? (d * (inS - 1)) / (outS - 1) : 0) : Math.max((d + 0.5) * scale - 0.5, 0);
    const lo = Math.min(Math.floor(src), inS - 1);
    i0.push(lo);
    i1.push(Math.min(lo + 1, inS - 1));
    w[d] = src - lo;
  }
  const shape = new Array<number>(x.ndim).fill(1);
  shape[dim] = outS;
  const wt = tensor(w, { shape, dtype: x.dtype, device: x.device });
  const a = x.indexSelect(dim, indexVector(i0, x));
  const b = x.indexSelect(dim, indexVector(i1, x));
  return a.add(b.sub(a).mul(wt));
}

/** Checks the upscale/downscale factor of the pixel shuffles. */
function checkFactor(op: string, r: unknown): number {
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1)
    throw new RangeError(`${op}: factor must be a positive integer, got ${JSON.stringify(r)}`);
  return r;
}

/**
 * Rearranges [*, C r², H, W] into [*, C, H r, W r] (PyTorch's F.pixel_shuffle, sub-pixel
 * convolution): out[c, h r + i, w r + j] = in[c r² + i r + j, h, w].
 */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const op = 'pixelShuffle';
  checkTensor(op, x);
  const r = checkFactor(op, upscaleFactor);
  if (x.ndim < 3)
    throw new RangeError(`${op}: input must have at least 3 dims [*, C, H, W], got shape ${fmt(x.shape)}`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3) as [number, number, number];
  if (C % (r * r) !== 0)
    throw new RangeError(
      `${op}: channels ${C} of input ${fmt(x.shape)} must be divisible by upscaleFactor² = ${r * r}`,
    );
  const c = C / (r * r);
  const k = lead.length;
  const perm = [...lead.keys(), k, k + 3, k + 1, k + 4, k + 2];
  return x
    .reshape([...lead, c, r, r, H, W])
    .permute(perm)
    .reshape([...lead, c, H * r, W * r]);
}

/** The inverse of pixelShuffle: [*, C, H r, W r] into [*, C r², H, W] (PyTorch's F.pixel_unshuffle). */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const op = 'pixelUnshuffle';
  checkTensor(op, x);
  const r = checkFactor(op, downscaleFactor);
  if (x.ndim < 3)
    throw new RangeError(`${op}: input must have at least 3 dims [*, C, H, W], got shape ${fmt(x.shape)}`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3) as [number, number, number];
  if (H % r !== 0 || W % r !== 0)
    throw new RangeError(
      `${op}: height ${H} and width ${W} of input ${fmt(x.shape)} must be divisible by downscaleFactor ${r}`,
    );
  const k = lead.length;
  const perm = [...lead.keys(), k, k + 2, k + 4, k + 1, k + 3];
  return x
    .reshape([...lead, C, H / r, r, W / r, r])
    .permute(perm)
    .reshape([...lead, C * r * r, H / r, W / r]);
}
