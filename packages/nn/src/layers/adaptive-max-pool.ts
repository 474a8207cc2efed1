import type { Tensor } from '@tessera/tensor';
import {
  adaptiveMaxPool1dWithIndices,
  adaptiveMaxPool2dWithIndices,
  type PoolWithIndices,
} from '../functional/adaptive-max-pool.js';
import { Module } from '../module.js';

/** What an adaptive max pool returns: { values, indices } when built with returnIndices true. */
export type AdaptiveMaxPoolOutput<R extends boolean> = R extends true ? PoolWithIndices : Tensor;

/**
 * Adaptive 2-D max pooling to a fixed output size (PyTorch's nn.AdaptiveMaxPool2d); a null entry
 * keeps that input dim. With returnIndices, forward returns { values, indices }.
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module<[Tensor], AdaptiveMaxPoolOutput<R>> {
  outputSize: number | readonly [number | null, number | null];
  returnIndices: boolean;

  constructor(outputSize: number | readonly [number | null, number | null], returnIndices?: R) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = returnIndices ?? false;
  }

  /** Pools x [N, C, H, W] (or [C, H, W]): a Tensor, or { values, indices } with returnIndices. */
  forward(x: Tensor): AdaptiveMaxPoolOutput<R> {
    const r = adaptiveMaxPool2dWithIndices(x, this.outputSize);
    return (this.returnIndices ? r : r.values) as AdaptiveMaxPoolOutput<R>;
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    const o = this.outputSize;
    return `outputSize=${typeof o === 'number' ? o : `[${o.join(', ')}]`}`;
  }
}

/** Adaptive 1-D max pooling (PyTorch's nn.AdaptiveMaxPool1d); returnIndices as AdaptiveMaxPool2d. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends Module<[Tensor], AdaptiveMaxPoolOutput<R>> {
  outputSize: number;
  returnIndices: boolean;

  constructor(outputSize: number, returnIndices?: R) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = returnIndices ?? false;
  }

  /** Pools x [N, C, L] (or [C, L]): a Tensor, or { values, indices } with returnIndices. */
  forward(x: Tensor): AdaptiveMaxPoolOutput<R> {
    const r = adaptiveMaxPool1dWithIndices(x, this.outputSize);
    return (this.returnIndices ? r : r.values) as AdaptiveMaxPoolOutput<R>;
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `outputSize=${this.outputSize}`;
  }
}
