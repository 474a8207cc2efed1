import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of `PolynomialLR`. */
export interface PolynomialLROptions {
  /** Epochs over which the rate decays to 0 (a positive integer, default 5). */
  totalIters?: number;
  /** Power of the polynomial (default 1: linear decay). */
  power?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Decays each group's learning rate polynomially to 0 over `totalIters` epochs, as
 * `torch.optim.lr_scheduler.PolynomialLR`: lr(epoch) = initialLr · (1 − min(epoch,
 * totalIters)/totalIters)^power. Chainable: changes made to `group.lr` by others carry over.
 */
export class PolynomialLR extends LRScheduler {
  /** Length of the decay, in epochs. */
  totalIters: number;
  /** Power of the polynomial. */
  power: number;

  constructor(optimizer: AnyOptimizer, options: PolynomialLROptions = {}) {
    checkOptions('PolynomialLR', options, { totalIters: 'any', power: 'any', lastEpoch: 'any' });
    const totalIters = checkNumber('PolynomialLR', 'totalIters', options.totalIters ?? 5, {
      min: 1,
      integer: true,
    });
    const power = checkNumber('PolynomialLR', 'power', options.power ?? 1);
    super('PolynomialLR', optimizer, options.lastEpoch);
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, totalIters: n, power } = this;
    if (t === 0 || t > n) return this.groups.map((g) => g.lr);
    const decay = ((1 - t / n) / (1 - (t - 1) / n)) ** power;
    return this.groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, totalIters: n, power } = this;
    return this.baseLrs.map((b) => b * (1 - Math.min(n, t) / n) ** power);
  }
}
