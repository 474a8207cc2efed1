import { noGrad } from '@tessera/autograd';
import { checkOptions, isFloating, type Tensor, zeros } from '@tessera/tensor';
import { type AnyModule, deepCopy, type LoadResult, Module } from '../module.js';

/** Averages one parameter: returns the new average of `averaged` and `current`. */
export type AvgFn = (averaged: Tensor, current: Tensor, numAveraged: number) => Tensor;
/** Averages all parameters at once, updating `averaged` in place. */
export type MultiAvgFn = (averaged: Tensor[], current: Tensor[], numAveraged: number) => void;

/** Options of AveragedModel. */
export interface AveragedModelOptions {
  /** Per-parameter average (default: the running mean of SWA). */
  avgFn?: AvgFn;
  /** Whole-model in-place average (e.g. getEmaMultiAvgFn); exclusive with avgFn. */
  multiAvgFn?: MultiAvgFn;
  /** Average the buffers too (default false: buffers are copied from the model). */
  useBuffers?: boolean;
}

/** SWA's running mean: a + (c - a) / (n + 1) (PyTorch's get_swa_avg_fn). */
export function getSwaAvgFn(): AvgFn {
  return (a, c, n) => a.add(c.sub(a).div(n + 1));
}

/** Exponential moving average: decay * a + (1 - decay) * c (PyTorch's get_ema_avg_fn). */
export function getEmaAvgFn(decay = 0.999): AvgFn {
  checkDecay('getEmaAvgFn', decay);
  return (a, c) => a.mul(decay).add(c.mul(1 - decay));
}

/** In-place EMA of all parameters (PyTorch's get_ema_multi_avg_fn). */
export function getEmaMultiAvgFn(decay = 0.999): MultiAvgFn {
  checkDecay('getEmaMultiAvgFn', decay);
  return (avg, cur) => {
    avg.forEach((a, i) => {
      a.mul_(decay).add_(cur[i]!, 1 - decay);
    });
  };
}

/** In-place SWA running mean of all parameters (PyTorch's get_swa_multi_avg_fn). */
export function getSwaMultiAvgFn(): MultiAvgFn {
  return (avg, cur, n) => {
    avg.forEach((a, i) => {
      a.add_(cur[i]!.sub(a), 1 / (n + 1));
    });
  };
}

/** Checks an EMA decay in [0, 1]. */
function checkDecay(op: string, decay: number): void {
  if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1))
    throw new RangeError(`${op}: decay must be in [0, 1], got ${JSON.stringify(decay)}`);
}

/**
 * A running average of a model's weights (PyTorch's torch.optim.swa_utils.AveragedModel, for
 * SWA and EMA): holds a deep copy `module` and a buffer `n_averaged`; `updateParameters(model)`
 * folds the model's current parameters (and buffers with useBuffers; otherwise the buffers are
 * copied, as PyTorch 2) into the average. forward runs the averaged copy. State-dict keys:
 * n_averaged, module.<the model's keys>.
 */
export class AveragedModel<M extends AnyModule = Module> extends Module<
  Parameters<M['call']>,
  ReturnType<M['call']>
> {
  module: M;
  declare n_averaged: Tensor;
  avgFn: AvgFn | null;
  multiAvgFn: MultiAvgFn | null;
  useBuffers: boolean;
  /** n_averaged as a number, so that updates need not read the (maybe GPU) buffer. */
  private count = 0;

  constructor(model: M, opts: AveragedModelOptions = {}) {
    super();
    if (!(model instanceof Module)) throw new TypeError('AveragedModel: model must be a Module');
    checkOptions('AveragedModel', opts, { avgFn: 'function', multiAvgFn: 'function', useBuffers: 'boolean' });
    if (opts.avgFn !== undefined && opts.multiAvgFn !== undefined)
      throw new TypeError('AveragedModel: give avgFn or multiAvgFn, not both');
    this.module = deepCopy(model);
    const device = model.parameters()[0]?.device;
    this.registerBuffer('n_averaged', zeros([], { dtype: 'int32', device }));
    this.avgFn = opts.avgFn ?? null;
    this.multiAvgFn = opts.multiAvgFn ?? null;
    this.useBuffers = opts.useBuffers ?? false;
  }

  /** Runs the averaged copy. */
  forward(...inputs: Parameters<M['call']>): ReturnType<M['call']> {
    return this.module.call(...inputs) as ReturnType<M['call']>;
  }

  /** Number of models averaged so far. */
  get numAveraged(): number {
    return this.count;
  }

  /**
   * Folds `model`'s current values into the average: the first call copies them; later ones use
   * multiAvgFn, avgFn or SWA's running mean. Without useBuffers the buffers are copied.
   */
  updateParameters(model: AnyModule): void {
    const mine = this.useBuffers
      ? [...this.module.parameters(), ...this.module.buffers()]
      : this.module.parameters();
    const theirs = this.useBuffers ? [...model.parameters(), ...model.buffers()] : model.parameters();
    if (mine.length !== theirs.length)
      throw new RangeError(
        `AveragedModel.updateParameters: the model has ${theirs.length} tensors to average, the average ${mine.length}`,
      );
    mine.forEach((a, i) => {
      const c = theirs[i]!;
      if (a.ndim !== c.ndim || a.shape.some((d, j) => d !== c.shape[j]))
        throw new RangeError(
          `AveragedModel.updateParameters: tensor ${i} has shape [${c.shape}] in the model, [${a.shape}] in the average`,
        );
    });
    const n = this.count;
    noGrad(() => {
      const cur = theirs.map((c) =>
        c.device === mine[0]?.device ? c.detach() : c.detach().to(mine[0]!.device),
      );
      // Integer buffers (num_batches_tracked) are copied, never averaged.
      const avgIdx = mine.map((_t, i) => i).filter((i) => isFloating(mine[i]!.dtype));
      if (n === 0)
        mine.forEach((a, i) => {
          a.copy_(cur[i]!);
        });
      else {
        mine.forEach((a, i) => {
          if (!isFloating(a.dtype)) a.copy_(cur[i]!);
        });
        if (this.multiAvgFn !== null)
          this.multiAvgFn(
            avgIdx.map((i) => mine[i]!),
            avgIdx.map((i) => cur[i]!),
            n,
          );
        else {
          const fn = this.avgFn ?? getSwaAvgFn();
          for (const i of avgIdx) mine[i]!.copy_(fn(mine[i]!, cur[i]!, n));
        }
      }
      if (!this.useBuffers) {
        const mb = this.module.buffers();
        const tb = model.buffers();
        mb.forEach((b, i) => {
          if (tb[i] !== undefined) b.copy_(tb[i]!.detach());
        });
      }
      this.count = n + 1;
      this.n_averaged.fill_(this.count);
    });
  }

  /** Loads a state dict, taking n_averaged (which must then be readable on the CPU) along. */
  override loadStateDict(dict: Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const r = super.loadStateDict(dict, opts);
    const n = dict.n_averaged;
    if (n !== undefined) {
      if (n.device !== 'cpu')
        throw new RangeError(
          'AveragedModel.loadStateDict: n_averaged must be a CPU tensor (move the dict to the CPU)',
        );
      this.count = Number(n.item());
    }
    return r;
  }
}
