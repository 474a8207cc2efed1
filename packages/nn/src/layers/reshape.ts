import type { Tensor } from '@tessera/tensor';
import { fmt } from '../functional/util.js';
import { Module } from '../module.js';

/** Flattens dims startDim..endDim into one (PyTorch's nn.Flatten; defaults 1 and -1 keep the batch dim). */
export class Flatten extends Module {
  startDim: number;
  endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /** x.flatten(startDim, endDim). */
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Splits dim `dim` into `unflattenedSize` (PyTorch's nn.Unflatten). */
export class Unflatten extends Module {
  dim: number;
  unflattenedSize: readonly number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }

  /** x.unflatten(dim, unflattenedSize). */
  forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${fmt(this.unflattenedSize)}`;
  }
}
