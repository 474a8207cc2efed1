import { noGrad } from '@tessera/autograd';
import { checkOptions, Tensor } from '@tessera/tensor';
import type { Callback, CallbackState, Logs, TrainContext } from './callback.js';

/** Options of `EarlyStopping` (Keras/Lightning semantics). */
export interface EarlyStoppingOptions {
  /** Log key to watch (default `valLoss`). */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies; 'auto' picks 'max' for keys containing acc/f1/precision/recall. */
  mode?: 'min' | 'max' | 'auto';
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (default false). */
  restoreBestWeights?: boolean;
}

/** Stops training when a monitored value stops improving; optionally restores the best weights. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  /** Best value seen, and its epoch. */
  best = Number.NaN;
  bestEpoch = -1;
  /** Epoch after which training was stopped, or -1. */
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;
  /** Set by loadStateDict: the next onTrainBegin continues instead of starting afresh. */
  private resumed = false;

  constructor(opts: EarlyStoppingOptions = {}) {
    checkOptions('EarlyStopping', opts, {
      monitor: 'any',
      mode: 'any',
      patience: 'any',
      minDelta: 'any',
      restoreBestWeights: 'any',
    });
    this.monitor = opts.monitor ?? 'valLoss';
    const mode = opts.mode ?? 'auto';
    if (mode !== 'min' && mode !== 'max' && mode !== 'auto')
      throw new RangeError(`EarlyStopping: mode must be 'min', 'max' or 'auto', got ${mode}`);
    this.mode = mode === 'auto' ? (/acc|f1|precision|recall/i.test(this.monitor) ? 'max' : 'min') : mode;
    this.patience = opts.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new RangeError(`EarlyStopping: patience must be a non-negative integer, got ${this.patience}`);
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
  }

  onTrainBegin(ctx?: TrainContext): void {
    const resuming = this.resumed && ctx !== undefined && ctx.epoch > 0;
    this.resumed = false;
    if (resuming) {
      // The interrupted run had already stopped: so does its continuation.
      if (this.stoppedEpoch >= 0) ctx.stopTraining = true;
      return;
    }
    this.best = Number.NaN;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.wait = 0;
    this.bestWeights = null;
  }

  private improved(v: number): boolean {
    if (Number.isNaN(this.best)) return !Number.isNaN(v);
    return this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext): void {
    const v = logs[this.monitor];
    if (v === undefined) {
      throw new Error(
        `EarlyStopping: monitored key '${this.monitor}' is not in the logs (${Object.keys(logs).join(', ')})`,
      );
    }
    if (this.improved(v)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) {
        this.bestWeights = noGrad(() =>
          Object.fromEntries(
            Object.entries(ctx.model.stateDict()).map(([k, t]) => [k, (t as Tensor).clone()]),
          ),
        );
      }
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
    }
  }

  /** best, bestEpoch, stoppedEpoch, wait and (with restoreBestWeights) the best weights. */
  stateDict(): CallbackState {
    return {
      best: this.best,
      bestEpoch: this.bestEpoch,
      stoppedEpoch: this.stoppedEpoch,
      wait: this.wait,
      bestWeights: this.bestWeights,
    };
  }

  /**
   * Restores `stateDict()` output; the next `fit` that starts at a later epoch (a resumed run)
   * continues from it instead of resetting.
   */
  loadStateDict(state: CallbackState): void {
    const op = 'EarlyStopping.loadStateDict';
    const { best, bestEpoch, stoppedEpoch, wait, bestWeights } = state ?? {};
    const int = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
    if (typeof best !== 'number') throw new TypeError(`${op}: best must be a number`);
    if (!int(bestEpoch, -1) || !int(stoppedEpoch, -1) || !int(wait, 0))
      throw new TypeError(`${op}: bestEpoch, stoppedEpoch and wait must be integers (>= -1, >= -1, >= 0)`);
    if (
      bestWeights !== null &&
      (typeof bestWeights !== 'object' ||
        bestWeights === undefined ||
        !Object.values(bestWeights as object).every((t) => t instanceof Tensor))
    )
      throw new TypeError(`${op}: bestWeights must be null or a dict of tensors`);
    this.best = best;
    this.bestEpoch = bestEpoch as number;
    this.stoppedEpoch = stoppedEpoch as number;
    this.wait = wait as number;
    this.bestWeights = bestWeights as Record<string, Tensor> | null;
    this.resumed = true;
  }

  onTrainEnd(_h: unknown, ctx: TrainContext): void {
    if (this.restoreBestWeights && this.bestWeights !== null) ctx.model.loadStateDict(this.bestWeights);
  }
}
