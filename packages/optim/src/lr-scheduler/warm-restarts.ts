import { checkOptions } from '@tessera/tensor';
import { checkNumber } from '../validate.js';
import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of `CosineAnnealingWarmRestarts`. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Length of the first cycle, in epochs (a positive integer; PyTorch's `T_0`). */
  t0: number;
  /** Factor by which each cycle is longer than the previous one (an integer >= 1, default 1). */
  tMult?: number;
  /** Minimum learning rate (default 0). */
  etaMin?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Cosine annealing with warm restarts (SGDR), as
 * `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`: within a cycle of length Tᵢ,
 * lr = ηmin + (initialLr − ηmin)(1 + cos(π·Tcur/Tᵢ))/2; at the end of a cycle Tcur restarts from
 * 0 and the next cycle is tMult times longer. `step(epoch)` takes a fractional epoch too
 * (stepping once per batch with `epoch + i / batches`).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Length of the first cycle. */
  t0: number;
  /** Length of the current cycle. */
  tI: number;
  /** Cycle growth factor. */
  tMult: number;
  /** Minimum learning rate. */
  etaMin: number;
  /** Epochs since the last restart (fractional after `step(epoch)` with a fraction). */
  tCur: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    const op = 'CosineAnnealingWarmRestarts';
    checkOptions(op, options, { t0: 'any', tMult: 'any', etaMin: 'any', lastEpoch: 'any' });
    const t0 = checkNumber(op, 't0', options?.t0, { min: 1, integer: true });
    const tMult = checkNumber(op, 'tMult', options.tMult ?? 1, { min: 1, integer: true });
    const etaMin = checkNumber(op, 'etaMin', options.etaMin ?? 0);
    super(op, optimizer, options.lastEpoch);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  /**
   * Advances one epoch, or, given `epoch` (>= 0, possibly fractional), jumps to it: the cycle and
   * the position in it are computed from the epoch, as PyTorch's `step(epoch)`.
   */
  override step(epoch?: number): void {
    if (epoch === undefined) {
      if (this.lastEpoch >= 0) super.step();
      else this.stepToEpoch(0);
      return;
    }
    checkNumber(`${this.name}.step`, 'epoch', epoch, { min: 0 });
    this.stepToEpoch(epoch);
  }

  protected computeLr(): number[] {
    this.tCur += 1;
    if (this.tCur >= this.tI) {
      this.tCur -= this.tI;
      this.tI *= this.tMult;
    }
    return this.rates();
  }

  /** Sets the cycle from `lastEpoch` (which `stepToEpoch` set, possibly fractional). */
  protected override closedFormLr(): number[] {
    const epoch = this.lastEpoch;
    const { t0, tMult } = this;
    if (epoch >= t0) {
      if (tMult === 1) this.tCur = epoch % t0;
      else {
        const n = Math.trunc(Math.log((epoch / t0) * (tMult - 1) + 1) / Math.log(tMult));
        this.tCur = epoch - (t0 * (tMult ** n - 1)) / (tMult - 1);
        this.tI = t0 * tMult ** n;
      }
    } else {
      this.tI = t0;
      this.tCur = epoch;
    }
    this.lastEpoch = Math.floor(epoch);
    return this.rates();
  }

  private rates(): number[] {
    const { etaMin, tCur, tI } = this;
    return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2);
  }
}
