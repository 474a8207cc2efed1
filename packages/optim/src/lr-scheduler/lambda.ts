import { checkOptions } from '@tessera/tensor';
import { type AnyOptimizer, checkOptimizer, LRScheduler } from './scheduler.js';

/** A function of the epoch giving the factor applied to a group's initial learning rate. */
export type LrLambda = (epoch: number) => number;

/** Options of `LambdaLR`. */
export interface LambdaLROptions {
  /** One function for all groups, or one per group. */
  lrLambda: LrLambda | readonly LrLambda[];
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Sets each group's learning rate to initialLr · lrLambda(epoch), as
 * `torch.optim.lr_scheduler.LambdaLR`. The functions are not part of the state dict.
 */
export class LambdaLR extends LRScheduler {
  /** One function per group. */
  lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    checkOptions('LambdaLR', options, { lrLambda: 'any', lastEpoch: 'any' });
    const n = checkOptimizer('LambdaLR', optimizer).paramGroups.length;
    const given = options?.lrLambda;
    let lambdas: LrLambda[];
    if (typeof given === 'function') {
      lambdas = Array.from({ length: n }, () => given);
    } else if (Array.isArray(given)) {
      if (given.length !== n) {
        throw new RangeError(
          `LambdaLR: expected ${n} lrLambda functions (one per group), got ${given.length}`,
        );
      }
      given.forEach((f, i) => {
        if (typeof f !== 'function') throw new TypeError(`LambdaLR: lrLambda[${i}] is not a function`);
      });
      lambdas = [...given];
    } else {
      throw new TypeError(
        `LambdaLR: lrLambda must be a function or an array of functions, got ${typeof given}`,
      );
    }
    super('LambdaLR', optimizer, options.lastEpoch);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const f = this.lrLambdas[i]!(this.lastEpoch);
      if (typeof f !== 'number' || Number.isNaN(f)) {
        throw new TypeError(
          `LambdaLR: lrLambda[${i}](${this.lastEpoch}) returned ${String(f)}, not a number`,
        );
      }
      return b * f;
    });
  }
}
