import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { groupNorm, layerNorm } from '../functional/normalization.js';
import { checkPositiveInt, fmt } from '../functional/util.js';
import { ones_, zeros_ } from '../init.js';
import { Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

/** Options of LayerNorm. */
export interface LayerNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn an elementwise scale (init 1) and shift (init 0) of normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn the shift (default true). */
  bias?: boolean;
}

/**
 * Layer normalisation over the last dims, of sizes `normalizedShape` (PyTorch's nn.LayerNorm):
 * biased variance, then weight (ones) and bias (zeros).
 */
export class LayerNorm extends Module {
  normalizedShape: number[];
  eps: number;
  elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', opts, {
      ...FACTORY,
      eps: 'number',
      elementwiseAffine: 'boolean',
      bias: 'boolean',
    });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    for (const d of this.normalizedShape) checkPositiveInt('LayerNorm', 'normalizedShape', d);
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? newParameter(this.normalizedShape, opts) : null;
    this.bias =
      this.elementwiseAffine && opts.bias !== false ? newParameter(this.normalizedShape, opts) : null;
    this.resetParameters();
  }

  /** weight = 1, bias = 0. */
  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  /** Normalises x [..., *normalizedShape]. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `${fmt(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

/** Options of GroupNorm. */
export interface GroupNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale (init 1) and shift (init 0) (default true). */
  affine?: boolean;
}

/** Group normalisation of x [N, C, *] in `numGroups` groups of channels (PyTorch's nn.GroupNorm). */
export class GroupNorm extends Module {
  numGroups: number;
  numChannels: number;
  eps: number;
  affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    checkOptions('GroupNorm', opts, { ...FACTORY, eps: 'number', affine: 'boolean' });
    this.numGroups = checkPositiveInt('GroupNorm', 'numGroups', numGroups);
    this.numChannels = checkPositiveInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) {
      throw new RangeError(
        `GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`,
      );
    }
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? newParameter([numChannels], opts) : null;
    this.bias = this.affine ? newParameter([numChannels], opts) : null;
    this.resetParameters();
  }

  /** weight = 1, bias = 0. */
  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  /** Normalises x [N, C, *]. */
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new RangeError(
        `GroupNorm: expected input [N, ${this.numChannels}, *], got shape ${fmt(x.shape)}`,
      );
    }
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}
