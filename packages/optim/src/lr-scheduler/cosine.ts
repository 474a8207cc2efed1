import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** Half-period of the cosine, in epochs (a positive integer). */
  tMax: number;
  /** Minimum learning rate (default 0). */
  etaMin?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/** Python's modulo (the result has the sign of the divisor). */
function pyMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Cosine annealing (SGDR without restarts), as `torch.optim.lr_scheduler.CosineAnnealingLR`,
 * including its recursive form: each step rescales the current rate, so changes made to
 * `group.lr` by others carry over. Without outside changes the rate follows
 * ηₜ = ηmin + (η₀ − ηmin)(1 + cos(πt/tMax))/2, and keeps cycling past tMax.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half-period, in epochs. */
  tMax: number;
  /** Minimum learning rate. */
  etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    checkOptions('CosineAnnealingLR', options, { tMax: 'any', etaMin: 'any', lastEpoch: 'any' });
    const tMax = checkNumber('CosineAnnealingLR', 'tMax', options?.tMax, { min: 1, integer: true });
    const etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, { min: 0 });
    super('CosineAnnealingLR', optimizer, options.lastEpoch);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const groups = this.groups;
    if (t === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    }
    if (pyMod(t - 1 - tMax, 2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) *
          (g.lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
  }
}
