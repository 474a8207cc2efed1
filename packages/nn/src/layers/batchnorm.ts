import { noGrad } from '@tessera/autograd';
import { checkOptions, ones, type Tensor, zeros } from '@tessera/tensor';
import { batchNorm } from '../functional/normalization.js';
import { checkPositiveInt, fmt } from '../functional/util.js';
import { ones_, zeros_ } from '../init.js';
import { Module } from '../module.js';
import { BATCH_NORM } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

/** Options of the batch-normalisation layers. */
export interface BatchNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null: cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight, init 1) and shift (bias, init 0) (default true). */
  affine?: boolean;
  /** Keep running mean/variance for eval mode (default true); otherwise batch statistics always. */
  trackRunningStats?: boolean;
}

/**
 * Shared batch normalisation (PyTorch's _BatchNorm): parameters weight/bias [C]; buffers
 * running_mean (zeros), running_var (ones) and num_batches_tracked (int32, 0-d), so that state
 * dicts use PyTorch's names.
 */
abstract class BatchNormBase extends Module {
  numFeatures: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(name: string, numFeatures: number, opts: BatchNormOptions) {
    super();
    checkOptions(name, opts, BATCH_NORM);
    this.numFeatures = checkPositiveInt(name, 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? newParameter([numFeatures], opts) : null;
    this.bias = this.affine ? newParameter([numFeatures], opts) : null;
    const f = { dtype: opts.dtype ?? 'float32', device: opts.device };
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], f));
      this.registerBuffer('running_var', ones([numFeatures], f));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32', device: opts.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }

  /** Resets the running statistics (mean 0, variance 1, no batches seen). */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  /** Resets the running statistics and the affine parameters (weight 1, bias 0). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  /** Throws unless x has an allowed rank and numFeatures channels. */
  protected abstract checkInput(x: Tensor): void;

  /**
   * Normalises with batch statistics in training mode (updating the running ones, with the
   * unbiased variance) and with the running statistics in eval mode.
   */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(
        `${this.constructor.name}: expected ${this.numFeatures} channels (dim 1), got input of shape ${fmt(x.shape)}`,
      );
    }
    const momentum = this.momentum;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      const nbt = this.num_batches_tracked;
      noGrad(() => nbt.add_(1));
      if (momentum === null) return this.cumulativeForward(x, nbt);
    }
    const useBatch = this.training || this.running_mean === null;
    const track = !this.training || this.trackRunningStats;
    return batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: momentum ?? 0,
      eps: this.eps,
    });
  }

  /**
   * Training with `momentum: null`: the running statistics become the cumulative average, with
   * the factor 1/num_batches_tracked computed on the device (reading the count back would stall,
   * and cannot be done synchronously on WebGPU).
   */
  private cumulativeForward(x: Tensor, nbt: Tensor): Tensor {
    const out = batchNorm(x, null, null, {
      weight: this.weight,
      bias: this.bias,
      training: true,
      eps: this.eps,
    });
    const rm = this.running_mean!;
    const rv = this.running_var!;
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const keep = x.shape.map((d, i) => (i === 1 ? d : 1));
    const n = x.numel() / this.numFeatures;
    noGrad(() => {
      const xd = x.detach();
      const mean = xd.mean(dims);
      const unbiased = xd
        .sub(mean.reshape(keep))
        .square()
        .mean(dims)
        .mul(n / (n - 1));
      const f = nbt.cast(rm.dtype).reciprocal();
      const stay = f.neg().add(1);
      rm.mul_(stay).add_(mean.mul(f));
      rv.mul_(stay).add_(unbiased.mul(f));
    });
    return out;
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch normalisation over x [N, C] or [N, C, L] (PyTorch's nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, opts);
  }

  /** Throws unless x has the rank this layer accepts. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new RangeError(`BatchNorm1d: expected 2-D or 3-D input [N, C(, L)], got shape ${fmt(x.shape)}`);
  }
}

/** Batch normalisation over x [N, C, H, W] (PyTorch's nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, opts);
  }

  /** Throws unless x has the rank this layer accepts. */
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4)
      throw new RangeError(`BatchNorm2d: expected 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  }
}
