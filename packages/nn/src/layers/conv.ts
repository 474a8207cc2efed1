import { checkOptions, conv1d, conv2d, convTranspose2d, pad, type Tensor } from '@tessera/tensor';
import { checkPositiveInt, fmt, tuple } from '../functional/util.js';
import { Module } from '../module.js';
import { CONV, CONV_TRANSPOSE } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter, resetConvParameters } from './factory.js';

/** How a convolution pads its input (PyTorch's padding_mode). */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of Conv1d and Conv2d. */
export interface ConvOptions<T> extends FactoryOptions {
  /** Step between windows (default 1). */
  stride?: T;
  /** Padding on each side, or 'valid' (none) or 'same' (output size = input size, stride 1). Default 0. */
  padding?: T | 'same' | 'valid';
  /** Spacing between kernel elements (default 1). */
  dilation?: T;
  /** Input and output channels are split into this many independent groups (default 1). */
  groups?: number;
  /** Learn a per-channel bias (default true). */
  bias?: boolean;
  /** What padding contains (default 'zeros'). */
  paddingMode?: PaddingMode;
}

/** Shared parts of the convolution layers: validation, parameters and PyTorch's default init. */
abstract class ConvNd<In extends unknown[] = [Tensor]> extends Module<In> {
  inChannels: number;
  outChannels: number;
  kernelSize: number[];
  stride: number[];
  padding: number[] | 'same' | 'valid';
  dilation: number[];
  groups: number;
  paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    name: string,
    n: number,
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    opts: ConvOptions<number | readonly number[]>,
    transposed: boolean,
  ) {
    super();
    this.inChannels = checkPositiveInt(name, 'inChannels', inChannels);
    this.outChannels = checkPositiveInt(name, 'outChannels', outChannels);
    this.kernelSize = tuple(name, 'kernelSize', kernelSize, n, 1);
    this.stride = tuple(name, 'stride', opts.stride ?? 1, n, 1);
    this.dilation = tuple(name, 'dilation', opts.dilation ?? 1, n, 1);
    const p = opts.padding ?? 0;
    if (p === 'same' || p === 'valid') {
      if (transposed)
        throw new RangeError(`${name}: padding '${p}' is not supported for transposed convolutions`);
      if (p === 'same' && this.stride.some((s) => s !== 1)) {
        throw new RangeError(
          `${name}: padding='same' is not supported for strided convolutions (stride ${fmt(this.stride)})`,
        );
      }
      this.padding = p;
    } else this.padding = tuple(name, 'padding', p, n, 0);
    this.groups = checkPositiveInt(name, 'groups', opts.groups ?? 1);
    if (inChannels % this.groups !== 0)
      throw new RangeError(`${name}: inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0)
      throw new RangeError(`${name}: outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    const mode = opts.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) {
      throw new RangeError(
        `${name}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got ${JSON.stringify(mode)}`,
      );
    }
    if (transposed && mode !== 'zeros')
      throw new RangeError(`${name}: only paddingMode 'zeros' is supported for transposed convolutions`);
    this.paddingMode = mode;
    const wShape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = newParameter(wShape, opts);
    this.bias = opts.bias === false ? null : newParameter([outChannels], opts);
    this.resetParameters();
  }

  /**
   * Re-draws the parameters as PyTorch does: kaiming_uniform_(a = sqrt 5) on the weight, i.e.
   * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias (fan_in from the weight's
   * dim 1 times the kernel size).
   */
  resetParameters(): void {
    resetConvParameters(this.weight, this.bias);
  }

  /** Explicit padding for non-zero padding modes: F.pad's (before, after) pairs, last dim first. */
  protected padPairs(): number[] {
    const out: number[] = [];
    for (let i = this.kernelSize.length - 1; i >= 0; i--) {
      if (this.padding === 'valid') out.push(0, 0);
      else if (this.padding === 'same') {
        const total = this.dilation[i]! * (this.kernelSize[i]! - 1);
        out.push(total >> 1, total - (total >> 1));
      } else out.push(this.padding[i]!, this.padding[i]!);
    }
    return out;
  }

  /** The input padded by a non-zero padding mode (mode 'zeros' is done by the convolution). */
  protected padded(x: Tensor): Tensor {
    return pad(x, this.padPairs(), this.paddingMode as 'reflect' | 'replicate' | 'circular');
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (this.padding !== 'valid' && (typeof this.padding === 'string' || this.padding.some((p) => p !== 0))) {
      s += `, padding=${typeof this.padding === 'string' ? `'${this.padding}'` : fmt(this.padding)}`;
    }
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    if (this.paddingMode !== 'zeros') s += `, paddingMode='${this.paddingMode}'`;
    return s;
  }
}

/**
 * 1-D convolution over x [N, C_in, L] (or [C_in, L]) → [N, C_out, L_out] (PyTorch's nn.Conv1d):
 * weight [C_out, C_in/groups, k], bias [C_out].
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: ConvOptions<number> = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, opts, false);
    checkOptions('Conv1d', opts, CONV);
  }

  /** Applies the convolution. */
  forward(x: Tensor): Tensor {
    const zeros = this.paddingMode === 'zeros';
    const p = this.padding;
    const padding = zeros ? (typeof p === 'string' ? p : p[0]!) : 0;
    return conv1d(zeros ? x : this.padded(x), this.weight, this.bias, {
      stride: this.stride[0]!,
      padding,
      dilation: this.dilation[0]!,
      groups: this.groups,
    });
  }
}

/**
 * 2-D convolution over x [N, C_in, H, W] (or [C_in, H, W]) → [N, C_out, H_out, W_out]
 * (PyTorch's nn.Conv2d): weight [C_out, C_in/groups, kh, kw], bias [C_out].
 */
export class Conv2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    opts: ConvOptions<number | readonly [number, number]> = {},
  ) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, opts, false);
    checkOptions('Conv2d', opts, CONV);
  }

  /** Applies the convolution. */
  forward(x: Tensor): Tensor {
    const zeros = this.paddingMode === 'zeros';
    const p = this.padding;
    const padding = zeros ? (typeof p === 'string' ? p : ([p[0]!, p[1]!] as [number, number])) : 0;
    return conv2d(zeros ? x : this.padded(x), this.weight, this.bias, {
      stride: this.stride as [number, number],
      padding,
      dilation: this.dilation as [number, number],
      groups: this.groups,
    });
  }
}

/** Options of ConvTranspose2d. */
export interface ConvTranspose2dLayerOptions extends FactoryOptions {
  stride?: number | readonly [number, number];
  /** dilation * (k - 1) - padding zeros are added to both sides of the input (default 0). */
  padding?: number | readonly [number, number];
  /** Extra size added to one side of the output (default 0). */
  outputPadding?: number | readonly [number, number];
  groups?: number;
  bias?: boolean;
  dilation?: number | readonly [number, number];
}

/**
 * Transposed 2-D convolution (PyTorch's nn.ConvTranspose2d), the gradient of Conv2d with respect
 * to its input: x [N, C_in, H, W] → [N, C_out, (H-1) s - 2p + d (k-1) + outputPadding + 1, ...].
 * weight [C_in, C_out/groups, kh, kw], bias [C_out].
 */
export class ConvTranspose2d extends ConvNd<[x: Tensor, outputSize?: readonly number[]]> {
  outputPadding: number[];

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    opts: ConvTranspose2dLayerOptions = {},
  ) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, opts, true);
    checkOptions('ConvTranspose2d', opts, CONV_TRANSPOSE);
    this.outputPadding = tuple('ConvTranspose2d', 'outputPadding', opts.outputPadding ?? 0, 2, 0);
  }

  /**
   * Applies the transposed convolution. `outputSize` ([H, W], or with batch and channel dims)
   * picks the output padding that gives that size, as PyTorch's `output_size`.
   */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    let outputPadding = this.outputPadding;
    const p = this.padding as number[];
    if (outputSize !== undefined) {
      const size = outputSize.slice(-2);
      const spatial = x.shape.slice(-2);
      outputPadding = [0, 1].map((i) => {
        const min =
          (spatial[i]! - 1) * this.stride[i]! - 2 * p[i]! + this.dilation[i]! * (this.kernelSize[i]! - 1) + 1;
        const extra = size[i]! - min;
        if (!(extra >= 0 && extra < Math.max(this.stride[i]!, this.dilation[i]!))) {
          throw new RangeError(
            `ConvTranspose2d: requested output size ${fmt(outputSize)} is not reachable from input ${fmt(x.shape)} (sizes ${min}..${min + Math.max(this.stride[i]!, this.dilation[i]!) - 1} possible in dim ${i})`,
          );
        }
        return extra;
      });
    }
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride as [number, number],
      padding: [p[0]!, p[1]!],
      outputPadding: outputPadding as [number, number],
      dilation: this.dilation as [number, number],
      groups: this.groups,
    });
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    const s = super.extraRepr();
    return this.outputPadding.some((v) => v !== 0) ? `${s}, outputPadding=${fmt(this.outputPadding)}` : s;
  }
}
