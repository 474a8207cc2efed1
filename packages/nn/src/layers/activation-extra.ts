import { checkOptions, type Tensor } from '@tessera/tensor';
import * as A from '../functional/activation-extra.js';
import { checkPositiveInt } from '../functional/util.js';
import { constant_ } from '../init.js';
import { Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import type { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

/** Options of PReLU. */
export interface PReLUOptions extends FactoryOptions {
  /** Number of learned slopes: 1 (shared) or the number of channels (default 1). */
  numParameters?: number;
  /** Initial slope (default 0.25). */
  init?: number;
}

/** Parametric ReLU with learned negative slopes `weight` [numParameters] (PyTorch's nn.PReLU). */
export class PReLU extends Module {
  numParameters: number;
  weight: Parameter;
  private readonly initValue: number;

  constructor(opts: PReLUOptions = {}) {
    super();
    checkOptions('PReLU', opts, { ...FACTORY, numParameters: 'integer', init: 'number' });
    this.numParameters = checkPositiveInt('PReLU', 'numParameters', opts.numParameters ?? 1);
    this.initValue = opts.init ?? 0.25;
    this.weight = newParameter([this.numParameters], opts);
    this.resetParameters();
  }

  /** weight = init (0.25 by default). */
  resetParameters(): void {
    constant_(this.weight, this.initValue);
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.prelu(x, this.weight);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `numParameters=${this.numParameters}`;
  }
}

/** min(max(x, minVal), maxVal) (PyTorch's nn.Hardtanh, defaults -1 and 1). */
export class Hardtanh extends Module {
  minVal: number;
  maxVal: number;

  constructor(minVal = -1, maxVal = 1) {
    super();
    if (typeof minVal !== 'number' || typeof maxVal !== 'number' || !(minVal <= maxVal))
      throw new RangeError(`Hardtanh: minVal ${minVal} must be a number <= maxVal ${maxVal}`);
    this.minVal = minVal;
    this.maxVal = maxVal;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.hardtanh(x, this.minVal, this.maxVal);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

/** min(max(x, 0), 6) (PyTorch's nn.ReLU6). */
export class ReLU6 extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.relu6(x);
  }
}

/** x * relu6(x + 3) / 6 (PyTorch's nn.Hardswish). */
export class Hardswish extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.hardswish(x);
  }
}

/** relu6(x + 3) / 6 (PyTorch's nn.Hardsigmoid). */
export class Hardsigmoid extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.hardsigmoid(x);
  }
}

/** x * tanh(softplus(x)) (PyTorch's nn.Mish). */
export class Mish extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.mish(x);
  }
}

/** log(sigmoid(x)) (PyTorch's nn.LogSigmoid). */
export class LogSigmoid extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.logsigmoid(x);
  }
}

/** x / (1 + |x|) (PyTorch's nn.Softsign). */
export class Softsign extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.softsign(x);
  }
}

/** softmax(-x) along `dim` (PyTorch's nn.Softmin). */
export class Softmin extends Module {
  dim: number;

  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim))
      throw new TypeError(`Softmin: dim must be an integer, got ${JSON.stringify(dim)}`);
    this.dim = dim;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.softmin(x, this.dim);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Gated linear unit a * sigmoid(b) over halves of `dim` (PyTorch's nn.GLU, default dim -1). */
export class GLU extends Module {
  dim: number;

  constructor(dim = -1) {
    super();
    if (!Number.isInteger(dim))
      throw new TypeError(`GLU: dim must be an integer, got ${JSON.stringify(dim)}`);
    this.dim = dim;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.glu(x, this.dim);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
