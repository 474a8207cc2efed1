import { ELU_OP, LEAKY_RELU_OP, SOFTPLUS_OP, type Tensor } from '@tessera/tensor';
import * as A from '../functional/activation.js';
import { Module } from '../module.js';

/** max(0, x) (PyTorch's nn.ReLU). */
export class ReLU extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.relu(x);
  }
}

/** x for x > 0, negativeSlope * x otherwise (PyTorch's nn.LeakyReLU, default slope 0.01). */
export class LeakyReLU extends Module {
  negativeSlope: number;

  // The default is the op declaration's, written once in @tessera/tensor.
  constructor(negativeSlope: number = LEAKY_RELU_OP.attrs.alpha) {
    super();
    this.negativeSlope = negativeSlope;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.leakyRelu(x, this.negativeSlope);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x for x > 0, alpha (exp(x) - 1) otherwise (PyTorch's nn.ELU, default alpha 1). */
export class ELU extends Module {
  alpha: number;

  constructor(alpha: number = ELU_OP.attrs.alpha) {
    super();
    this.alpha = alpha;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.elu(x, this.alpha);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** Scaled ELU with the self-normalising constants (PyTorch's nn.SELU). */
export class SELU extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.selu(x);
  }
}

/** Gaussian error linear unit, exact or tanh-approximated (PyTorch's nn.GELU). */
export class GELU extends Module {
  approximate: 'none' | 'tanh';

  constructor(approximate: 'none' | 'tanh' = 'none') {
    super();
    this.approximate = approximate;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.gelu(x, this.approximate);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x * sigmoid(x) (PyTorch's nn.SiLU). */
export class SiLU extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.silu(x);
  }
}

/** 1 / (1 + exp(-x)) (PyTorch's nn.Sigmoid). */
export class Sigmoid extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.sigmoid(x);
  }
}

/** Hyperbolic tangent (PyTorch's nn.Tanh). */
export class Tanh extends Module {
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.tanh(x);
  }
}

/** log(1 + exp(beta x)) / beta, linear above `threshold` (PyTorch's nn.Softplus). */
export class Softplus extends Module {
  beta: number;
  threshold: number;

  constructor(beta: number = SOFTPLUS_OP.attrs.beta, threshold: number = SOFTPLUS_OP.attrs.threshold) {
    super();
    this.beta = beta;
    this.threshold = threshold;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.softplus(x, this.beta, this.threshold);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** softmax along `dim` (PyTorch's nn.Softmax). */
export class Softmax extends Module {
  dim: number;

  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim))
      throw new TypeError(`Softmax: dim must be an integer, got ${JSON.stringify(dim)}`);
    this.dim = dim;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.softmax(x, this.dim);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax) along `dim`, fused and stable (PyTorch's nn.LogSoftmax). */
export class LogSoftmax extends Module {
  dim: number;

  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim))
      throw new TypeError(`LogSoftmax: dim must be an integer, got ${JSON.stringify(dim)}`);
    this.dim = dim;
  }

  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return A.logSoftmax(x, this.dim);
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
