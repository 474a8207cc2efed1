import { checkOptions, ones, type Tensor, zeros } from '@tessera/tensor';
import { instanceNorm } from '../functional/instance-norm.js';
import { checkPositiveInt, fmt } from '../functional/util.js';
import { ones_, zeros_ } from '../init.js';
import { Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

/** Options of InstanceNorm1d / InstanceNorm2d (PyTorch's defaults). */
export interface InstanceNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of new statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Learn weight (ones) and bias (zeros) per channel (default false). */
  affine?: boolean;
  /** Keep running_mean / running_var, used in eval mode (default false). */
  trackRunningStats?: boolean;
}

/**
 * Shared instance normalisation (PyTorch's _InstanceNorm): weight/bias [C] when affine; buffers
 * running_mean, running_var and num_batches_tracked when trackRunningStats (PyTorch's names).
 */
abstract class InstanceNormBase extends Module {
  numFeatures: number;
  eps: number;
  momentum: number;
  affine: boolean;
  trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(
    private readonly name: string,
    private readonly spatialDims: number,
    numFeatures: number,
    opts: InstanceNormOptions,
  ) {
    super();
    checkOptions(name, opts, {
      ...FACTORY,
      eps: 'number',
      momentum: 'number',
      affine: 'boolean',
      trackRunningStats: 'boolean',
    });
    this.numFeatures = checkPositiveInt(name, 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    this.weight = this.affine ? newParameter([numFeatures], opts) : null;
    this.bias = this.affine ? newParameter([numFeatures], opts) : null;
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
    const f = { dtype: opts.dtype ?? 'float32', device: opts.device };
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], f) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], f) : null);
    this.registerBuffer(
      'num_batches_tracked',
      track ? zeros([], { dtype: 'int32', device: opts.device }) : null,
    );
  }

  /**
   * Normalises each instance by its own statistics (updating the running ones when tracked), or,
   * in eval mode with trackRunningStats, by the running statistics. Unbatched input works too.
   */
  forward(x: Tensor): Tensor {
    const d = this.spatialDims;
    if (x.ndim !== d + 1 && x.ndim !== d + 2) {
      const layout = d === 1 ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
      throw new RangeError(`${this.name}: input must be ${layout}, got shape ${fmt(x.shape)}`);
    }
    const batched = x.ndim === d + 2;
    const xb = batched ? x : x.unsqueeze(0);
    if ((this.affine || this.trackRunningStats) && xb.shape[1] !== this.numFeatures)
      throw new RangeError(
        `${this.name}: expected ${this.numFeatures} channels, got input of shape ${fmt(x.shape)}`,
      );
    const y = instanceNorm(xb, {
      runningMean: this.running_mean,
      runningVar: this.running_var,
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
    });
    return batched ? y : y.squeeze(0);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Instance normalisation of x [N, C, L] or [C, L] (PyTorch's nn.InstanceNorm1d). */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormOptions = {}) {
    super('InstanceNorm1d', 1, numFeatures, opts);
  }
}

/** Instance normalisation of x [N, C, H, W] or [C, H, W] (PyTorch's nn.InstanceNorm2d). */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormOptions = {}) {
    super('InstanceNorm2d', 2, numFeatures, opts);
  }
}
