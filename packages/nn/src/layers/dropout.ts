import type { Tensor } from '@tessera/tensor';
import { dropout, dropout1d, dropout2d } from '../functional/dropout.js';
import { checkProbability } from '../functional/util.js';
import { Module } from '../module.js';

/** Shared parts of the dropout layers. */
abstract class DropoutBase extends Module {
  p: number;

  constructor(name: string, p: number) {
    super();
    this.p = checkProbability(name, 'p', p);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/**
 * Inverted dropout (PyTorch's nn.Dropout): in training mode zeroes each element with probability
 * p and scales the rest by 1/(1-p); the identity in eval mode.
 */
export class Dropout extends DropoutBase {
  constructor(p = 0.5) {
    super('Dropout', p);
  }

  /** Applies dropout when training. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training });
  }
}

/** Zeroes whole channels of x [N, C, H, W] in training (PyTorch's nn.Dropout2d). */
export class Dropout2d extends DropoutBase {
  constructor(p = 0.5) {
    super('Dropout2d', p);
  }

  /** Applies channel dropout when training. */
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, { training: this.training });
  }
}

/** Zeroes whole channels of x [N, C, L] in training (PyTorch's nn.Dropout1d). */
export class Dropout1d extends DropoutBase {
  constructor(p = 0.5) {
    super('Dropout1d', p);
  }

  /** Applies channel dropout when training. */
  forward(x: Tensor): Tensor {
    return dropout1d(x, this.p, { training: this.training });
  }
}
