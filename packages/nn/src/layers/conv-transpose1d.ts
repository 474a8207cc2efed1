import { checkOptions, type Tensor } from '@tessera/tensor';
import { convTranspose1d } from '../functional/conv-transpose1d.js';
import { checkPositiveInt, fmt } from '../functional/util.js';
import { Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter, resetConvParameters } from './factory.js';

/** Options of ConvTranspose1d. */
export interface ConvTranspose1dLayerOptions extends FactoryOptions {
  stride?: number;
  /** dilation * (k - 1) - padding zeros are added to both sides of the input (default 0). */
  padding?: number;
  /** Extra size added to one side of the output (default 0). */
  outputPadding?: number;
  groups?: number;
  bias?: boolean;
  dilation?: number;
}

/** Checks a non-negative (or positive) integer option. */
function intOpt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`ConvTranspose1d: ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Transposed 1-D convolution (PyTorch's nn.ConvTranspose1d): x [N, C_in, L] (or [C_in, L]) →
 * [N, C_out, (L-1) s - 2p + d (k-1) + outputPadding + 1]; weight [C_in, C_out/groups, k], bias
 * [C_out], initialised as PyTorch's (kaiming_uniform_(a = sqrt 5), bias U(±1/sqrt(fan_in))).
 */
export class ConvTranspose1d extends Module {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  padding: number;
  outputPadding: number;
  dilation: number;
  groups: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    opts: ConvTranspose1dLayerOptions = {},
  ) {
    super();
    const name = 'ConvTranspose1d';
    checkOptions(name, opts, {
      ...FACTORY,
      stride: 'integer',
      padding: 'integer',
      outputPadding: 'integer',
      groups: 'integer',
      bias: 'boolean',
      dilation: 'integer',
    });
    this.inChannels = checkPositiveInt(name, 'inChannels', inChannels);
    this.outChannels = checkPositiveInt(name, 'outChannels', outChannels);
    this.kernelSize = checkPositiveInt(name, 'kernelSize', kernelSize);
    this.stride = intOpt('stride', opts.stride ?? 1, 1);
    this.padding = intOpt('padding', opts.padding ?? 0, 0);
    this.outputPadding = intOpt('outputPadding', opts.outputPadding ?? 0, 0);
    this.dilation = intOpt('dilation', opts.dilation ?? 1, 1);
    this.groups = checkPositiveInt(name, 'groups', opts.groups ?? 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0)
      throw new RangeError(
        `${name}: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${this.groups}`,
      );
    if (this.outputPadding >= Math.max(this.stride, this.dilation))
      throw new RangeError(
        `${name}: outputPadding ${this.outputPadding} must be smaller than stride ${this.stride} or dilation ${this.dilation}`,
      );
    this.weight = newParameter([inChannels, outChannels / this.groups, kernelSize], opts);
    this.bias = opts.bias === false ? null : newParameter([outChannels], opts);
    this.resetParameters();
  }

  /** PyTorch's init: kaiming_uniform_(a = sqrt 5) weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) bias. */
  resetParameters(): void {
    resetConvParameters(this.weight, this.bias);
  }

  /** Applies the transposed convolution. */
  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt([this.kernelSize])}, stride=${fmt([this.stride])}`;
    if (this.padding !== 0) s += `, padding=${fmt([this.padding])}`;
    if (this.outputPadding !== 0) s += `, outputPadding=${fmt([this.outputPadding])}`;
    if (this.dilation !== 1) s += `, dilation=${fmt([this.dilation])}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}
