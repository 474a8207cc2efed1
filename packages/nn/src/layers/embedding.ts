import { noGrad } from '@tessera/autograd';
import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { embedding, normalizePaddingIdx } from '../functional/embedding.js';
import { checkPositiveInt, fmt } from '../functional/util.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import { Parameter } from '../parameter.js';
import { type FactoryOptions, newParameter } from './factory.js';

/** Options of Embedding. */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** This row is initialised to zeros and receives no gradient (PyTorch's padding_idx). */
  paddingIdx?: number | null;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch's nn.Embedding):
 * int32 indices of any shape → [...shape, embeddingDim]. Initialised N(0, 1), the padding row
 * (if any) zero.
 */
export class Embedding extends Module {
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingLayerOptions = {}) {
    super();
    checkOptions('Embedding', opts, { ...FACTORY, paddingIdx: 'integer|null' });
    this.numEmbeddings = checkPositiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkPositiveInt('Embedding', 'embeddingDim', embeddingDim);
    this.paddingIdx = normalizePaddingIdx('Embedding', opts.paddingIdx, numEmbeddings);
    this.weight = newParameter([numEmbeddings, embeddingDim], opts);
    this.resetParameters();
  }

  /**
   * An Embedding holding `weights` [num, dim] (PyTorch's Embedding.from_pretrained); frozen
   * (no gradient) unless `freeze` is false.
   */
  static fromPretrained(
    weights: Tensor,
    opts: { freeze?: boolean; paddingIdx?: number | null } = {},
  ): Embedding {
    checkOptions('Embedding.fromPretrained', opts, { freeze: 'boolean', paddingIdx: 'integer|null' });
    if (weights.ndim !== 2)
      throw new RangeError(`Embedding.fromPretrained: weights must be 2-D, got shape ${fmt(weights.shape)}`);
    const e = new Embedding(weights.shape[0]!, weights.shape[1]!, {
      paddingIdx: opts.paddingIdx,
      dtype: weights.dtype,
      device: weights.device,
    });
    e.weight = new Parameter(
      noGrad(() => weights.detach().clone()),
      !(opts.freeze ?? true),
    );
    return e;
  }

  /** Draws N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    normal_(this.weight);
    const p = this.paddingIdx;
    if (p !== null) noGrad(() => this.weight.select(0, p).zero_());
  }

  /** Looks up int32 indices of any shape. */
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  /** Constructor arguments shown by `toString()`. */
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
