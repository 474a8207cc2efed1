import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  avgPool1d,
  avgPool2d,
  maxPool1dWithIndices,
  maxPool2dWithIndices,
} from '../functional/pooling.js';
import { fmt } from '../functional/util.js';
import { Module } from '../module.js';
import { AVG_POOL, MAX_POOL } from '../option-specs.js';

/**
 * What a max-pooling layer returns: `{values, indices}` (int32 positions of the maxima) when
 * built with `returnIndices: true`, else the values.
 */
export type MaxPoolOutput<R extends boolean> = R extends true ? { values: Tensor; indices: Tensor } : Tensor;

/** Options of MaxPool1d. */
export interface MaxPool1dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number;
  padding?: number;
  dilation?: number;
  /** Return `{values, indices}` instead of the values (default false). */
  returnIndices?: boolean;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}

/**
 * 1-D max pooling over x [N, C, L] (or [C, L]) (PyTorch's nn.MaxPool1d). `R` is whether it
 * returns indices, inferred from the `returnIndices` option.
 */
export class MaxPool1d<R extends boolean = false> extends Module<[Tensor], MaxPoolOutput<R>> {
  kernelSize: number;
  stride: number;
  padding: number;
  dilation: number;
  returnIndices: boolean;
  ceilMode: boolean;

  constructor(kernelSize: number, opts: MaxPool1dOptions & { returnIndices?: R } = {}) {
    super();
    checkOptions('MaxPool1d', opts, MAX_POOL);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = opts.returnIndices ?? false;
    this.ceilMode = opts.ceilMode ?? false;
  }

  /** Pools; `{values, indices}` when returnIndices is set. */
  forward(x: Tensor): MaxPoolOutput<R> {
    const { stride, padding, dilation, ceilMode } = this;
    const r = maxPool1dWithIndices(x, this.kernelSize, { stride, padding, dilation, ceilMode });
    return (this.returnIndices ? r : r.values) as MaxPoolOutput<R>;
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceilMode=${this.ceilMode}`;
  }
}

/** Options of MaxPool2d. */
export interface MaxPool2dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  /** Return `{values, indices}` instead of the values (default false). */
  returnIndices?: boolean;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}

/**
 * 2-D max pooling over x [N, C, H, W] (or [C, H, W]) (PyTorch's nn.MaxPool2d). `R` is whether it
 * returns indices, inferred from the `returnIndices` option.
 */
export class MaxPool2d<R extends boolean = false> extends Module<[Tensor], MaxPoolOutput<R>> {
  kernelSize: number | readonly [number, number];
  stride: number | readonly [number, number];
  padding: number | readonly [number, number];
  dilation: number | readonly [number, number];
  returnIndices: boolean;
  ceilMode: boolean;

  constructor(
    kernelSize: number | readonly [number, number],
    opts: MaxPool2dOptions & { returnIndices?: R } = {},
  ) {
    super();
    checkOptions('MaxPool2d', opts, MAX_POOL);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = opts.returnIndices ?? false;
    this.ceilMode = opts.ceilMode ?? false;
  }

  /** Pools; `{values, indices}` when returnIndices is set. */
  forward(x: Tensor): MaxPoolOutput<R> {
    const { stride, padding, dilation, ceilMode } = this;
    const r = maxPool2dWithIndices(x, this.kernelSize, { stride, padding, dilation, ceilMode });
    return (this.returnIndices ? r : r.values) as MaxPoolOutput<R>;
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    const f = (v: number | readonly number[]) => (typeof v === 'number' ? String(v) : fmt(v));
    return `kernelSize=${f(this.kernelSize)}, stride=${f(this.stride)}, padding=${f(this.padding)}, dilation=${f(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/** Options of AvgPool2d. */
export interface AvgPool2dLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window by this instead. */
  divisorOverride?: number;
}

/** 2-D average pooling over x [N, C, H, W] (or [C, H, W]) (PyTorch's nn.AvgPool2d). */
export class AvgPool2d extends Module {
  kernelSize: number | readonly [number, number];
  stride: number | readonly [number, number];
  padding: number | readonly [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | undefined;

  constructor(kernelSize: number | readonly [number, number], opts: AvgPool2dLayerOptions = {}) {
    super();
    checkOptions('AvgPool2d', opts, AVG_POOL);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride;
  }

  /** Pools. */
  forward(x: Tensor): Tensor {
    const o = {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    };
    return avgPool2d(
      x,
      this.kernelSize,
      this.divisorOverride === undefined ? o : { ...o, divisorOverride: this.divisorOverride },
    );
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    const f = (v: number | readonly number[]) => (typeof v === 'number' ? String(v) : fmt(v));
    return `kernelSize=${f(this.kernelSize)}, stride=${f(this.stride)}, padding=${f(this.padding)}`;
  }
}

/** 1-D average pooling over x [N, C, L] (or [C, L]) (PyTorch's nn.AvgPool1d). */
export class AvgPool1d extends Module {
  kernelSize: number;
  stride: number;
  padding: number;
  ceilMode: boolean;
  countIncludePad: boolean;

  constructor(
    kernelSize: number,
    opts: { stride?: number; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {},
  ) {
    super();
    checkOptions('AvgPool1d', opts, AVG_POOL);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
  }

  /** Pools. */
  forward(x: Tensor): Tensor {
    const { stride, padding, ceilMode, countIncludePad } = this;
    return avgPool1d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad });
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}`;
  }
}

/**
 * Adaptive 2-D average pooling to a fixed output size (PyTorch's nn.AdaptiveAvgPool2d); a null
 * entry keeps that input dim's size.
 */
export class AdaptiveAvgPool2d extends Module {
  outputSize: number | readonly [number | null, number | null];

  constructor(outputSize: number | readonly [number | null, number | null]) {
    super();
    this.outputSize = outputSize;
  }

  /** Pools x [N, C, H, W] (or [C, H, W]) to [N, C, outH, outW]. */
  forward(x: Tensor): Tensor {
    const o = this.outputSize;
    if (typeof o === 'number') return adaptiveAvgPool2d(x, o);
    const h = o[0] ?? x.shape[x.ndim - 2]!;
    const w = o[1] ?? x.shape[x.ndim - 1]!;
    return adaptiveAvgPool2d(x, [h, w]);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `outputSize=${typeof this.outputSize === 'number' ? this.outputSize : `[${this.outputSize.join(', ')}]`}`;
  }
}

/** Adaptive 1-D average pooling to `outputSize` positions (PyTorch's nn.AdaptiveAvgPool1d). */
export class AdaptiveAvgPool1d extends Module {
  outputSize: number;

  constructor(outputSize: number) {
    super();
    this.outputSize = outputSize;
  }

  /** Pools x [N, C, L] (or [C, L]). */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `outputSize=${this.outputSize}`;
  }
}
