import { checkOptions, type DType, full, type Tensor } from '@tessera/tensor';
import { ModuleList } from '../containers.js';
import { checkPositiveInt } from '../functional/util.js';
import { deepCopy, Module } from '../module.js';
import { FACTORY } from '../option-specs.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';
import type { TransformerEncoderLayerOptions } from './transformer.js';
import {
  type FeedForwardActivation,
  feedForward,
  feedForwardActivation,
  layerSettings,
} from './transformer-parts.js';

/**
 * The causal mask of a sequence of `sz` positions (PyTorch's
 * nn.Transformer.generate_square_subsequent_mask): float [sz, sz], -Infinity above the diagonal
 * (position i may not attend to j > i) and 0 elsewhere, added to the attention scores.
 */
export function generateSquareSubsequentMask(
  sz: number,
  opts: { dtype?: DType; device?: string } = {},
): Tensor {
  checkPositiveInt('generateSquareSubsequentMask', 'sz', sz);
  checkOptions('generateSquareSubsequentMask', opts, FACTORY);
  return full([sz, sz], Number.NEGATIVE_INFINITY, {
    dtype: opts.dtype ?? 'float32',
    device: opts.device,
  }).triu(1);
}

/** Options of TransformerDecoderLayer: the encoder layer's. */
export type TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

/** Options of the decoders' forward (masks as in MultiheadAttention). */
export interface TransformerDecoderForwardOptions {
  /** Self-attention mask [T, T] (e.g. generateSquareSubsequentMask(T)). */
  tgtMask?: Tensor | null;
  /** Cross-attention mask [T, S]. */
  memoryMask?: Tensor | null;
  /** [N, T] padding mask of the targets (bool true = padding). */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S] padding mask of the memory. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention when no tgtMask is given (default false). */
  tgtIsCausal?: boolean;
  /** Causal cross-attention when no memoryMask is given (default false). */
  memoryIsCausal?: boolean;
}

/** The forward options spec of the decoders. */
export const DECODER_FORWARD = {
  tgtMask: 'tensor|null',
  memoryMask: 'tensor|null',
  tgtKeyPaddingMask: 'tensor|null',
  memoryKeyPaddingMask: 'tensor|null',
  tgtIsCausal: 'boolean',
  memoryIsCausal: 'boolean',
} as const;

/**
 * One transformer decoder block (PyTorch's nn.TransformerDecoderLayer): self-attention over the
 * targets, cross-attention to the encoder's memory and a feed-forward network, each with dropout,
 * a residual connection and LayerNorm (after, or before with normFirst). Submodule names match
 * PyTorch (self_attn, multihead_attn, linear1, dropout, linear2, norm1..3, dropout1..3).
 */
export class TransformerDecoderLayer extends Module<
  [tgt: Tensor, memory: Tensor, opts?: TransformerDecoderForwardOptions]
> {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: FeedForwardActivation;

  constructor(dModel: number, nhead: number, opts: TransformerDecoderLayerOptions = {}) {
    super();
    const name = 'TransformerDecoderLayer';
    const { dff, p, bias, f, mha, normFirst, eps } = layerSettings(name, opts);
    this.self_attn = new MultiheadAttention(dModel, nhead, mha);
    this.multihead_attn = new MultiheadAttention(dModel, nhead, mha);
    this.linear1 = new Linear(dModel, dff, { ...f, bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dff, dModel, { ...f, bias });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { ...f, eps, bias });
    this.norm2 = new LayerNorm(dModel, { ...f, eps, bias });
    this.norm3 = new LayerNorm(dModel, { ...f, eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = feedForwardActivation(name, opts.activation);
  }

  /** Self-attention block: attention over x, then dropout. */
  private saBlock(x: Tensor, o: TransformerDecoderForwardOptions): Tensor {
    const [y] = this.self_attn.call(x, x, x, {
      attnMask: o.tgtMask ?? null,
      keyPaddingMask: o.tgtKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: o.tgtIsCausal ?? false,
    });
    return this.dropout1.call(y);
  }

  /** Cross-attention block: attention from x to the memory, then dropout. */
  private mhaBlock(x: Tensor, mem: Tensor, o: TransformerDecoderForwardOptions): Tensor {
    const [y] = this.multihead_attn.call(x, mem, mem, {
      attnMask: o.memoryMask ?? null,
      keyPaddingMask: o.memoryKeyPaddingMask ?? null,
      needWeights: false,
      isCausal: o.memoryIsCausal ?? false,
    });
    return this.dropout2.call(y);
  }

  /** Feed-forward block: linear2(dropout(activation(linear1(x)))), then dropout. */
  private ffBlock(x: Tensor): Tensor {
    return this.dropout3.call(feedForward(this, x));
  }

  /** Decodes tgt [T, N, E] attending to memory [S, N, E] ([N, T, E] with batchFirst; or unbatched). */
  forward(tgt: Tensor, memory: Tensor, opts: TransformerDecoderForwardOptions = {}): Tensor {
    checkOptions('TransformerDecoderLayer.forward', opts, DECODER_FORWARD);
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.call(x), opts));
      x = x.add(this.mhaBlock(this.norm2.call(x), memory, opts));
      x = x.add(this.ffBlock(this.norm3.call(x)));
    } else {
      x = this.norm1.call(x.add(this.saBlock(x, opts)));
      x = this.norm2.call(x.add(this.mhaBlock(x, memory, opts)));
      x = this.norm3.call(x.add(this.ffBlock(x)));
    }
    return x;
  }
}

/**
 * A stack of `numLayers` copies of a decoder layer (PyTorch's nn.TransformerDecoder; copies start
 * identical) with an optional final norm. Keys: layers.0.multihead_attn.in_proj_weight, norm.bias.
 */
export class TransformerDecoder extends Module<
  [tgt: Tensor, memory: Tensor, opts?: TransformerDecoderForwardOptions]
> {
  layers: ModuleList<TransformerDecoderLayer>;
  numLayers: number;
  norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkOptions('TransformerDecoder', opts, { norm: 'object|null' });
    checkPositiveInt('TransformerDecoder', 'numLayers', numLayers);
    if (!(decoderLayer instanceof Module))
      throw new TypeError('TransformerDecoder: decoderLayer must be a TransformerDecoderLayer (a Module)');
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepCopy(decoderLayer)));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /** Runs tgt through every layer (same memory and masks for each), then the norm. */
  forward(tgt: Tensor, memory: Tensor, opts: TransformerDecoderForwardOptions = {}): Tensor {
    checkOptions('TransformerDecoder.forward', opts, DECODER_FORWARD);
    let x = tgt;
    for (const layer of this.layers) x = layer.call(x, memory, opts);
    return this.norm === null ? x : this.norm.call(x);
  }
}
