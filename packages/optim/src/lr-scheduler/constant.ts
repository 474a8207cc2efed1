import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of `ConstantLR`. */
export interface ConstantLROptions {
  /** Factor applied until epoch `totalIters`, in (0, 1] (default 1/3). */
  factor?: number;
  /** Epoch at which the factor is removed (a non-negative integer, default 5). */
  totalIters?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies each group's learning rate by `factor` until epoch `totalIters`, then restores it,
 * as `torch.optim.lr_scheduler.ConstantLR`: lr(epoch) = initialLr · (epoch < totalIters ?
 * factor : 1). Chainable: changes made to `group.lr` by others carry over.
 */
export class ConstantLR extends LRScheduler {
  /** Factor applied before `totalIters`. */
  factor: number;
  /** Epoch at which the factor is removed. */
  totalIters: number;

  constructor(optimizer: AnyOptimizer, options: ConstantLROptions = {}) {
    checkOptions('ConstantLR', options, { factor: 'any', totalIters: 'any', lastEpoch: 'any' });
    // factor 0 would divide by zero when it is removed (PyTorch raises ZeroDivisionError there).
    const factor = checkNumber('ConstantLR', 'factor', options.factor ?? 1 / 3, {
      min: 0,
      minExclusive: true,
      max: 1,
    });
    const totalIters = checkNumber('ConstantLR', 'totalIters', options.totalIters ?? 5, {
      min: 0,
      integer: true,
    });
    super('ConstantLR', optimizer, options.lastEpoch);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, factor, totalIters } = this;
    if (t === 0) return this.groups.map((g) => g.lr * factor);
    if (t !== totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / factor));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, factor, totalIters } = this;
    return this.baseLrs.map((b) => b * (factor + (t >= totalIters ? 1 - factor : 0)));
  }
}
