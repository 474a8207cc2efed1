import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of `ExponentialLR`. */
export interface ExponentialLROptions {
  /** Multiplicative decay factor applied every epoch. */
  gamma: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` every epoch, as
 * `torch.optim.lr_scheduler.ExponentialLR`: lr(epoch) = initialLr · gamma^epoch.
 */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative decay factor. */
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    checkOptions('ExponentialLR', options, { gamma: 'any', lastEpoch: 'any' });
    const gamma = checkNumber('ExponentialLR', 'gamma', options?.gamma, { min: 0 });
    super('ExponentialLR', optimizer, options.lastEpoch);
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}
