import type { Tensor } from '@tessera/tensor';
import { checkOptions, type OptionSpec } from '@tessera/tensor';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  nllLoss,
} from '../functional/loss-classification.js';
import {
  cosineEmbeddingLoss,
  gaussianNllLoss,
  huberLoss,
  type KlDivOptions,
  klDiv,
  l1Loss,
  mseLoss,
  type ReductionOptions,
  smoothL1Loss,
} from '../functional/loss-regression.js';
import { checkReduction, type Reduction } from '../functional/util.js';
import { Module } from '../module.js';
import { BCE, BCE_LOGITS, CROSS_ENTROPY, NLL, REDUCTION } from '../option-specs.js';

/** Shared parts of the losses: the reduction. `In` is forward's arguments (input, target by default). */
abstract class Loss<In extends unknown[] = [Tensor, Tensor]> extends Module<In> {
  reduction: Reduction;

  constructor(name: string, opts: ReductionOptions, spec: OptionSpec) {
    super();
    checkOptions(name, opts, spec);
    const r = opts.reduction ?? 'mean';
    checkReduction(name, r);
    this.reduction = r;
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}

/** Mean squared error (PyTorch's nn.MSELoss). */
export class MSELoss extends Loss {
  constructor(opts: ReductionOptions = {}) {
    super('MSELoss', opts, REDUCTION);
  }

  /** Loss of `input` against a `target` of the same shape. */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error (PyTorch's nn.L1Loss). */
export class L1Loss extends Loss {
  constructor(opts: ReductionOptions = {}) {
    super('L1Loss', opts, REDUCTION);
  }

  /** Loss of `input` against a `target` of the same shape. */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Huber loss with threshold `delta` (PyTorch's nn.HuberLoss, default delta 1). */
export class HuberLoss extends Loss {
  delta: number;

  constructor(opts: ReductionOptions & { delta?: number } = {}) {
    super('HuberLoss', opts, { ...REDUCTION, delta: 'number' });
    this.delta = opts.delta ?? 1;
  }

  /** Loss of `input` against a `target` of the same shape. */
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Smooth L1 loss with threshold `beta` (PyTorch's nn.SmoothL1Loss, default beta 1). */
export class SmoothL1Loss extends Loss {
  beta: number;

  constructor(opts: ReductionOptions & { beta?: number } = {}) {
    super('SmoothL1Loss', opts, { ...REDUCTION, beta: 'number' });
    this.beta = opts.beta ?? 1;
  }

  /** Loss of `input` against a `target` of the same shape. */
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Options of CrossEntropyLoss and NLLLoss. */
export interface ClassificationLossOptions extends ReductionOptions {
  /** Per-class weight [C] (a buffer named 'weight', as in PyTorch). */
  weight?: Tensor | null;
  /** Targets equal to this are ignored (default -100). */
  ignoreIndex?: number;
}

/**
 * Cross entropy from logits (PyTorch's nn.CrossEntropyLoss): fused logSoftmax + NLL, with
 * class-index (int32) or class-probability targets, ignoreIndex, labelSmoothing and class weights.
 */
export class CrossEntropyLoss extends Loss {
  ignoreIndex: number;
  labelSmoothing: number;
  declare weight: Tensor | null;

  constructor(opts: ClassificationLossOptions & { labelSmoothing?: number } = {}) {
    super('CrossEntropyLoss', opts, CROSS_ENTROPY);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffer('weight', opts.weight ?? null);
  }

  /** Loss of logits [N, C, ...] against int32 indices [N, ...] or probabilities [N, C, ...]. */
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log likelihood on log-probabilities (PyTorch's nn.NLLLoss). */
export class NLLLoss extends Loss {
  ignoreIndex: number;
  declare weight: Tensor | null;

  constructor(opts: ClassificationLossOptions = {}) {
    super('NLLLoss', opts, NLL);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.registerBuffer('weight', opts.weight ?? null);
  }

  /** Loss of log-probabilities [N, C, ...] against int32 indices [N, ...]. */
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
  }
}

/** Binary cross entropy on probabilities, logs clamped to >= -100 (PyTorch's nn.BCELoss). */
export class BCELoss extends Loss {
  declare weight: Tensor | null;

  constructor(opts: ReductionOptions & { weight?: Tensor | null } = {}) {
    super('BCELoss', opts, BCE);
    this.registerBuffer('weight', opts.weight ?? null);
  }

  /** Loss of probabilities against targets in [0, 1] of the same shape. */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy on logits, in the stable form (PyTorch's nn.BCEWithLogitsLoss). */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;

  constructor(opts: ReductionOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super('BCEWithLogitsLoss', opts, BCE_LOGITS);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }

  /** Loss of logits against targets in [0, 1] of the same shape. */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}

/** Gaussian negative log likelihood (PyTorch's nn.GaussianNLLLoss). */
export class GaussianNLLLoss extends Loss<[Tensor, Tensor, Tensor]> {
  full: boolean;
  eps: number;

  constructor(opts: ReductionOptions & { full?: boolean; eps?: number } = {}) {
    super('GaussianNLLLoss', opts, { ...REDUCTION, full: 'boolean', eps: 'number' });
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-6;
  }

  /** Loss of `target` under N(input, variance). */
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return gaussianNllLoss(input, target, variance, {
      full: this.full,
      eps: this.eps,
      reduction: this.reduction,
    });
  }
}

/** Kullback-Leibler divergence on log-probability inputs (PyTorch's nn.KLDivLoss). */
export class KLDivLoss extends Module<[Tensor, Tensor]> {
  reduction: Reduction | 'batchmean';
  logTarget: boolean;

  constructor(opts: KlDivOptions = {}) {
    super();
    checkOptions('KLDivLoss', opts, { ...REDUCTION, logTarget: 'boolean' });
    this.reduction = opts.reduction ?? 'mean';
    checkReduction('KLDivLoss', this.reduction, ['batchmean']);
    this.logTarget = opts.logTarget ?? false;
  }

  /** Loss of log-probabilities `input` against `target`. */
  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `reduction='${this.reduction}', logTarget=${this.logTarget}`;
  }
}

/** Cosine embedding loss with labels in {1, -1} (PyTorch's nn.CosineEmbeddingLoss). */
export class CosineEmbeddingLoss extends Loss<[Tensor, Tensor, Tensor]> {
  margin: number;

  constructor(opts: ReductionOptions & { margin?: number } = {}) {
    super('CosineEmbeddingLoss', opts, { ...REDUCTION, margin: 'number' });
    this.margin = opts.margin ?? 0;
  }

  /** Loss of the pairs (x1, x2) with labels y. */
  forward(x1: Tensor, x2: Tensor, y: Tensor): Tensor {
    return cosineEmbeddingLoss(x1, x2, y, { margin: this.margin, reduction: this.reduction });
  }
}
