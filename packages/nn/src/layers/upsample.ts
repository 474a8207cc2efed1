import { checkOptions, type Tensor } from '@tessera/tensor';
import {
  type InterpolateMode,
  type InterpolateOptions,
  interpolate,
  pixelShuffle,
  pixelUnshuffle,
} from '../functional/interpolate.js';
import { Module } from '../module.js';

/**
 * Resamples the spatial dims (PyTorch's nn.Upsample): `F.interpolate` with the given size or
 * scaleFactor, mode ('nearest' by default) and alignCorners.
 */
export class Upsample extends Module {
  size: number | readonly number[] | undefined;
  scaleFactor: number | readonly number[] | undefined;
  mode: InterpolateMode;
  alignCorners: boolean | undefined;

  constructor(opts: InterpolateOptions) {
    super();
    this.size = opts.size;
    this.scaleFactor = opts.scaleFactor;
    this.mode = opts.mode ?? 'nearest';
    this.alignCorners = opts.alignCorners;
    checkOptions('Upsample', opts, {
      size: 'integer|array',
      scaleFactor: 'number|array',
      mode: 'string',
      alignCorners: 'boolean',
    });
    // interpolate checks the values against the input on each call; these need no input.
    if ((opts.size === undefined) === (opts.scaleFactor === undefined))
      throw new RangeError('Upsample: give exactly one of size and scaleFactor');
    if (!['nearest', 'linear', 'bilinear'].includes(this.mode))
      throw new RangeError(
        `Upsample: mode must be 'nearest', 'linear' or 'bilinear', got ${JSON.stringify(this.mode)}`,
      );
  }

  /** Resamples x [N, C, L] or [N, C, H, W]. */
  forward(x: Tensor): Tensor {
    const o: InterpolateOptions = { mode: this.mode };
    if (this.size !== undefined) o.size = this.size;
    if (this.scaleFactor !== undefined) o.scaleFactor = this.scaleFactor;
    if (this.alignCorners !== undefined) o.alignCorners = this.alignCorners;
    return interpolate(x, o);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    const what =
      this.size !== undefined
        ? `size=${JSON.stringify(this.size)}`
        : `scaleFactor=${JSON.stringify(this.scaleFactor)}`;
    return `${what}, mode='${this.mode}'`;
  }
}

/** [*, C r², H, W] → [*, C, H r, W r] (PyTorch's nn.PixelShuffle). */
export class PixelShuffle extends Module {
  upscaleFactor: number;

  constructor(upscaleFactor: number) {
    super();
    if (!Number.isInteger(upscaleFactor) || upscaleFactor < 1)
      throw new RangeError(
        `PixelShuffle: upscaleFactor must be a positive integer, got ${JSON.stringify(upscaleFactor)}`,
      );
    this.upscaleFactor = upscaleFactor;
  }

  /** Rearranges channels into space. */
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `upscaleFactor=${this.upscaleFactor}`;
  }
}

/** [*, C, H r, W r] → [*, C r², H, W] (PyTorch's nn.PixelUnshuffle). */
export class PixelUnshuffle extends Module {
  downscaleFactor: number;

  constructor(downscaleFactor: number) {
    super();
    if (!Number.isInteger(downscaleFactor) || downscaleFactor < 1)
      throw new RangeError(
        `PixelUnshuffle: downscaleFactor must be a positive integer, got ${JSON.stringify(downscaleFactor)}`,
      );
    this.downscaleFactor = downscaleFactor;
  }

  /** Rearranges space into channels. */
  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `downscaleFactor=${this.downscaleFactor}`;
  }
}
