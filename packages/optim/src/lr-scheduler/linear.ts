import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of `LinearLR`. */
export interface LinearLROptions {
  /** Factor of the initial rate at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor reached at epoch `totalIters`, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves linearly (a positive integer, default 5). */
  totalIters?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Scales each group's learning rate by a factor moving linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs (a warm-up), as `torch.optim.lr_scheduler.LinearLR`:
 * lr(epoch) = initialLr · (start + (end − start) · min(epoch, totalIters)/totalIters).
 */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  startFactor: number;
  /** Factor from epoch `totalIters` on. */
  endFactor: number;
  /** Length of the ramp, in epochs. */
  totalIters: number;

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    checkOptions('LinearLR', options, {
      startFactor: 'any',
      endFactor: 'any',
      totalIters: 'any',
      lastEpoch: 'any',
    });
    const startFactor = checkNumber('LinearLR', 'startFactor', options.startFactor ?? 1 / 3, {
      min: 0,
      minExclusive: true,
      max: 1,
    });
    const endFactor = checkNumber('LinearLR', 'endFactor', options.endFactor ?? 1, { min: 0, max: 1 });
    const totalIters = checkNumber('LinearLR', 'totalIters', options.totalIters ?? 5, {
      min: 1,
      integer: true,
    });
    super('LinearLR', optimizer, options.lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    if (t === 0) return this.groups.map((g) => g.lr * s);
    if (t > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(n, t)) / n));
  }
}
