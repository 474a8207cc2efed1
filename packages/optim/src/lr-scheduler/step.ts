import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of `StepLR`. */
export interface StepLROptions {
  /** Decay the rate every `stepSize` epochs (a positive integer). */
  stepSize: number;
  /** Multiplicative decay factor (default 0.1). */
  gamma?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` every `stepSize` epochs, as
 * `torch.optim.lr_scheduler.StepLR`: lr(epoch) = initialLr · gamma^⌊epoch / stepSize⌋.
 */
export class StepLR extends LRScheduler {
  /** Period of the decay, in epochs. */
  stepSize: number;
  /** Multiplicative decay factor. */
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    checkOptions('StepLR', options, { stepSize: 'any', gamma: 'any', lastEpoch: 'any' });
    const stepSize = checkNumber('StepLR', 'stepSize', options?.stepSize, { min: 1, integer: true });
    const gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, { min: 0 });
    super('StepLR', optimizer, options.lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions {
  /** Epochs at which to decay (non-negative integers; a repeated epoch decays repeatedly). */
  milestones: readonly number[];
  /** Multiplicative decay factor (default 0.1). */
  gamma?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/** Number of elements of the sorted array `a` that are <= x (Python's bisect_right). */
export function bisectRight(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Multiplies each group's learning rate by `gamma` at each milestone epoch, as
 * `torch.optim.lr_scheduler.MultiStepLR`: lr(epoch) = initialLr · gamma^(milestones ≤ epoch).
 */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted (with repeats). */
  milestones: number[];
  /** Multiplicative decay factor. */
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    checkOptions('MultiStepLR', options, { milestones: 'any', gamma: 'any', lastEpoch: 'any' });
    if (!Array.isArray(options?.milestones)) {
      throw new TypeError(
        `MultiStepLR: milestones must be an array of epochs, got ${typeof options?.milestones}`,
      );
    }
    options.milestones.forEach((m, i) => {
      checkNumber('MultiStepLR', `milestones[${i}]`, m, { min: 0, integer: true });
    });
    const gamma = checkNumber('MultiStepLR', 'gamma', options.gamma ?? 0.1, { min: 0 });
    super('MultiStepLR', optimizer, options.lastEpoch);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}
