import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { bilinear, linear } from '../functional/linear.js';
import { checkPositiveInt } from '../functional/util.js';
import { kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

/** Options of Linear and Bilinear. */
export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * Fully connected layer y = x W^T + b (PyTorch's nn.Linear): weight [out, in], bias [out].
 * Default init as PyTorch: kaiming_uniform_(a = sqrt 5) on the weight, i.e. U(-1/sqrt(in),
 * 1/sqrt(in)), and U(-1/sqrt(in), 1/sqrt(in)) on the bias.
 */
export class Linear extends Module {
  inFeatures: number;
  outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkOptions('Linear', opts, { ...FACTORY, bias: 'boolean' });
    this.inFeatures = checkNonNegative('Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkNonNegative('Linear', 'outFeatures', outFeatures);
    this.weight = newParameter([outFeatures, inFeatures], opts);
    this.bias = opts.bias === false ? null : newParameter([outFeatures], opts);
    this.resetParameters();
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** x [..., in] → [..., out]. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Bilinear layer y = x1^T W x2 + b (PyTorch's nn.Bilinear): weight [out, in1, in2], bias [out],
 * both initialised U(-1/sqrt(in1), 1/sqrt(in1)).
 */
export class Bilinear extends Module<[Tensor, Tensor]> {
  in1Features: number;
  in2Features: number;
  outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkOptions('Bilinear', opts, { ...FACTORY, bias: 'boolean' });
    this.in1Features = checkPositiveInt('Bilinear', 'in1Features', in1Features);
    this.in2Features = checkPositiveInt('Bilinear', 'in2Features', in2Features);
    this.outFeatures = checkPositiveInt('Bilinear', 'outFeatures', outFeatures);
    this.weight = newParameter([outFeatures, in1Features, in2Features], opts);
    this.bias = opts.bias === false ? null : newParameter([outFeatures], opts);
    this.resetParameters();
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  /** x1 [..., in1], x2 [..., in2] → [..., out]. */
  forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, this.bias);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `in1Features=${this.in1Features}, in2Features=${this.in2Features}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Checks a size that may be zero (PyTorch allows empty layers). */
export function checkNonNegative(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`${op}: ${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return v;
}
