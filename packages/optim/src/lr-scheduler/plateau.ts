import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { checkChoice, checkNumber } from '../validate.js';
import {
  type AnyOptimizer,
  checkOptimizer,
  fieldsState,
  loadFields,
  type SchedulableGroup,
  type SchedulerStateDict,
} from './scheduler.js';

/** Options of `ReduceLROnPlateau` (PyTorch defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): the metric should decrease; 'max': it should increase. */
  mode?: 'min' | 'max';
  /** Factor the rate is multiplied by on a plateau, in [0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Minimum change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound of the rate, one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the learning rate when a metric has stopped improving, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: after more than `patience` epochs without an
 * improvement (beyond `threshold`), each group's rate becomes max(lr·factor, minLr), then
 * `cooldown` epochs pass before bad epochs count again. Call `step(metric)` once per epoch.
 */
export class ReduceLROnPlateau {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Whether the metric should decrease ('min') or increase ('max'). */
  mode: 'min' | 'max';
  /** Factor applied to the rates on a plateau. */
  factor: number;
  /** Epochs without improvement tolerated before reducing. */
  patience: number;
  /** Minimum change that counts as an improvement. */
  threshold: number;
  /** Whether `threshold` is relative ('rel') or absolute ('abs'). */
  thresholdMode: 'rel' | 'abs';
  /** Epochs skipped after a reduction. */
  cooldown: number;
  /** Lower bound of each group's rate. */
  minLrs: number[];
  /** Reductions smaller than this are skipped. */
  eps: number;
  /** Best metric so far (±Infinity before the first step). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Number of `step` calls. */
  lastEpoch = 0;
  private lastLrs: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptions('ReduceLROnPlateau', options, {
      mode: 'any',
      factor: 'any',
      patience: 'any',
      threshold: 'any',
      thresholdMode: 'any',
      cooldown: 'any',
      minLr: 'any',
      eps: 'any',
    });
    const op = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(op, optimizer);
    const o = options ?? {};
    this.mode = checkChoice(op, 'mode', o.mode ?? 'min', ['min', 'max'] as const);
    this.factor = checkNumber(op, 'factor', o.factor ?? 0.1, { min: 0, max: 1, maxExclusive: true });
    this.patience = checkNumber(op, 'patience', o.patience ?? 10, { min: 0, integer: true });
    this.threshold = checkNumber(op, 'threshold', o.threshold ?? 1e-4, { min: 0 });
    this.thresholdMode = checkChoice(op, 'thresholdMode', o.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    this.cooldown = checkNumber(op, 'cooldown', o.cooldown ?? 0, { min: 0, integer: true });
    this.eps = checkNumber(op, 'eps', o.eps ?? 1e-8, { min: 0 });
    const n = this.groups.length;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n)
        throw new RangeError(`${op}: expected ${n} minLr values (one per group), got ${minLr.length}`);
      this.minLrs = minLr.map((v, i) => checkNumber(op, `minLr[${i}]`, v, { min: 0 }));
    } else {
      const v = checkNumber(op, 'minLr', minLr, { min: 0 });
      this.minLrs = Array.from({ length: n }, () => v);
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLrs = this.groups.map((g) => g.lr);
  }

  private get groups(): SchedulableGroup[] {
    return this.optimizer.paramGroups as unknown as SchedulableGroup[];
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this;
    if (mode === 'min' && thresholdMode === 'rel') return a < best * (1 - threshold);
    if (mode === 'min') return a < best - threshold;
    if (thresholdMode === 'rel') return a > best * (threshold + 1);
    return a > best + threshold;
  }

  /** Whether the scheduler is in its cooldown period after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records this epoch's metric (a number or a one-element tensor) and reduces the rates on a plateau. */
  step(metric: number | Tensor): void {
    const current = typeof metric === 'number' ? metric : Number(metric.item());
    if (typeof current !== 'number' || Number.isNaN(current)) {
      throw new TypeError(`ReduceLROnPlateau.step: the metric must be a number, got ${String(current)}`);
    }
    const groups = this.groups;
    if (groups.length !== this.minLrs.length) {
      throw new RangeError(
        `ReduceLROnPlateau.step: the optimizer has ${groups.length} parameter groups but the scheduler was created with ${this.minLrs.length}`,
      );
    }
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      groups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLrs = groups.map((g) => g.lr);
  }

  /** The learning rates after the last step, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** The scheduler's state as a JSON-serialisable object. */
  stateDict(): SchedulerStateDict {
    return fieldsState(this, ['optimizer']);
  }

  /** Restores a state saved by `stateDict()` (possibly after a JSON round trip). */
  loadStateDict(state: SchedulerStateDict): void {
    loadFields('ReduceLROnPlateau.loadStateDict', this, state, ['optimizer']);
  }
}
