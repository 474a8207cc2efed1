import { checkOptions, type DType, type Tensor, tensor } from '@tessera/tensor';
import { ModuleList } from '../containers.js';
import { checkPositiveInt, fmt } from '../functional/util.js';
import { deepCopy, Module } from '../module.js';
import { ENCODER_FORWARD, FACTORY } from '../option-specs.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import type { FactoryOptions } from './factory.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';
import {
  type FeedForwardActivation,
  feedForward,
  feedForwardActivation,
  layerSettings,
} from './transformer-parts.js';

/** Options of TransformerEncoderLayer. */
export interface TransformerEncoderLayerOptions extends FactoryOptions {
  /** Hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability (default 0.1). */
  dropout?: number;
  /** Feed-forward activation: 'relu' (default), 'gelu' or a function / module. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are [N, S, E] instead of [S, N, E] (default false). */
  batchFirst?: boolean;
  /** Pre-norm (norm before attention and feed-forward) instead of post-norm (default false). */
  normFirst?: boolean;
  /** Learn biases in the linear layers and norms (default true). */
  bias?: boolean;
}

/** Options of the encoders' forward. */
export interface TransformerEncoderForwardOptions {
  /** Attention mask [S, S] or [N*nhead, S, S] (bool true = may not attend, or float added). */
  mask?: Tensor | null;
  /** [N, S] padding mask (bool true = padding) for the keys. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal attention when no mask is given (default false). */
  isCausal?: boolean;
}

/**
 * One transformer encoder block (PyTorch's nn.TransformerEncoderLayer): self-attention and a
 * feed-forward network, each with dropout, a residual connection and LayerNorm (after, or with
 * normFirst before). Submodule names match PyTorch (self_attn, linear1, linear2, norm1, norm2,
 * dropout, dropout1, dropout2), so state dicts interchange.
 */
export class TransformerEncoderLayer extends Module<[src: Tensor, opts?: TransformerEncoderForwardOptions]> {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: FeedForwardActivation;

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    const { dff, p, bias, f, mha, normFirst, eps } = layerSettings('TransformerEncoderLayer', opts);
    this.self_attn = new MultiheadAttention(dModel, nhead, mha);
    this.linear1 = new Linear(dModel, dff, { ...f, bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dff, dModel, { ...f, bias });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { ...f, eps, bias });
    this.norm2 = new LayerNorm(dModel, { ...f, eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = feedForwardActivation('TransformerEncoderLayer', opts.activation);
  }

  /** Self-attention block: attention, then dropout. */
  private saBlock(x: Tensor, o: TransformerEncoderForwardOptions): Tensor {
    const [y] = this.self_attn.call(x, x, x, {
      attnMask: o.mask ?? null,
      keyPaddingMask: o.srcKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: o.isCausal ?? false,
    }) as [Tensor, null];
    return this.dropout1.call(y);
  }

  /** Feed-forward block: linear2(dropout(activation(linear1(x)))), then dropout. */
  private ffBlock(x: Tensor): Tensor {
    return this.dropout2.call(feedForward(this, x));
  }

  /** Encodes src [S, N, E] ([N, S, E] with batchFirst, or unbatched [S, E]). */
  forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    checkOptions('TransformerEncoderLayer.forward', opts, ENCODER_FORWARD);
    let x = src;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.call(x), opts));
      x = x.add(this.ffBlock(this.norm2.call(x)));
    } else {
      x = this.norm1.call(x.add(this.saBlock(x, opts)));
      x = this.norm2.call(x.add(this.ffBlock(x)));
    }
    return x;
  }
}

/**
 * A stack of `numLayers` copies of an encoder layer (PyTorch's nn.TransformerEncoder; the copies
 * start with identical weights, as PyTorch's deep copies do) with an optional final norm.
 * State-dict keys: layers.0.self_attn.in_proj_weight, ..., norm.weight.
 */
export class TransformerEncoder extends Module<[src: Tensor, opts?: TransformerEncoderForwardOptions]> {
  layers: ModuleList<TransformerEncoderLayer>;
  numLayers: number;
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkOptions('TransformerEncoder', opts, { norm: 'object|null' });
    checkPositiveInt('TransformerEncoder', 'numLayers', numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepCopy(encoderLayer)));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /** Runs src through every layer (same masks for each), then the norm. */
  forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    checkOptions('TransformerEncoder.forward', opts, ENCODER_FORWARD);
    let x = src;
    for (const layer of this.layers) x = layer.call(x, opts);
    return this.norm === null ? x : this.norm.call(x);
  }
}

/**
 * The sinusoidal positional encoding of "Attention Is All You Need": [maxLen, dModel] with
 * PE[pos, 2i] = sin(pos / base^(2i/dModel)) and PE[pos, 2i+1] = cos(pos / base^(2i/dModel)).
 */
export function sinusoidalPositionalEncoding(
  maxLen: number,
  dModel: number,
  opts: { dtype?: DType; device?: string; base?: number } = {},
): Tensor {
  checkPositiveInt('sinusoidalPositionalEncoding', 'maxLen', maxLen);
  checkOptions('sinusoidalPositionalEncoding', opts, { ...FACTORY, base: 'number' });
  checkPositiveInt('sinusoidalPositionalEncoding', 'dModel', dModel);
  const base = opts.base ?? 10000;
  const pe = new Float64Array(maxLen * dModel);
  for (let pos = 0; pos < maxLen; pos++) {
    for (let i = 0; i < dModel; i += 2) {
      const angle = pos / base ** (i / dModel);
      pe[pos * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) pe[pos * dModel + i + 1] = Math.cos(angle);
    }
  }
  return tensor(pe, { shape: [maxLen, dModel], dtype: opts.dtype ?? 'float32', device: opts.device });
}

/**
 * Adds the sinusoidal positional encoding to x [S, N, E] ([N, S, E] with batchFirst, or [S, E])
 * and applies dropout (as PyTorch's transformer tutorial). The table is a non-persistent buffer
 * `pe` (not in state dicts: it is recomputed).
 */
export class PositionalEncoding extends Module {
  dModel: number;
  batchFirst: boolean;
  dropout: Dropout;
  declare pe: Tensor;

  constructor(
    dModel: number,
    opts: FactoryOptions & { dropout?: number; maxLen?: number; batchFirst?: boolean } = {},
  ) {
    super();
    checkOptions('PositionalEncoding', opts, {
      ...FACTORY,
      dropout: 'number',
      maxLen: 'integer',
      batchFirst: 'boolean',
    });
    this.dModel = checkPositiveInt('PositionalEncoding', 'dModel', dModel);
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = new Dropout(opts.dropout ?? 0.1);
    this.registerBuffer(
      'pe',
      sinusoidalPositionalEncoding(opts.maxLen ?? 5000, dModel, { dtype: opts.dtype, device: opts.device }),
      false,
    );
  }

  /** x + PE[:S], then dropout. */
  forward(x: Tensor): Tensor {
    const seqDim = x.ndim === 3 && this.batchFirst ? 1 : 0;
    const S = x.shape[seqDim]!;
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== this.dModel) {
      throw new RangeError(
        `PositionalEncoding: input shape ${fmt(x.shape)} must end in dModel ${this.dModel}`,
      );
    }
    if (S > this.pe.shape[0]!) {
      throw new RangeError(
        `PositionalEncoding: sequence length ${S} exceeds maxLen ${this.pe.shape[0]} (input ${fmt(x.shape)})`,
      );
    }
    let pe = this.pe.narrow(0, 0, S); // [S, E]
    if (x.ndim === 3 && !this.batchFirst) pe = pe.unsqueeze(1);
    return this.dropout.call(x.add(pe.cast(x.dtype)));
  }
}
